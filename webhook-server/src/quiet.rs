//! Log lines that repeat under attack or overload, written at most once per interval
//! with a count of the ones left out.

use std::time::{Duration, Instant};

/// How long repeats of one line are counted instead of logged.
pub(crate) const QUIET_INTERVAL: Duration = Duration::from_secs(10);

/// One repeating line: when it was last written, and how many were left out since.
#[derive(Debug, Default)]
pub(crate) struct LogWindow {
    since: Option<Instant>,
    unlogged: u64,
}

impl LogWindow {
    /// `Some(lines left out since the last one)` when this one is to be written.
    pub(crate) fn admit(&mut self) -> Option<u64> {
        let now = Instant::now();
        match self.since {
            Some(since) if now.duration_since(since) < QUIET_INTERVAL => {
                self.unlogged += 1;
                None
            }
            _ => {
                let unlogged = self.unlogged;
                (self.since, self.unlogged) = (Some(now), 0);
                Some(unlogged)
            }
        }
    }
}
