//! The kubelet's back-off arithmetic, and Go's duration syntax that its messages print it in.
//!
//! Start at [`crash_loop_backoff`]: how long the kubelet waits before restarting a container that
//! keeps exiting (flowcontrol `Backoff` as kubelet `doBackOff` drives it). The waiting message of a
//! container in `CrashLoopBackOff` carries the delay the kubelet really used
//! (`back-off 40s restarting failed container=...`); [`backoff_from_message`] reads it with
//! [`parse_go_duration`], Go's `time.ParseDuration`. [`format_go_duration`] is Go's
//! `Duration.String`, so a computed delay reads exactly as the kubelet would print it.

use k8s_openapi::jiff::SignedDuration;

/// `initialCrashLoopBackOff` in pkg/kubelet/kubelet.go: the first back-off step.
pub const INITIAL_CRASH_LOOP_BACKOFF: SignedDuration = SignedDuration::from_secs(10);
/// `MaxCrashLoopBackOff` (`v1beta1.MaxContainerBackOff`): the back-off never exceeds 5m0s.
pub const MAX_CRASH_LOOP_BACKOFF: SignedDuration = SignedDuration::from_secs(300);
/// The kubelet's `HasExpiredFunc` for the crash-loop back-off: an entry expires, and the next
/// restart is immediate again, once the container ran longer than this before exiting.
pub const CRASH_LOOP_BACKOFF_RESET: SignedDuration = SignedDuration::from_secs(600);
/// `imageBackOffPeriod` in pkg/kubelet/kubelet.go: the first wait after a failed image pull.
pub const INITIAL_IMAGE_BACKOFF: SignedDuration = SignedDuration::from_secs(10);
/// `MaxImageBackOff`: image pull back-off never exceeds 5m0s.
pub const MAX_IMAGE_BACKOFF: SignedDuration = SignedDuration::from_secs(300);

/// How long the kubelet waits, after the container's latest exit, before it starts the container
/// again, given its `restartCount` and how long its last run lasted (`finishedAt - startedAt`,
/// when known).
///
/// Mirrors kubelet `doBackOff` (pkg/kubelet/kuberuntime/kuberuntime_manager.go) over flowcontrol
/// `Backoff` (client-go/util/flowcontrol/backoff.go) with no jitter:
/// - the first exit finds no back-off entry (`IsInBackOffSince` is false), so the first restart is
///   immediate, and `Next` creates the entry at 10s: restartCount 0 gives zero;
/// - every later restart doubles the entry (`Next`), capped at 5m0s: with restartCount `n >= 1` the
///   container waits `10s * 2^(n-1)`, at most 5m0s (10s, 20s, 40s, 80s, 160s, 300s, 300s, ...);
/// - an entry whose last update is more than 10 minutes before the exit has expired
///   (`HasExpiredFunc`), so a container that ran for more than 10 minutes restarts at once and its
///   back-off starts over.
///
/// The result assumes the back-off never reset before the last run; the kubelet's waiting message
/// (see [`backoff_from_message`]) is authoritative when there is one.
pub fn crash_loop_backoff(restart_count: i32, last_run: Option<SignedDuration>) -> SignedDuration {
    if restart_count <= 0 || last_run.is_some_and(|run| run > CRASH_LOOP_BACKOFF_RESET) {
        return SignedDuration::ZERO;
    }
    // 10s * 2^5 = 320s already exceeds the cap, so larger exponents need not be computed.
    let doublings = (restart_count - 1).min(5);
    let delay = SignedDuration::from_secs(INITIAL_CRASH_LOOP_BACKOFF.as_secs() << doublings);
    delay.min(MAX_CRASH_LOOP_BACKOFF)
}

/// The delay in a `CrashLoopBackOff` waiting message, which kubelet `doBackOff` writes as
/// `back-off <delay> restarting failed container=<name> pod=<pod>` (older kubelets:
/// `Back-off <delay> restarting failed container=...`). `None` for any other message.
pub fn backoff_from_message(message: &str) -> Option<SignedDuration> {
    let rest = message
        .strip_prefix("back-off ")
        .or_else(|| message.strip_prefix("Back-off "))?;
    let (delay, tail) = rest.split_once(' ')?;
    if !tail.starts_with("restarting failed container") {
        return None;
    }
    parse_go_duration(delay)
}

/// Go's `time.ParseDuration`: an optional sign, then one or more decimal numbers (with an optional
/// fraction) each followed by a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), e.g. `5m0s`,
/// `1m20s`, `300ms`, `1.5h`. `"0"` alone needs no unit. `None` where Go returns an error (missing
/// unit, unknown unit, no digits, more than Go's ~292 years).
pub fn parse_go_duration(s: &str) -> Option<SignedDuration> {
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(SignedDuration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let not_digit = |c: char| !c.is_ascii_digit();
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_end = rest.find(not_digit).unwrap_or(rest.len());
        let int_part = &rest[..int_end];
        rest = &rest[int_end..];
        let mut frac_part = "";
        if let Some(after_dot) = rest.strip_prefix('.') {
            let frac_end = after_dot.find(not_digit).unwrap_or(after_dot.len());
            frac_part = &after_dot[..frac_end];
            rest = &after_dot[frac_end..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_end = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let mut nanos = whole.checked_mul(scale)?;
        // Go adds `frac * unit / scale`, truncated; 18 digits are more than a nanosecond needs.
        let (mut fraction, mut divisor) = (0u128, 1u128);
        for digit in frac_part.bytes().take(18) {
            fraction = fraction * 10 + u128::from(digit - b'0');
            divisor *= 10;
        }
        nanos = nanos.checked_add(fraction * scale / divisor)?;
        total = total.checked_add(nanos)?;
        if total > i64::MAX as u128 {
            return None;
        }
    }
    let nanos = i64::try_from(total).ok()?;
    Some(SignedDuration::from_nanos(if negative {
        -nanos
    } else {
        nanos
    }))
}

/// Go's `Duration.String`: `0s`, `300ms`, `1.5µs`, `40s`, `1m20s`, `5m0s`, `1h0m0s`.
pub fn format_go_duration(d: SignedDuration) -> String {
    let nanos = d.as_nanos();
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u == 0 {
        return "0s".to_string();
    }
    if u < 1_000_000_000 {
        let (unit, digits) = if u < 1_000 {
            ("ns", 0)
        } else if u < 1_000_000 {
            ("µs", 3)
        } else {
            ("ms", 6)
        };
        return format!("{sign}{}{unit}", decimal(u, digits));
    }
    let seconds = u / 1_000_000_000;
    let secs = decimal(u % 60_000_000_000, 9);
    let (hours, minutes) = (seconds / 3600, seconds / 60 % 60);
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{secs}s")
    } else if seconds >= 60 {
        format!("{sign}{minutes}m{secs}s")
    } else {
        format!("{sign}{secs}s")
    }
}

/// `v / 10^digits` printed with its fraction, trailing zeros (and a bare point) dropped.
fn decimal(v: u128, digits: u32) -> String {
    let scale = 10u128.pow(digits);
    let (whole, fraction) = (v / scale, v % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0width$}", width = digits as usize);
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}
