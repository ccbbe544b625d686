//! Running the example bot as a process, as the README does.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The bot binary, built now if it is missing or stale (a test target alone does
/// not rebuild examples; this is a no-op when the bot is fresh).
pub(crate) fn bot_binary() -> PathBuf {
    example_binary("bot")
}

/// The example `name`, built if needed.
pub(crate) fn example_binary(name: &str) -> PathBuf {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_owned();
    let binary = deps
        .parent()
        .unwrap()
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let status = Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .args([
            "build",
            "--quiet",
            "-p",
            "meta-webhooks-examples",
            "--example",
            name,
        ])
        .status();
    assert!(
        status.is_ok_and(|s| s.success()) || binary.exists(),
        "cannot build the example: cargo build --example {name}"
    );
    binary
}

pub(crate) struct Bot {
    pub(crate) child: Child,
    pub(crate) lines: mpsc::Receiver<String>,
    pub(crate) log: Vec<String>,
}

impl Bot {
    #[allow(dead_code, reason = "each test file includes this module")]
    pub(crate) fn start(env: &[(&str, &str)]) -> Self {
        Self::start_with_open_files(env, None)
    }

    /// Starts the bot with its open-files limits set to `limit` (soft, hard).
    #[allow(
        dead_code,
        reason = "the attack test's; each test file includes this module"
    )]
    pub(crate) fn start_with_open_files(env: &[(&str, &str)], limit: Option<(u64, u64)>) -> Self {
        Self::start_binary(&bot_binary(), env, limit)
    }

    /// Starts `binary` (an example) as [`start_with_open_files`](Self::start_with_open_files) does.
    pub(crate) fn start_binary(
        binary: &std::path::Path,
        env: &[(&str, &str)],
        limit: Option<(u64, u64)>,
    ) -> Self {
        let mut command = match limit {
            // `prlimit` (util-linux) runs the bot with the limit set.
            Some((soft, hard)) => {
                let mut command = Command::new("prlimit");
                command.arg(format!("--nofile={soft}:{hard}")).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        let mut child = command
            .env_clear()
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// Waits for a log line containing `needle` and returns it.
    pub(crate) fn wait_for(&mut self, needle: &str) -> String {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "no log line containing {needle:?} ({e}); log so far:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
