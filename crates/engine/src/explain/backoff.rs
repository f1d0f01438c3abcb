//! The kubelet's back-off arithmetic, and Go's duration syntax that its messages print it in.
//!
//! Start at [`crash_loop_backoff`]: how long the kubelet waits before restarting a container that
//! keeps exiting (flowcontrol `Backoff` as kubelet `doBackOff` drives it). The waiting message of a
//! container in `CrashLoopBackOff` carries the delay the kubelet really used
//! (`back-off 40s restarting failed container=...`); [`backoff_from_message`] reads it with
//! Go's `time.ParseDuration` ([`crate::go::parse_duration`]); Go's `Duration.String`
//! ([`crate::go::format_duration`]) prints a computed delay exactly as the kubelet would.

use k8s_openapi::jiff::SignedDuration;

pub use crate::go::{format_duration as format_go_duration, parse_duration as parse_go_duration};

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
