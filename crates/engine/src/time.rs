//! Virtual time, and the one seeded random number generator the engine owns.
//!
//! Time is an input: the engine never reads a clock. [`Time`] counts milliseconds since the
//! start of a run (t=0); [`Clock::timestamp`] turns it into the wall-clock timestamps Kubernetes
//! objects carry, from a fixed epoch, so the same run prints the same timestamps everywhere.

use std::fmt;

use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// Milliseconds of virtual time since t=0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);

    pub fn from_secs(s: u64) -> Time {
        Time(s.saturating_mul(1000))
    }

    pub fn from_millis(ms: u64) -> Time {
        Time(ms)
    }

    pub fn as_millis(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// `self + ms`, saturating.
    pub fn plus_millis(self, ms: u64) -> Time {
        Time(self.0.saturating_add(ms))
    }

    /// `self + s` seconds, saturating; negative seconds count as zero.
    pub fn plus_secs(self, s: impl Into<i64>) -> Time {
        self.plus_millis((s.into().max(0) as u64).saturating_mul(1000))
    }

    /// Milliseconds from `earlier` to `self` (zero if `earlier` is later).
    pub fn millis_since(self, earlier: Time) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for Time {
    /// `12.5s`, `120s`: virtual seconds, as the CLI prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, ms) = (self.0 / 1000, self.0 % 1000);
        if ms == 0 {
            write!(f, "{s}s")
        } else {
            let frac = format!("{ms:03}");
            write!(f, "{s}.{}s", frac.trim_end_matches('0'))
        }
    }
}

/// Maps virtual time to the timestamps written into objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// The wall-clock time of t=0.
    pub epoch: Timestamp,
}

impl Default for Clock {
    fn default() -> Self {
        // A fixed, round epoch: traces are byte-identical across machines and runs.
        Clock {
            epoch: Timestamp::from_second(1_767_225_600).expect("2026-01-01T00:00:00Z is valid"),
        }
    }
}

impl Clock {
    /// The timestamp at virtual time `t`. Kubernetes stores whole seconds (RFC 3339 without a
    /// fraction), so the milliseconds are dropped as the API server's `metav1.Time` drops them.
    pub fn timestamp(&self, t: Time) -> Timestamp {
        let secs = (t.0 / 1000) as i64;
        self.epoch
            .checked_add(SignedDuration::from_secs(secs))
            .unwrap_or(self.epoch)
    }

    /// The timestamp at `t` with its milliseconds, for `metav1.MicroTime` fields and events.
    pub fn precise_timestamp(&self, t: Time) -> Timestamp {
        self.epoch
            .checked_add(SignedDuration::from_millis(t.0 as i64))
            .unwrap_or(self.epoch)
    }
}

/// A small, fast, seeded generator (SplitMix64): the engine's only source of randomness, so one
/// seed gives one run, natively and in wasm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A float in [0, 1), as Go's `rand.Float64`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `wait.Jitter(d, factor)`: `d + rand·factor·d`, in milliseconds.
    pub fn jitter_millis(&mut self, d_ms: u64, factor: f64) -> u64 {
        d_ms + (self.next_f64() * factor * d_ms as f64) as u64
    }

    /// A version-4 UUID, as the API server gives every object.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        let a = (a & 0xffff_ffff_ffff_0fff) | 0x4000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    /// `n` lowercase hex digits (container and sandbox ids).
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&format!("{:016x}", self.next_u64()));
        }
        s.truncate(n);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!((a.uuid(), a.hex(12)), (b.uuid(), b.hex(12)));
        assert_ne!(Rng::new(8).uuid(), Rng::new(7).uuid());
    }

    #[test]
    fn uuids_are_version_4() {
        let u = Rng::new(1).uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
    }

    #[test]
    fn time_prints_as_virtual_seconds() {
        assert_eq!(Time::from_millis(12_500).to_string(), "12.5s");
        assert_eq!(Time::from_secs(120).to_string(), "120s");
        assert_eq!(Time::from_millis(1_005).to_string(), "1.005s");
    }
}
