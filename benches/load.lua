-- wrk script of the load benchmark (examples/load.rs writes the file and runs wrk).
--
-- Sends pre-signed requests, cycling through a file of one request per line:
-- "<X-Hub-Signature-256 value>\t<body>". Signing happens before the run, so the
-- load generator spends its share of the CPU on HTTP only. At the end prints one
-- line the load program reads:
-- RESULT requests=.. duration_us=.. p50_us=.. p99_us=.. non2xx=.. errors=..

local requests, count, next = {}, 0, 0

function init(args)
  for line in io.lines(args[1]) do
    local tab = line:find("\t", 1, true)
    local headers = {
      ["Content-Type"] = "application/json",
      ["X-Hub-Signature-256"] = line:sub(1, tab - 1),
    }
    count = count + 1
    requests[count] = wrk.format("POST", nil, headers, line:sub(tab + 1))
  end
end

function request()
  next = next % count + 1
  return requests[next]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
