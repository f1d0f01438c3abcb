//! The kubelet's back-off (`k8s.io/client-go/util/flowcontrol` `Backoff`), as `doBackOff` in
//! pkg/kubelet/kuberuntime/kuberuntime_manager.go and the image puller use it.

use std::collections::BTreeMap;

use crate::time::Time;

/// Per-key back-off: the first failure is free, each next one doubles the wait from `initial`
/// up to `max`; an entry not touched for `reset_after` starts over.
#[derive(Clone, Debug)]
pub struct Backoff {
    initial_ms: u64,
    max_ms: u64,
    /// `HasExpiredFunc`: the crash-loop back-off resets once its entry is older than this
    /// (600 s for containers); the default rule is twice the maximum.
    reset_after_ms: u64,
    entries: BTreeMap<String, Entry>,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    backoff_ms: u64,
    last_update: Time,
}

impl Backoff {
    /// The crash-loop back-off: 10 s doubling to 300 s, reset after 10 minutes
    /// (`initialCrashLoopBackOff`, `MaxContainerBackOff`, kubelet.go's `HasExpiredFunc`).
    pub fn crash_loop() -> Backoff {
        Backoff::new(10_000, 300_000, 600_000)
    }

    /// The image pull back-off: 10 s doubling to 300 s (`imageBackOffPeriod`,
    /// `MaxImageBackOff`), with flowcontrol's default reset at twice the maximum.
    pub fn image_pull() -> Backoff {
        Backoff::new(10_000, 300_000, 600_000)
    }

    pub fn new(initial_ms: u64, max_ms: u64, reset_after_ms: u64) -> Backoff {
        Backoff {
            initial_ms,
            max_ms,
            reset_after_ms,
            entries: BTreeMap::new(),
        }
    }

    /// `Backoff.Next(id, eventTime)`: records a failure seen at `now` whose event happened at
    /// `event_time` (a container's `finishedAt`; `now` for image pulls). The first gives
    /// `initial`, each next doubles; an entry whose last update is more than the reset age before
    /// `event_time` starts over.
    pub fn next(&mut self, key: &str, event_time: Time, now: Time) {
        let expired = |e: &Entry| event_time.millis_since(e.last_update) > self.reset_after_ms;
        match self.entries.get_mut(key) {
            Some(e) if !expired(e) => {
                e.backoff_ms = (e.backoff_ms.saturating_mul(2)).min(self.max_ms);
                e.last_update = now;
            }
            _ => {
                self.entries.insert(
                    key.to_string(),
                    Entry {
                        backoff_ms: self.initial_ms.min(self.max_ms),
                        last_update: now,
                    },
                );
            }
        }
    }

    /// `Backoff.Get`: the current wait for `key` (zero if none).
    pub fn get(&self, key: &str) -> u64 {
        self.entries.get(key).map_or(0, |e| e.backoff_ms)
    }

    /// `IsInBackOffSince(key, since)`: whether `now - since` is still inside the current wait.
    /// An entry whose last update is more than the reset age before `since` counts as none (a
    /// container that ran for ten minutes starts its back-off over).
    pub fn is_in_backoff_since(&self, key: &str, since: Time, now: Time) -> bool {
        match self.entries.get(key) {
            Some(e) if since.millis_since(e.last_update) <= self.reset_after_ms => {
                now.millis_since(since) < e.backoff_ms
            }
            _ => false,
        }
    }

    /// `IsInBackOffSinceUpdate(key, now)`: whether the wait counted from the last failure is
    /// still running (the image puller's check).
    pub fn is_in_backoff_since_update(&self, key: &str, now: Time) -> bool {
        self.entries
            .get(key)
            .is_some_and(|e| now.millis_since(e.last_update) < e.backoff_ms)
    }

    /// When the wait counted from the last failure runs out.
    pub fn expiry_since_update(&self, key: &str) -> Option<Time> {
        self.entries
            .get(key)
            .map(|e| e.last_update.plus_millis(e.backoff_ms))
    }

    /// Forgets `key` (the pod is gone).
    pub fn reset(&mut self, key: &str) {
        self.entries.remove(key);
    }

    /// Forgets every key that starts with `prefix` (all of a pod's containers).
    pub fn reset_prefix(&mut self, prefix: &str) {
        self.entries.retain(|k, _| !k.starts_with(prefix));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        let mut b = Backoff::crash_loop();
        let mut waits = Vec::new();
        for i in 0..8 {
            b.next("c", Time::from_secs(i), Time::from_secs(i));
            waits.push(b.get("c") / 1000);
        }
        assert_eq!(waits, [10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn backoff_resets_after_ten_quiet_minutes() {
        let mut b = Backoff::crash_loop();
        b.next("c", Time::ZERO, Time::ZERO);
        b.next("c", Time::from_secs(1), Time::from_secs(1));
        assert_eq!(b.get("c"), 20_000);
        // The container ran for more than ten minutes before it failed again.
        assert!(!b.is_in_backoff_since("c", Time::from_secs(602), Time::from_secs(603)));
        b.next("c", Time::from_secs(1 + 601), Time::from_secs(603));
        assert_eq!(b.get("c"), 10_000);
    }

    #[test]
    fn in_backoff_is_measured_from_the_given_time() {
        let mut b = Backoff::crash_loop();
        b.next("c", Time::from_secs(5), Time::from_secs(5));
        assert!(b.is_in_backoff_since("c", Time::from_secs(5), Time::from_secs(14)));
        assert!(!b.is_in_backoff_since("c", Time::from_secs(5), Time::from_secs(15)));
        assert!(!b.is_in_backoff_since("other", Time::ZERO, Time::ZERO));
    }
}
