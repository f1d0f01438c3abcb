//! `kubectl get pods`: one row per pod (NAME, READY, STATUS, RESTARTS, AGE and, with `-o wide`,
//! IP, NODE, NOMINATED NODE, READINESS GATES) and the padded table kubectl prints.
//!
//! Start at [`pod_row`], which mirrors `printPod` in pkg/printers/internalversion/printers.go line
//! by line; [`format_table`] mirrors the human-readable table printer in
//! staging/src/k8s.io/cli-runtime/pkg/printers/tableprinter.go.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod, PodCondition};
use k8s_openapi::jiff::Timestamp;

use super::duration::{is_go_zero_time, since};
use super::tabwriter::TabWriter;

/// One row of `kubectl get pods`, every cell already formatted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodRow {
    pub name: String,
    /// `ready/total`, e.g. `1/2`.
    pub ready: String,
    /// The STATUS column, e.g. `Running`, `Init:0/2`, `CrashLoopBackOff`, `Terminating`.
    pub status: String,
    /// The RESTARTS column, e.g. `0` or `3 (10s ago)`.
    pub restarts: String,
    /// The AGE column, e.g. `5m` or `<unknown>`.
    pub age: String,
    /// `-o wide`: the first pod IP, or `<none>`.
    pub ip: String,
    /// `-o wide`: `spec.nodeName`, or `<none>`.
    pub node: String,
    /// `-o wide`: `status.nominatedNodeName`, or `<none>`.
    pub nominated_node: String,
    /// `-o wide`: `true/total` readiness gates, or `<none>`.
    pub readiness_gates: String,
    /// The table row conditions the server attaches (`Completed` for Succeeded and Failed pods);
    /// kubectl uses them to hide finished pods unless `--show-all`-style options ask for them.
    pub conditions: Vec<TableRowCondition>,
}

/// A `metav1.TableRowCondition` as `printPod` attaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRowCondition {
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

/// `podSuccessConditions` and `podFailedConditions` in pkg/printers/internalversion/printers.go.
fn row_conditions(phase: &str) -> Vec<TableRowCondition> {
    let (reason, message) = match phase {
        "Succeeded" => ("Succeeded", "The pod has completed successfully."),
        "Failed" => ("Failed", "The pod failed."),
        _ => return Vec::new(),
    };
    vec![TableRowCondition {
        type_: "Completed".to_string(),
        status: "True".to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
    }]
}

/// `podutil.IsRestartableInitContainer`: an init container with `restartPolicy: Always` (a sidecar).
fn is_restartable_init_container(c: Option<&Container>) -> bool {
    c.and_then(|c| c.restart_policy.as_deref()) == Some("Always")
}

/// `isPodInitializedConditionTrue`: the first `Initialized` condition decides.
fn is_pod_initialized_condition_true(conditions: &[PodCondition]) -> bool {
    conditions
        .iter()
        .find(|c| c.type_ == "Initialized")
        .is_some_and(|c| c.status == "True")
}

/// `hasPodReadyCondition`: any `Ready=True` condition.
fn has_pod_ready_condition(conditions: &[PodCondition]) -> bool {
    conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// The `finishedAt` of a container's last termination; Go reads a missing one as the zero time.
fn last_termination_finished_at(status: &ContainerStatus) -> Option<Option<Timestamp>> {
    let terminated = status.last_state.as_ref()?.terminated.as_ref()?;
    Some(terminated.finished_at.as_ref().map(|t| t.0))
}

/// `lastRestartDate.Before(&terminatedDate)` followed by the assignment, with `None` as Go's zero
/// time (which is before every real timestamp).
fn keep_latest(latest: &mut Option<Timestamp>, candidate: Option<Timestamp>) {
    let candidate = candidate.filter(|t| !is_go_zero_time(*t));
    if let Some(c) = candidate {
        if latest.is_none_or(|l| l < c) {
            *latest = Some(c);
        }
    }
}

/// Computes the `kubectl get pods` row for `pod` at time `now`.
///
/// Mirrors `printPod` in pkg/printers/internalversion/printers.go exactly:
/// * READY counts sidecars (init containers with `restartPolicy: Always`) in the total, and counts
///   a sidecar as ready in the init loop once it has started and is ready; a regular container is
///   ready when `ready && state.running`.
/// * STATUS starts at `status.reason` or the phase, becomes `SchedulingGated` for a
///   `PodScheduled/SchedulingGated` condition, then the init loop (`Init:<reason>`,
///   `Init:Signal:<n>`, `Init:ExitCode:<n>`, `Init:<i>/<n>`) and the main loop (last container
///   to first, so the first container's reason wins) refine it; `Completed` with a running ready
///   container turns into `Running` (pod Ready) or `NotReady`; a deleted pod shows `Unknown`
///   (reason `NodeLost`) or `Terminating` (not yet Succeeded/Failed).
/// * RESTARTS sums restart counts (init containers while initializing, otherwise sidecars and
///   regular containers) and appends `(<age> ago)` of the latest `lastState.terminated.finishedAt`.
/// * AGE is the human duration since `creationTimestamp`, or `<unknown>`.
pub fn pod_row(pod: &Pod, now: Timestamp) -> PodRow {
    let empty_status = Default::default();
    let status = pod.status.as_ref().unwrap_or(&empty_status);
    let empty_spec = Default::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty_spec);
    let conditions = status.conditions.as_deref().unwrap_or_default();
    let spec_init_containers = spec.init_containers.as_deref().unwrap_or_default();
    let init_statuses = status
        .init_container_statuses
        .as_deref()
        .unwrap_or_default();
    let container_statuses = status.container_statuses.as_deref().unwrap_or_default();

    let mut restarts: i64 = 0;
    let mut restartable_init_container_restarts: i64 = 0;
    let mut total_containers = spec.containers.len();
    let mut ready_containers = 0usize;
    let mut last_restart_date: Option<Timestamp> = None;
    let mut last_restartable_init_container_restart_date: Option<Timestamp> = None;

    let pod_phase = status.phase.clone().unwrap_or_default();
    let mut reason = pod_phase.clone();
    if let Some(r) = status.reason.as_deref().filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }

    // If the pod carries {type: PodScheduled, reason: SchedulingGated}, say so.
    for condition in conditions {
        if condition.type_ == "PodScheduled"
            && condition.reason.as_deref() == Some("SchedulingGated")
        {
            reason = "SchedulingGated".to_string();
        }
    }

    let row_conditions = row_conditions(&pod_phase);

    // A map by name, as Go's: with duplicate names the last one wins.
    let mut init_containers: BTreeMap<&str, &Container> = BTreeMap::new();
    for c in spec_init_containers {
        init_containers.insert(c.name.as_str(), c);
        if is_restartable_init_container(Some(c)) {
            total_containers += 1;
        }
    }

    let mut initializing = false;
    for (i, container) in init_statuses.iter().enumerate() {
        restarts += i64::from(container.restart_count);
        if let Some(finished) = last_termination_finished_at(container) {
            keep_latest(&mut last_restart_date, finished);
        }
        let spec_container = init_containers.get(container.name.as_str()).copied();
        let restartable = is_restartable_init_container(spec_container);
        if restartable {
            restartable_init_container_restarts += i64::from(container.restart_count);
            if let Some(finished) = last_termination_finished_at(container) {
                keep_latest(&mut last_restartable_init_container_restart_date, finished);
            }
        }
        let state = container.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting_reason = state
            .and_then(|s| s.waiting.as_ref())
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty() && *r != "PodInitializing");
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable && container.started == Some(true) {
            if container.ready {
                ready_containers += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            // Initialization failed.
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => match t.signal.unwrap_or(0) {
                    0 => format!("Init:ExitCode:{}", t.exit_code),
                    signal => format!("Init:Signal:{signal}"),
                },
            };
        } else if let Some(r) = waiting_reason {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{}/{}", i, spec_init_containers.len());
        }
        initializing = true;
        break;
    }

    if !initializing || is_pod_initialized_condition_true(conditions) {
        restarts = restartable_init_container_restarts;
        last_restart_date = last_restartable_init_container_restart_date;
        let mut has_running = false;
        for container in container_statuses.iter().rev() {
            restarts += i64::from(container.restart_count);
            if let Some(finished) = last_termination_finished_at(container) {
                keep_latest(&mut last_restart_date, finished);
            }
            let state = container.state.as_ref();
            let waiting_reason = state
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.as_deref())
                .filter(|r| !r.is_empty());
            let terminated = state.and_then(|s| s.terminated.as_ref());
            if let Some(r) = waiting_reason {
                reason = r.to_string();
            } else if let Some(t) = terminated {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None => match t.signal.unwrap_or(0) {
                        0 => format!("ExitCode:{}", t.exit_code),
                        signal => format!("Signal:{signal}"),
                    },
                };
            } else if container.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
                ready_containers += 1;
            }
        }

        // Back to "Running" if at least one container still reports running.
        if reason == "Completed" && has_running {
            reason = if has_pod_ready_condition(conditions) {
                "Running".to_string()
            } else {
                "NotReady".to_string()
            };
        }
    }

    let deleted = pod.metadata.deletion_timestamp.is_some();
    if deleted && status.reason.as_deref() == Some("NodeLost") {
        // node.NodeUnreachablePodReason
        reason = "Unknown".to_string();
    } else if deleted && pod_phase != "Succeeded" && pod_phase != "Failed" {
        reason = "Terminating".to_string();
    }

    let restarts_str = match last_restart_date {
        Some(date) if restarts != 0 => format!("{restarts} ({} ago)", since(Some(date), now)),
        _ => restarts.to_string(),
    };

    let creation = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);

    let pod_ip = status
        .pod_ips
        .as_deref()
        .and_then(|ips| ips.first())
        .map(|ip| ip.ip.clone())
        .unwrap_or_default();
    let readiness_gates = match spec.readiness_gates.as_deref() {
        Some(gates) if !gates.is_empty() => {
            let true_conditions = gates
                .iter()
                .filter(|gate| {
                    conditions
                        .iter()
                        .find(|c| c.type_ == gate.condition_type)
                        .is_some_and(|c| c.status == "True")
                })
                .count();
            format!("{true_conditions}/{}", gates.len())
        }
        _ => "<none>".to_string(),
    };

    PodRow {
        name: pod.metadata.name.clone().unwrap_or_default(),
        ready: format!("{ready_containers}/{total_containers}"),
        status: reason,
        restarts: restarts_str,
        age: since(creation, now),
        ip: or_none(pod_ip),
        node: or_none(spec.node_name.clone().unwrap_or_default()),
        nominated_node: or_none(status.nominated_node_name.clone().unwrap_or_default()),
        readiness_gates,
        conditions: row_conditions,
    }
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s
    }
}

/// One cell as the table printer writes it: cut at the first newline, carriage return or form
/// feed (with `...` appended), and terminal escapes made harmless (`printers.WriteEscaped`).
fn table_cell(cell: &str) -> String {
    let (text, truncated) = match cell.find(['\u{0c}', '\n', '\r']) {
        Some(i) => (&cell[..i], true),
        None => (cell, false),
    };
    let mut out = escape_terminal(text);
    if truncated {
        out.push_str("...");
    }
    out
}

/// `printers.WriteEscaped` in staging/src/k8s.io/cli-runtime/pkg/printers/terminal.go: ESC
/// becomes `^[` and a carriage return becomes `\r`.
pub(crate) fn escape_terminal(text: &str) -> String {
    text.replace('\u{1b}', "^[").replace('\r', "\\r")
}

/// Prints `rows` as `kubectl get pods` (or `kubectl get pods -o wide`) does: an upper-case
/// header and one line per pod, columns padded by kubectl's tabwriter (minimum width 6, three
/// spaces after the widest cell; the last column unpadded), each line ending in a newline.
///
/// Mirrors `printTable` in staging/src/k8s.io/cli-runtime/pkg/printers/tableprinter.go with the
/// tabwriter settings of `GetNewTabWriter` in staging/src/k8s.io/cli-runtime/pkg/printers/tabwriter.go.
pub fn format_table(rows: &[PodRow], wide: bool) -> String {
    let mut headers = vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
    if wide {
        headers.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    }
    let mut w = TabWriter::new(6, 3);
    w.write(&headers.join("\t"));
    w.write("\n");
    for row in rows {
        let mut cells = vec![&row.name, &row.ready, &row.status, &row.restarts, &row.age];
        if wide {
            cells.extend([
                &row.ip,
                &row.node,
                &row.nominated_node,
                &row.readiness_gates,
            ]);
        }
        let line: Vec<String> = cells.iter().map(|c| table_cell(c)).collect();
        w.write(&line.join("\t"));
        w.write("\n");
    }
    w.finish()
}
