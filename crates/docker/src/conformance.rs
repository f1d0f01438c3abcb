//! Simulation against reality: a run's trace reduced to what both runtimes must agree on, and
//! the differences between two such reductions. What is compared:
//!
//! - per pod, the sequence of its phases;
//! - per container, the sequence of its states as the status shows them (waiting with its
//!   reason, running, terminated with its reason, exit code and termination message), each
//!   with the restart count;
//! - per container, its log lines in order.
//!
//! Consecutive repeats are dropped, so a sequence is the changes. Each change has a time; two
//! runs agree when the sequences are equal and each pair of matching changes is within
//! [`Tolerance`] of each other. Event messages, ids, IPs and timestamps are not compared.
//!
//! Start at [`normalize`], then [`compare`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ContainerStatus;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::time::Time;

/// How far apart in time two matching changes may be: `absolute_ms`, plus `relative` of the
/// later time. The default, 2 s + 10 %, covers Docker's latency (a sandbox or a container start
/// takes a few hundred milliseconds) and the kubelet's one-second PLEG relist, on top of which
/// a real engine's and the simulation's clocks never quite line up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    pub absolute_ms: u64,
    pub relative: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance {
            absolute_ms: 2_000,
            relative: 0.10,
        }
    }
}

impl std::fmt::Display for Tolerance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}s + {}%",
            self.absolute_ms as f64 / 1000.0,
            (self.relative * 100.0).round()
        )
    }
}

impl Tolerance {
    fn allows(&self, a: Time, b: Time) -> bool {
        let later = a.max(b).as_millis() as f64;
        let gap = a.max(b).millis_since(a.min(b)) as f64;
        gap <= self.absolute_ms as f64 + self.relative * later
    }
}

/// A value and when it was first seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timed {
    pub t: Time,
    pub value: String,
}

/// A run reduced to what runtimes must agree on. Keys are pod names and `pod/container`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    pub phases: BTreeMap<String, Vec<Timed>>,
    pub states: BTreeMap<String, Vec<Timed>>,
    pub logs: BTreeMap<String, Vec<String>>,
}

/// Reduces a trace (see the module documentation).
pub fn normalize(trace: &[Record]) -> Normalized {
    let mut n = Normalized::default();
    for r in trace {
        match r {
            Record::Pod { t, pod } => {
                let name = pod.metadata.name.clone().unwrap_or_default();
                let Some(status) = &pod.status else { continue };
                if let Some(phase) = &status.phase {
                    push_change(n.phases.entry(name.clone()).or_default(), *t, phase.clone());
                }
                let statuses = status
                    .init_container_statuses
                    .iter()
                    .flatten()
                    .chain(status.container_statuses.iter().flatten());
                for cs in statuses {
                    let key = format!("{name}/{}", cs.name);
                    push_change(n.states.entry(key).or_default(), *t, state_of(cs));
                }
            }
            Record::Log {
                pod,
                container,
                line,
                ..
            } => n
                .logs
                .entry(format!("{pod}/{container}"))
                .or_default()
                .push(line.clone()),
            _ => {}
        }
    }
    n
}

fn push_change(list: &mut Vec<Timed>, t: Time, value: String) {
    if list.last().map(|l| &l.value) != Some(&value) {
        list.push(Timed { t, value });
    }
}

/// A container status as the comparison reads it: `waiting ContainerCreating, restarts 0`,
/// `running, restarts 1`, `terminated Error (exit 1), restarts 2`, with the termination message
/// when there is one (`terminated Error (exit 2): "disk full\n", restarts 0`).
fn state_of(cs: &ContainerStatus) -> String {
    let state = cs.state.as_ref();
    let what = if let Some(w) = state.and_then(|s| s.waiting.as_ref()) {
        format!("waiting {}", w.reason.as_deref().unwrap_or(""))
    } else if state.and_then(|s| s.running.as_ref()).is_some() {
        "running".to_string()
    } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
        let message = match t.message.as_deref() {
            Some(m) if !m.is_empty() => format!(": {:?}", m),
            _ => String::new(),
        };
        format!(
            "terminated {} (exit {}){message}",
            t.reason.as_deref().unwrap_or(""),
            t.exit_code
        )
    } else {
        "unknown".to_string()
    };
    format!("{what}, restarts {}", cs.restart_count)
}

/// Where `b` (Docker) differs from `a` (the mock), one sentence each, in key order.
pub fn compare(a: &Normalized, b: &Normalized, tolerance: Tolerance) -> Vec<String> {
    let mut out = Vec::new();
    compare_timed("pod", "phases", &a.phases, &b.phases, tolerance, &mut out);
    compare_timed(
        "container",
        "states",
        &a.states,
        &b.states,
        tolerance,
        &mut out,
    );
    for key in keys(&a.logs, &b.logs) {
        let (la, lb) = (
            a.logs.get(key).cloned().unwrap_or_default(),
            b.logs.get(key).cloned().unwrap_or_default(),
        );
        if la != lb {
            out.push(format!(
                "container {key}: log lines {la:?} on the mock, {lb:?} on Docker"
            ));
        }
    }
    out
}

fn keys<'a, V>(a: &'a BTreeMap<String, V>, b: &'a BTreeMap<String, V>) -> Vec<&'a String> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys
}

fn compare_timed(
    kind: &str,
    what: &str,
    a: &BTreeMap<String, Vec<Timed>>,
    b: &BTreeMap<String, Vec<Timed>>,
    tolerance: Tolerance,
    out: &mut Vec<String>,
) {
    for key in keys(a, b) {
        let (sa, sb) = (
            a.get(key).map(Vec::as_slice).unwrap_or_default(),
            b.get(key).map(Vec::as_slice).unwrap_or_default(),
        );
        let values = |s: &[Timed]| s.iter().map(|t| t.value.clone()).collect::<Vec<_>>();
        if values(sa) != values(sb) {
            out.push(format!(
                "{kind} {key}: {what} {:?} on the mock, {:?} on Docker",
                values(sa),
                values(sb)
            ));
            continue;
        }
        for (ta, tb) in sa.iter().zip(sb) {
            if !tolerance.allows(ta.t, tb.t) {
                out.push(format!(
                    "{kind} {key}: {:?} at {} on the mock, at {} on Docker (beyond {tolerance})",
                    ta.value, ta.t, tb.t
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(list: &[(u64, &str)]) -> Vec<Timed> {
        list.iter()
            .map(|(t, v)| Timed {
                t: Time::from_millis(*t),
                value: v.to_string(),
            })
            .collect()
    }

    #[test]
    fn equal_sequences_within_the_tolerance_agree() {
        let mut a = Normalized::default();
        a.phases
            .insert("p".into(), timed(&[(0, "Pending"), (1_000, "Running")]));
        let mut b = a.clone();
        b.phases
            .insert("p".into(), timed(&[(0, "Pending"), (2_900, "Running")]));
        assert_eq!(compare(&a, &b, Tolerance::default()), Vec::<String>::new());
    }

    #[test]
    fn a_late_change_and_a_different_sequence_are_reported() {
        let mut a = Normalized::default();
        a.phases
            .insert("p".into(), timed(&[(0, "Pending"), (1_000, "Running")]));
        a.states
            .insert("p/c".into(), timed(&[(0, "running, restarts 0")]));
        let mut b = a.clone();
        b.phases
            .insert("p".into(), timed(&[(0, "Pending"), (9_000, "Running")]));
        b.states.insert(
            "p/c".into(),
            timed(&[
                (0, "running, restarts 0"),
                (5_000, "terminated Error (exit 1), restarts 0"),
            ]),
        );
        assert_eq!(
            compare(&a, &b, Tolerance::default()),
            [
                "pod p: \"Running\" at 1s on the mock, at 9s on Docker (beyond 2s + 10%)",
                "container p/c: states [\"running, restarts 0\"] on the mock, [\"running, restarts 0\", \"terminated Error (exit 1), restarts 0\"] on Docker",
            ]
        );
    }
}
