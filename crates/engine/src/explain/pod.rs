//! What concerns the whole pod: deletion and its grace period, reasons set on the pod (Evicted,
//! DeadlineExceeded, NodeLost), scheduling, the terminal phases, readiness, and a phase that the
//! container statuses contradict.
//!
//! Start at [`explain`], which orders every sentence, most important first: deletion, the pod's
//! reason, scheduling (for a pod with no node, nothing else applies), the finished pod, the init
//! containers, the app containers (problems first), readiness, the phase check.

use k8s_openapi::jiff::{SignedDuration, Timestamp};

use super::containers::{explain_init, explain_regular};
use super::Context;
use crate::go::quote;
use crate::status::{
    container_should_restart, has_any_regular_container_started, is_restartable_init_container,
    is_terminal_phase, PHASE_FAILED, PHASE_PENDING, PHASE_RUNNING, PHASE_SUCCEEDED,
};
use crate::view::duration::human_duration;

/// `node.NodeUnreachablePodReason` (pkg/util/node): the reason on a pod whose node stopped
/// answering.
const NODE_LOST: &str = "NodeLost";
/// The eviction manager's reason (`Reason` in pkg/kubelet/eviction/helpers.go).
const EVICTED: &str = "Evicted";
/// The active deadline handler's reason and message (pkg/kubelet/active_deadline.go).
const DEADLINE_EXCEEDED: &str = "DeadlineExceeded";
/// API defaulting's `terminationGracePeriodSeconds`.
const DEFAULT_GRACE_PERIOD_SECONDS: i64 = 30;

/// Every sentence about the pod, most important first.
pub(super) fn explain(cx: &Context) -> Vec<String> {
    let mut out = Vec::new();
    deletion(cx, &mut out);
    pod_reason(cx, &mut out);
    if !cx.is_scheduled() {
        scheduling(cx, &mut out);
        phase_check(cx, &mut out);
        return out;
    }
    finished(cx, &mut out);
    let init = explain_init(cx);
    out.extend(init.sentences);
    let regular_started = has_any_regular_container_started(cx.spec, cx.container_statuses());
    if !init.blocked || regular_started {
        out.extend(explain_regular(cx));
    }
    out.extend(init.remarks);
    readiness(cx, &mut out);
    active_deadline(cx, &mut out);
    phase_check(cx, &mut out);
    out
}

fn given_phase<'a>(cx: &'a Context) -> &'a str {
    cx.status.phase.as_deref().unwrap_or_default()
}

fn reason<'a>(cx: &'a Context) -> &'a str {
    cx.status.reason.as_deref().unwrap_or_default()
}

fn message<'a>(cx: &'a Context) -> &'a str {
    cx.status.message.as_deref().unwrap_or_default().trim_end()
}

/// A quoted message that ends a sentence: Go's `%q`, then a full stop unless the message ends
/// with one.
fn quote_sentence(message: &str) -> String {
    if message.ends_with('.') {
        quote(message)
    } else {
        format!("{}.", quote(message))
    }
}

/// `in 12s` or `12s ago`.
fn relative(t: Timestamp, now: Timestamp) -> String {
    if t > now {
        format!("in {}", human_duration(t.duration_since(now)))
    } else {
        format!("{} ago", human_duration(now.duration_since(t)))
    }
}

/// A pod with `metadata.deletionTimestamp`. The API server sets it to the moment of deletion plus
/// the grace period (`BeforeDelete` in staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go)
/// and records the period in `deletionGracePeriodSeconds`; the kubelet stops each container with
/// that period (`killContainer`: the stop signal, then SIGKILL when it ends; a preStop hook runs
/// first and uses up the same period). A pod whose node is lost carries `NodeLost` and prints as
/// `Unknown` (`printPod`).
fn deletion(cx: &Context, out: &mut Vec<String>) {
    let Some(deletion) = cx.pod.metadata.deletion_timestamp.as_ref() else {
        return;
    };
    let deadline = deletion.0;
    if reason(cx) == NODE_LOST {
        let node = cx.spec.node_name.as_deref().unwrap_or_default();
        let said = if message(cx).is_empty() {
            String::new()
        } else {
            format!(": {}", message(cx))
        };
        out.push(format!(
            "The pod is being deleted, but its node {node} stopped responding (reason NodeLost{said}). No kubelet can confirm what its containers are doing, so kubectl shows the status Unknown; the pod object goes away once the node's kubelet answers again and finishes the deletion, or when the Node is deleted or the pod is force-deleted."
        ));
        return;
    }
    if is_terminal_phase(given_phase(cx)) {
        out.push(format!(
            "The pod is being deleted (metadata.deletionTimestamp is set). It has already finished ({}), so nothing is left to stop: once the kubelet has cleaned up, the pod object is removed.",
            given_phase(cx)
        ));
        return;
    }
    let grace = cx
        .pod
        .metadata
        .deletion_grace_period_seconds
        .or(cx.spec.termination_grace_period_seconds)
        .unwrap_or(DEFAULT_GRACE_PERIOD_SECONDS);
    if deadline > cx.now {
        out.push(format!(
            "The pod is being deleted: the kubelet sends each container its stop signal (SIGTERM, unless the image names another) and kills whatever still runs when the {grace}s grace period ends, at about {deadline} ({}).",
            relative(deadline, cx.now)
        ));
    } else {
        out.push(format!(
            "The pod is being deleted: the kubelet sent each container its stop signal (SIGTERM, unless the image names another) and kills whatever still ran when the {grace}s grace period ended, at about {deadline} ({}); the pod object is removed once the kubelet reports every container stopped.",
            relative(deadline, cx.now)
        ));
    }
    let with_pre_stop: Vec<&str> = cx
        .spec
        .containers
        .iter()
        .chain(cx.spec.init_containers.as_deref().unwrap_or_default())
        .filter(|c| c.lifecycle.as_ref().is_some_and(|l| l.pre_stop.is_some()))
        .map(|c| c.name.as_str())
        .collect();
    for name in with_pre_stop {
        out.push(format!(
            "Container {name} has a preStop hook: it runs before the stop signal and its time counts against the same grace period."
        ));
    }
    out.push("A terminating pod's endpoints are marked not ready, so Services stop sending it new traffic.".to_string());
}

/// A reason set on the whole pod: `Evicted` (the kubelet's eviction manager), `DeadlineExceeded`
/// (its active deadline handler), `NodeLost` without a deletion, or any other.
fn pod_reason(cx: &Context, out: &mut Vec<String>) {
    let message = message(cx);
    match reason(cx) {
        "" => {}
        NODE_LOST if cx.pod.metadata.deletion_timestamp.is_some() => {}
        EVICTED => {
            let cause = eviction_cause(message);
            out.push(format!(
                "The kubelet evicted the pod (reason Evicted) because {cause}: {} An evicted pod is Failed for good: its containers are stopped and never restarted, and a controller (a Deployment's ReplicaSet, a Job...) creates a replacement pod.",
                quote_sentence(message)
            ));
        }
        DEADLINE_EXCEEDED => {
            let limit = cx.spec.active_deadline_seconds;
            let start = cx.status.start_time.as_ref().map(|t| t.0);
            let timing = match (limit, start) {
                (Some(limit), Some(start)) => {
                    match start.checked_add(SignedDuration::from_secs(limit)) {
                        Ok(end) => format!(
                            ": it started at {start}, so its {limit}s ran out at {end} ({})",
                            relative(end, cx.now)
                        ),
                        Err(_) => String::new(),
                    }
                }
                (Some(limit), None) => format!(" ({limit}s)"),
                _ => String::new(),
            };
            out.push(format!(
                "The pod was active longer than its spec.activeDeadlineSeconds allows{timing}. The kubelet then stops its containers and marks it Failed with reason DeadlineExceeded ({}); a pod that failed this way is never restarted.",
                quote(message)
            ));
        }
        other => {
            let said = if message.is_empty() {
                String::new()
            } else {
                format!(": {}", quote(message))
            };
            out.push(format!(
                "The pod's status carries reason {other}{said}; kubectl shows that reason in its STATUS column instead of the phase."
            ));
        }
    }
}

/// The resource the eviction message names (`nodeLowMessageFmt`, `nodeConditionMessageFmt` and
/// the local-storage messages in pkg/kubelet/eviction/helpers.go).
fn eviction_cause(message: &str) -> String {
    let after = |prefix: &str| {
        message
            .find(prefix)
            .map(|i| &message[i + prefix.len()..])
            .and_then(|rest| rest.split_once('.'))
            .map(|(value, _)| value.to_string())
    };
    if let Some(resource) = after("The node was low on resource: ") {
        format!("the node ran short of {resource}")
    } else if let Some(condition) = after("The node had condition: ") {
        format!("the node had the condition {condition}")
    } else if message.contains("ephemeral local storage") || message.contains("EmptyDir volume") {
        "the pod used more local storage than its limits allow".to_string()
    } else {
        "the node was under resource pressure".to_string()
    }
}

/// A pod with no `spec.nodeName`: what the scheduler said in its `PodScheduled` condition
/// (`SchedulingGated` from the API server for a pod with `spec.schedulingGates`, pkg/registry/core/
/// pod/strategy.go; `Unschedulable` from the scheduler's failure handler, whose message starts
/// `0/N nodes are available:`).
fn scheduling(cx: &Context, out: &mut Vec<String>) {
    let gates: Vec<&str> = cx
        .spec
        .scheduling_gates
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    let condition = cx.condition("PodScheduled");
    let reason = condition
        .and_then(|c| c.reason.as_deref())
        .unwrap_or_default();
    let message = condition
        .and_then(|c| c.message.as_deref())
        .unwrap_or_default();
    if !gates.is_empty() || reason == "SchedulingGated" {
        let names = if gates.is_empty() {
            String::new()
        } else {
            format!(" ({})", gates.join(", "))
        };
        out.push(format!(
            "The pod is not scheduled yet: it has scheduling gates{names}, and the scheduler does not consider a pod until every entry of spec.schedulingGates has been removed (PodScheduled is False, reason SchedulingGated{}).",
            if message.is_empty() { String::new() } else { format!(": {}", quote(message)) }
        ));
        out.push("Whoever added the gates (usually a controller) removes them when the pod may be scheduled.".to_string());
    } else if reason == "Unschedulable" {
        out.push(format!(
            "The scheduler could not place the pod on any node (PodScheduled is False, reason Unschedulable): {}",
            quote_sentence(message)
        ));
        if let Some((available, total)) = nodes_available(message) {
            let passed = if available == 0 {
                "none".to_string()
            } else {
                available.to_string()
            };
            out.push(format!(
                "That is, {passed} of the cluster's {total} nodes passed every filter; the count before each reason is how many nodes that reason ruled out. The scheduler tries again whenever the cluster changes (a node joins, a pod ends, a taint or label changes)."
            ));
        }
        if message.contains("preemption:") {
            out.push("The part after \"preemption:\" says that evicting lower-priority pods would not make room either.".to_string());
        }
    } else if let Some(condition) = condition {
        out.push(format!(
            "The pod is not scheduled yet (PodScheduled is {}{}{}).",
            condition.status,
            if reason.is_empty() {
                String::new()
            } else {
                format!(", reason {reason}")
            },
            if message.is_empty() {
                String::new()
            } else {
                format!(": {}", quote(message))
            }
        ));
    } else {
        let scheduler = cx
            .spec
            .scheduler_name
            .as_deref()
            .unwrap_or("default-scheduler");
        let extra = if scheduler == "default-scheduler" {
            String::new()
        } else {
            format!(" It names the scheduler {scheduler}, which must be running to place it.")
        };
        out.push(format!(
            "The pod is not scheduled yet: spec.nodeName is empty and no scheduler has reported on it (there is no PodScheduled condition).{extra}"
        ));
    }
    if let Some(nominated) = cx
        .status
        .nominated_node_name
        .as_deref()
        .filter(|n| !n.is_empty())
    {
        out.push(format!(
            "status.nominatedNodeName is {nominated}: the scheduler is preempting pods there to make room, and binds the pod once they are gone."
        ));
    }
    out.push("Until a node is chosen no kubelet runs the pod, so it has no container statuses and stays Pending.".to_string());
}

/// `N/M nodes are available` at the start of a scheduler message.
fn nodes_available(message: &str) -> Option<(u64, u64)> {
    let (counts, _) = message.split_once(" nodes are available")?;
    let (available, total) = counts.split_once('/')?;
    Some((available.parse().ok()?, total.parse().ok()?))
}

/// A Succeeded or Failed pod with no reason of its own: why it finished.
fn finished(cx: &Context, out: &mut Vec<String>) {
    if !reason(cx).is_empty() {
        return;
    }
    let policy = cx.spec.restart_policy.as_deref().unwrap_or("Always");
    match cx.phase {
        PHASE_SUCCEEDED => out.push(format!(
            "The pod Succeeded: every container exited with code 0, and with restartPolicy {policy} a container that succeeded is not restarted. The pod runs nothing any more; its object stays until it is deleted."
        )),
        PHASE_FAILED if failed_init_container(cx).is_none() => out.push(format!(
            "The pod Failed: every container has stopped, at least one with a non-zero exit code, and none will be restarted (restartPolicy {policy}). A Failed pod never runs again; its object stays until it is deleted."
        )),
        _ => {}
    }
}

/// The first regular init container that failed and will not be retried.
fn failed_init_container<'a>(cx: &'a Context) -> Option<&'a str> {
    cx.spec
        .init_containers
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|c| !is_restartable_init_container(c))
        .find(|c| {
            let Some(status) = cx.init_statuses().iter().find(|s| s.name == c.name) else {
                return false;
            };
            let exit = status
                .state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .or_else(|| {
                    status
                        .last_state
                        .as_ref()
                        .and_then(|s| s.terminated.as_ref())
                })
                .map(|t| t.exit_code);
            exit.is_some_and(|code| {
                code != 0 && !container_should_restart(c, cx.spec, code, cx.gates)
            })
        })
        .map(|c| c.name.as_str())
}

/// A running pod that is not Ready: the recomputed `Ready` condition says why
/// (`GeneratePodReadyCondition`, pkg/kubelet/status/generate.go).
fn readiness(cx: &Context, out: &mut Vec<String>) {
    if cx.phase != PHASE_RUNNING || cx.pod.metadata.deletion_timestamp.is_some() {
        return;
    }
    let Some(ready) = cx.condition("Ready") else {
        return;
    };
    if ready.status == "True" {
        return;
    }
    let message = ready.message.as_deref().unwrap_or_default();
    match ready.reason.as_deref().unwrap_or_default() {
        "ReadinessGatesNotReady" => out.push(format!(
            "Every container is ready, but the pod is not Ready (reason ReadinessGatesNotReady: {message}). A pod is Ready only when every condition named in spec.readinessGates is True, and those conditions are set by another controller (a load balancer's, for example), never by the kubelet."
        )),
        "ContainersNotReady" => out.push(format!(
            "So the pod is not Ready (Ready is False, reason ContainersNotReady: {message}), and Services that select it send it no traffic until every container is ready."
        )),
        other => out.push(format!(
            "The pod is not Ready (Ready is {}, reason {other}{}).",
            ready.status,
            if message.is_empty() { String::new() } else { format!(": {message}") }
        )),
    }
}

/// A running pod with `spec.activeDeadlineSeconds`: when the kubelet will fail it
/// (`pastActiveDeadline` in pkg/kubelet/active_deadline.go counts from `status.startTime`).
fn active_deadline(cx: &Context, out: &mut Vec<String>) {
    let Some(limit) = cx.spec.active_deadline_seconds else {
        return;
    };
    if is_terminal_phase(cx.phase) || !reason(cx).is_empty() {
        return;
    }
    let Some(start) = cx.status.start_time.as_ref().map(|t| t.0) else {
        return;
    };
    let Ok(end) = start.checked_add(SignedDuration::from_secs(limit)) else {
        return;
    };
    out.push(format!(
        "spec.activeDeadlineSeconds is {limit}: the pod started at {start}, so the kubelet fails it with reason DeadlineExceeded at {end} ({}) if it is still active then.",
        relative(end, cx.now)
    ));
}

/// The given `status.phase` against the recomputed one.
fn phase_check(cx: &Context, out: &mut Vec<String>) {
    let given = given_phase(cx);
    if given == cx.phase {
        return;
    }
    let why = phase_reason(cx);
    if given.is_empty() {
        out.push(format!(
            "The status has no phase yet; from the container statuses the kubelet would publish {}: {why}.",
            cx.phase
        ));
    } else {
        out.push(format!(
            "status.phase says {given}, but the container statuses give {}: {why}. The phase shown was written before the containers last changed (the kubelet updates it at its next status sync) or was not written by a kubelet.",
            cx.phase
        ));
    }
}

/// Why `getPhase` (pkg/kubelet/kubelet_pods.go) gives the recomputed phase, in its own terms.
fn phase_reason(cx: &Context) -> &'static str {
    match cx.phase {
        PHASE_PENDING if !cx.is_scheduled() => "no node has been chosen for it",
        PHASE_PENDING => "some container has not started yet",
        PHASE_RUNNING => "at least one container is running, or has stopped and will be restarted",
        PHASE_SUCCEEDED => "every container exited with code 0 and none will be restarted",
        PHASE_FAILED if failed_init_container(cx).is_some() => {
            "an init container failed and will not be retried"
        }
        PHASE_FAILED => {
            "every container has stopped, at least one failed, and none will be restarted"
        }
        _ => "that is what the kubelet's rules give",
    }
}
