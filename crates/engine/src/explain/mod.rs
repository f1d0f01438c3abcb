//! Why a pod is in its state, in plain words: the kubectl columns of the pod as given, the phase
//! and conditions the kubelet would compute from it, and the reasons behind them, each sentence
//! grounded in a Kubernetes rule and with its numbers computed.
//!
//! Start at [`explain_pod`]. It recomputes the phase ([`crate::status::get_phase_for_pod`], then
//! [`crate::status::resolve_phase`]) and the kubelet's conditions
//! ([`crate::status::pod_conditions`]) from the pod's spec and container statuses, as
//! `generateAPIPodStatus` in pkg/kubelet/kubelet_pods.go would, then writes the explanation:
//! `pod` says what concerns the whole pod (deletion, eviction, deadline, scheduling, phase),
//! `containers` what concerns each container (waiting reasons, crash loops, exit codes,
//! probes), and [`backoff`] holds the kubelet's back-off arithmetic and Go's duration syntax.

pub mod backoff;
mod containers;
mod pod;

use k8s_openapi::api::core::v1::{ContainerStatus, Pod, PodCondition, PodSpec, PodStatus};
use k8s_openapi::jiff::Timestamp;
use serde::Serialize;

use crate::api::defaults::default_pod;
use crate::status::{
    generate_api_pod_status, is_terminal_phase, FeatureGates, PodSandbox, StatusInput,
};
use crate::view::get::pod_row;

pub use backoff::{
    backoff_from_message, crash_loop_backoff, format_go_duration, parse_go_duration,
};

/// Why a pod is in its state. Serialized (the CLI's JSON output) as
/// `{"name","ready","status","restarts","age","phase","conditions":[{"type","status","reason",
/// "message"}],"explanation":[...]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub name: String,
    /// The READY column of `kubectl get pods`, for the pod as given.
    pub ready: String,
    /// The STATUS column, for the pod as given.
    pub status: String,
    /// The RESTARTS column, for the pod as given.
    pub restarts: String,
    /// The AGE column, for the pod as given.
    pub age: String,
    /// The phase the kubelet would publish for this spec and these container statuses.
    pub phase: String,
    /// The pod's conditions as the kubelet would publish them, in its order. For a pod no node
    /// has been chosen for, no kubelet runs it: these are the conditions as given (the
    /// scheduler's `PodScheduled`).
    pub conditions: Vec<ExplainedCondition>,
    /// The reasons, in plain words, most important first.
    pub explanation: Vec<String>,
}

/// One pod condition. `reason` and `message` are `None` (JSON `null`) when empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedCondition {
    #[serde(rename = "type")]
    pub r#type: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
}

impl ExplainedCondition {
    fn from_pod_condition(condition: &PodCondition) -> Self {
        let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        ExplainedCondition {
            r#type: condition.type_.clone(),
            status: condition.status.clone(),
            reason: non_empty(&condition.reason),
            message: non_empty(&condition.message),
        }
    }
}

/// Everything the sentence writers read: the pod as given, its defaulted spec (restart policy,
/// probe timings), its status, the recomputed phase and conditions, and `now`.
pub(crate) struct Context<'a> {
    pub pod: &'a Pod,
    pub spec: &'a PodSpec,
    pub status: &'a PodStatus,
    pub phase: &'a str,
    pub conditions: &'a [ExplainedCondition],
    pub gates: &'a FeatureGates,
    pub now: Timestamp,
}

impl Context<'_> {
    pub fn init_statuses(&self) -> &[ContainerStatus] {
        self.status
            .init_container_statuses
            .as_deref()
            .unwrap_or_default()
    }

    pub fn container_statuses(&self) -> &[ContainerStatus] {
        self.status
            .container_statuses
            .as_deref()
            .unwrap_or_default()
    }

    pub fn condition(&self, type_: &str) -> Option<&ExplainedCondition> {
        self.conditions.iter().find(|c| c.r#type == type_)
    }

    /// The pod's name, as `kubectl logs` wants it.
    pub fn pod_name(&self) -> &str {
        self.pod.metadata.name.as_deref().unwrap_or_default()
    }

    pub fn is_scheduled(&self) -> bool {
        self.pod
            .spec
            .as_ref()
            .and_then(|spec| spec.node_name.as_deref())
            .is_some_and(|node| !node.is_empty())
    }
}

/// Explains why `pod` (as `kubectl get pod -o yaml` prints it, status included) is in its state,
/// at time `now`.
///
/// The kubectl columns come from [`pod_row`] on the pod as given. The phase is recomputed with the
/// kubelet's inputs: the pod is defaulted first (on a clone, as the API server would have stored
/// it); the init and regular container statuses are taken as given; `podIsTerminal` holds when the
/// given phase is Succeeded or Failed; `podHasInitialized` when a regular container has started
/// ([`has_any_regular_container_started`]); the terminal phase stays sticky ([`resolve_phase`],
/// with the given status as both the kubelet's last status and the API server's). The conditions
/// are [`pod_conditions`] for that phase, with the sandbox read from the pod's IP: a pod with
/// `status.podIP` has a ready sandbox with an IP, any other has none, and a pod whose given phase
/// is Succeeded or Failed has a stopped one (the kubelet stops a finished pod's sandbox). A pod without
/// `spec.nodeName` is run by no kubelet, so its conditions are the ones given.
pub fn explain_pod(pod: &Pod, now: Timestamp) -> Explanation {
    let row = pod_row(pod, now);

    let mut defaulted = pod.clone();
    default_pod(&mut defaulted);
    let empty_spec = PodSpec::default();
    let spec = defaulted.spec.as_ref().unwrap_or(&empty_spec);
    let status = pod.status.clone().unwrap_or_default();
    let gates = FeatureGates::default();

    let init_statuses = status.init_container_statuses.as_deref();
    let regular_statuses = status.container_statuses.as_deref();
    let given_phase = status.phase.as_deref().unwrap_or_default();
    let pod_is_terminal = is_terminal_phase(given_phase);

    let has_ip = status.pod_ip.as_deref().is_some_and(|ip| !ip.is_empty())
        || status.pod_ips.as_deref().is_some_and(|ips| !ips.is_empty());
    // A finished pod's sandbox has been stopped (the pod worker's `SyncTerminatingPod` kills
    // the pod, sandbox included), though `status.podIP` keeps its last address.
    let sandbox = if pod_is_terminal {
        PodSandbox::NotReady
    } else if has_ip {
        PodSandbox::Ready { has_ip: true }
    } else {
        PodSandbox::Missing
    };
    let generated = generate_api_pod_status(&StatusInput {
        pod: &defaulted,
        old_status: &status,
        init_container_statuses: init_statuses,
        container_statuses: regular_statuses,
        pod_is_terminal,
        sandbox,
        gates: &gates,
    });
    let phase = generated.phase.phase;

    let scheduled = pod
        .spec
        .as_ref()
        .and_then(|spec| spec.node_name.as_deref())
        .is_some_and(|node| !node.is_empty());
    // A pod no node has been chosen for is run by no kubelet: its conditions are the ones given.
    let conditions: Vec<ExplainedCondition> = if scheduled {
        generated
            .conditions
            .iter()
            .map(ExplainedCondition::from_pod_condition)
            .collect()
    } else {
        status
            .conditions
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(ExplainedCondition::from_pod_condition)
            .collect()
    };

    let context = Context {
        pod,
        spec,
        status: &status,
        phase: &phase,
        conditions: &conditions,
        gates: &gates,
        now,
    };
    let explanation = pod::explain(&context);

    Explanation {
        name: row.name,
        ready: row.ready,
        status: row.status,
        restarts: row.restarts,
        age: row.age,
        phase,
        conditions,
        explanation,
    }
}

/// `1 time`, `3 times`.
pub(crate) fn times(n: i64) -> String {
    if n == 1 {
        "1 time".to_string()
    } else {
        format!("{n} times")
    }
}

/// `1 restart`, `3 restarts`.
pub(crate) fn count(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
