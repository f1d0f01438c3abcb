//! Human durations as kubectl prints them: the AGE column, "(5m ago)" after RESTARTS, and the Age
//! of an event in `kubectl describe`.
//!
//! Start with [`human_duration`], which mirrors `HumanDuration` in
//! staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go. [`since`] is kubectl's
//! `translateTimestampSince`: it measures from a caller-supplied `now`, never from the wall clock.

use k8s_openapi::jiff::{SignedDuration, Timestamp};

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_MINUTE: i128 = 60 * NANOS_PER_SECOND;
const NANOS_PER_HOUR: i128 = 60 * NANOS_PER_MINUTE;

/// Go's `int(d.Seconds())`: whole seconds, truncated toward zero.
fn whole_seconds(d: SignedDuration) -> i64 {
    d.as_secs()
}

/// Go's `d / unit` on a `time.Duration`, truncated toward zero.
fn whole(d: SignedDuration, unit_nanos: i128) -> i128 {
    d.as_nanos() / unit_nanos
}

/// A succinct duration with ~2-3 significant figures: `70s`, `3m10s`, `70m`, `2d1h`, `367d`, `2y1d`.
///
/// Mirrors `HumanDuration` in staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go,
/// including its tolerance for clock skew: anything from -1s to 0 reads `0s`, and anything below
/// -1s reads `<invalid>`.
pub fn human_duration(d: SignedDuration) -> String {
    let seconds = whole_seconds(d);
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = whole(d, NANOS_PER_MINUTE);
    if minutes < 10 {
        let s = whole(d, NANOS_PER_SECOND) % 60;
        if s == 0 {
            return format!("{minutes}m");
        }
        return format!("{minutes}m{s}s");
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = whole(d, NANOS_PER_HOUR);
    if hours < 8 {
        let m = whole(d, NANOS_PER_MINUTE) % 60;
        if m == 0 {
            return format!("{hours}h");
        }
        return format!("{hours}h{m}m");
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            return format!("{}d", hours / 24);
        }
        return format!("{}d{}h", hours / 24, h);
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            return format!("{}y", hours / 24 / 365);
        }
        return format!("{}y{}d", hours / 24 / 365, dy);
    }
    format!("{}y", hours / 24 / 365)
}

/// A one-unit duration: `59s`, `1m`, `23h`, `364d`, `2y`.
///
/// Mirrors `ShortHumanDuration` in staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go.
pub fn short_human_duration(d: SignedDuration) -> String {
    let seconds = whole_seconds(d);
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 {
        return format!("{seconds}s");
    }
    let minutes = whole(d, NANOS_PER_MINUTE);
    if minutes < 60 {
        return format!("{minutes}m");
    }
    let hours = whole(d, NANOS_PER_HOUR);
    if hours < 24 {
        return format!("{hours}h");
    } else if hours < 24 * 365 {
        return format!("{}d", hours / 24);
    }
    format!("{}y", hours / 24 / 365)
}

/// Go's zero `time.Time` (`0001-01-01T00:00:00Z`), which `metav1.Time.IsZero` treats as unset.
pub(crate) fn is_go_zero_time(t: Timestamp) -> bool {
    // -62135596800 is 0001-01-01T00:00:00Z as Unix seconds.
    t.as_second() == -62_135_596_800 && t.subsec_nanosecond() == 0
}

/// How long ago `t` was, as kubectl prints it; `<unknown>` when the timestamp is unset.
///
/// Mirrors `translateTimestampSince` in pkg/printers/internalversion/printers.go (and its copy in
/// staging/src/k8s.io/kubectl/pkg/describe/describe.go), with `now` in place of `time.Now()`.
pub fn since(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) if !is_go_zero_time(t) => human_duration(now.duration_since(t)),
        _ => "<unknown>".to_string(),
    }
}
