//! Amounts held per client IP address under a cap: the connections one address
//! holds open, and the unverified body bytes it has sent.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

/// What each address holds, none above `cap`; an address holding nothing has no
/// entry, so the map stays as small as the set of active clients.
#[derive(Debug)]
pub(crate) struct PerAddress {
    pub(crate) cap: usize,
    held: Mutex<HashMap<IpAddr, usize>>,
}

impl PerAddress {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            held: Mutex::default(),
        }
    }

    /// Adds `amount` to what `ip` holds, or `false` (and nothing added) when that
    /// would pass the cap.
    pub(crate) fn take(&self, ip: IpAddr, amount: usize) -> bool {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let now = held.entry(ip).or_insert(0);
        if now.saturating_add(amount) > self.cap {
            if *now == 0 {
                held.remove(&ip);
            }
            return false;
        }
        *now += amount;
        true
    }

    /// Gives back `amount` that `ip` took.
    pub(crate) fn give_back(&self, ip: IpAddr, amount: usize) {
        if amount == 0 {
            return;
        }
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(now) = held.get_mut(&ip) {
            *now = now.saturating_sub(amount);
            if *now == 0 {
                held.remove(&ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_up_to_the_cap_and_gives_back() {
        let ip: IpAddr = [127, 0, 0, 1].into();
        let other: IpAddr = [127, 0, 0, 2].into();
        let per = PerAddress::new(10);
        assert!(per.take(ip, 6));
        assert!(!per.take(ip, 5), "past the cap");
        assert!(per.take(other, 10), "another address has its own");
        per.give_back(ip, 6);
        assert!(per.take(ip, 10));
        per.give_back(ip, 10);
        per.give_back(other, 10);
        assert!(
            per.held.lock().unwrap().is_empty(),
            "no entry holds nothing"
        );
    }
}
