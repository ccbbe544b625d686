#!/usr/bin/env bash
# The README's quick start, as a newcomer runs it: a crate of its own, outside the
# workspace, with exactly the README's `[dependencies]` and its first Rust example as
# `src/main.rs`. Our crates come from this checkout through `[patch.crates-io]`
# (the README's line names the published version). The binary is then started and
# answers Meta's handshake and a signed delivery, whose handler prints its line.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# The first ```toml block after "## Quick start", and the first ```rust block.
python3 - "$repo/README.md" "$work" <<'EOF'
import re, sys, pathlib
readme, work = pathlib.Path(sys.argv[1]).read_text(), pathlib.Path(sys.argv[2])
quick = readme[readme.index("## Quick start"):]
toml = re.search(r"```toml\n(.*?)```", quick, re.S).group(1)
rust = re.search(r"```rust[^\n]*\n(.*?)```", quick, re.S).group(1)
assert toml.startswith("[dependencies]"), "the quick start's toml block is not a [dependencies] table"
(work / "src").mkdir()
(work / "Cargo.toml").write_text(
    '[package]\nname = "quickstart"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
    + toml + "\n[workspace]\n")
(work / "src" / "main.rs").write_text(rust)
EOF
cat >> "$work/Cargo.toml" <<EOF

[patch.crates-io]
webhook-server = { path = "$repo/webhook-server" }
webhook-core = { path = "$repo/webhook-core" }
webhook-macros = { path = "$repo/webhook-macros" }
EOF
# Same versions as the workspace; artifacts shared with its target directory.
cp "$repo/Cargo.lock" "$work/Cargo.lock"
export CARGO_TARGET_DIR="$repo/target/quickstart"
echo "quick start: building $work with the README's dependencies"
cargo build --quiet --manifest-path "$work/Cargo.toml"
cargo clippy --quiet --manifest-path "$work/Cargo.toml" -- -D warnings

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret=quickstart-secret
(cd "$work" && META_APP_SECRET=$secret META_VERIFY_TOKEN=token \
    META_WEBHOOK_BIND=127.0.0.1:$port META_WEBHOOK_MODE=inline \
    "$CARGO_TARGET_DIR/debug/quickstart" > "$work/out.log" 2>&1) &
server=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/webhook?hub.mode=subscribe&hub.verify_token=token&hub.challenge=42" \
        > "$work/challenge" 2>/dev/null && break
    sleep 0.1
done
test "$(cat "$work/challenge")" = 42 || { echo "quick start: handshake failed"; cat "$work/out.log"; exit 1; }
body='{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{"item":"status","verb":"add","message":"hi"}}]}]}'
sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.* //')
status=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Hub-Signature-256: sha256=$sig" \
    -H 'Content-Type: application/json' --data-binary "$body" "http://127.0.0.1:$port/webhook")
test "$status" = 200 || { echo "quick start: delivery answered $status"; cat "$work/out.log"; exit 1; }
sleep 0.2
grep -q 'page 1: add status Some("hi")' "$work/out.log" \
    || { echo "quick start: the feed handler did not run"; cat "$work/out.log"; exit 1; }
grep -q 'handler feed' "$work/out.log" \
    || { echo "quick start: no start-up log lines"; cat "$work/out.log"; exit 1; }
echo "quick start: builds with the README's dependencies, answers the handshake, handles a signed delivery"
