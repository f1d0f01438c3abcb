//! The kubelet-owned pod conditions: pkg/kubelet/status/generate.go, and the list
//! `generateAPIPodStatus` (pkg/kubelet/kubelet_pods.go) builds from them.
//!
//! Start at [`pod_conditions`], which returns a pod's whole condition list in the kubelet's
//! order. Each `generate_*` function is one condition, mirroring the Go function of the same name.
//! No condition carries a timestamp: the caller sets `lastTransitionTime` (and keeps the old one
//! while the status is unchanged).

use k8s_openapi::api::core::v1::{
    Container, ContainerStatus, Pod, PodCondition, PodSpec, PodStatus,
};

use super::phase::{find_status, is_restartable_init_container};
use super::{FeatureGates, PHASE_FAILED, PHASE_SUCCEEDED};
use crate::go::quote as go_quote;

/// Condition types (`v1.PodConditionType`).
pub const POD_READY_TO_START_CONTAINERS: &str = "PodReadyToStartContainers";
pub const POD_INITIALIZED: &str = "Initialized";
pub const POD_READY: &str = "Ready";
pub const CONTAINERS_READY: &str = "ContainersReady";
pub const POD_SCHEDULED: &str = "PodScheduled";
pub const DISRUPTION_TARGET: &str = "DisruptionTarget";

/// Condition reasons (the constants at the top of pkg/kubelet/status/generate.go).
pub const UNKNOWN_CONTAINER_STATUSES: &str = "UnknownContainerStatuses";
pub const POD_COMPLETED: &str = "PodCompleted";
pub const POD_FAILED: &str = "PodFailed";
pub const CONTAINERS_NOT_READY: &str = "ContainersNotReady";
pub const CONTAINERS_NOT_INITIALIZED: &str = "ContainersNotInitialized";
pub const READINESS_GATES_NOT_READY: &str = "ReadinessGatesNotReady";

/// `PodSandboxNotReadyReason` in pkg/kubelet/types/constants.go: the reason of a False
/// `PodReadyToStartContainers`.
pub const POD_SANDBOX_NOT_READY: &str = "PodSandboxNotReady";
/// `PodSandboxNotReadyMsgNoPodSandbox`.
pub const NO_POD_SANDBOX_MESSAGE: &str = "no pod sandbox exists";
/// `PodSandboxNotReadyMsgNoIPAddress`.
pub const POD_SANDBOX_NO_IP_MESSAGE: &str = "pod sandbox has no IP address";

const TRUE: &str = "True";
const FALSE: &str = "False";

/// The state of a pod's sandbox (its pause container and network namespace), all that
/// `PodReadyToStartContainers` depends on. It stands for the runtime's sandbox statuses that
/// `PodSandboxChanged` (pkg/kubelet/kuberuntime/util/util.go) reads. A podplay sandbox is always
/// created for the pod's current network mode, and a pod never has more than one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodSandbox {
    /// There is no sandbox: it has not been created yet, or it has been removed.
    Missing,
    /// The newest sandbox exists but is not ready (it has been stopped).
    NotReady,
    /// The newest sandbox is ready. `has_ip` says whether networking gave it an IP address; a
    /// `hostNetwork` pod never needs one.
    Ready { has_ip: bool },
}

/// Everything [`pod_conditions`] reads, named as `generateAPIPodStatus` names it.
#[derive(Clone, Copy, Debug)]
pub struct ConditionsInput<'a> {
    /// The pod as the API server has it: its spec, `metadata.generation` and
    /// `status.conditions` (readiness-gate conditions set by other controllers live there).
    pub pod: &'a Pod,
    /// The status the kubelet last published for this pod, or the API server's `pod.status` if it
    /// has published none (`oldPodStatus`).
    pub old_status: &'a PodStatus,
    /// The init container statuses just built (`s.InitContainerStatuses`).
    pub init_container_statuses: Option<&'a [ContainerStatus]>,
    /// The regular container statuses just built (`s.ContainerStatuses`).
    pub container_statuses: Option<&'a [ContainerStatus]>,
    /// The phase being published, after [`super::resolve_phase`].
    pub phase: &'a str,
    /// The pod's sandbox, for `PodReadyToStartContainers`.
    pub sandbox: PodSandbox,
    pub gates: &'a FeatureGates,
}

/// The pod's condition list as `generateAPIPodStatus` builds it. The conditions not owned by the
/// kubelet come first, in their order in `pod.status.conditions`. Next comes `DisruptionTarget`,
/// copied from `old_status` (replacing one already in the list, else appended). Last come the
/// kubelet-owned conditions: `PodReadyToStartContainers` (behind its gate), `Initialized`, `Ready`,
/// `ContainersReady` and `PodScheduled`. `Ready` sees the readiness-gate conditions among
/// everything before it.
///
/// Not generated here: the in-place resize conditions (`PodResizePending`,
/// `PodResizeInProgress`), which come from the status manager, and `AllContainersRestarting`
/// (alpha gate `RestartAllContainersOnContainerExits`).
pub fn pod_conditions(input: &ConditionsInput) -> Vec<PodCondition> {
    let ConditionsInput {
        pod,
        old_status,
        phase,
        gates,
        ..
    } = *input;

    let mut conditions: Vec<PodCondition> = pod
        .status
        .as_ref()
        .and_then(|status| status.conditions.as_deref())
        .unwrap_or_default()
        .iter()
        .filter(|condition| !condition_owned_by_kubelet(&condition.type_, gates))
        .cloned()
        .collect();

    if let Some(disruption) = old_status
        .conditions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|condition| condition.type_ == DISRUPTION_TARGET)
    {
        match conditions
            .iter_mut()
            .find(|condition| condition.type_ == DISRUPTION_TARGET)
        {
            Some(existing) => *existing = disruption.clone(),
            None => conditions.push(disruption.clone()),
        }
    }

    // `append(s.InitContainerStatuses, s.ContainerStatuses...)`: nil only when there are no init
    // container statuses and nothing to append.
    let all_statuses: Option<Vec<ContainerStatus>> =
        match (input.init_container_statuses, input.container_statuses) {
            (None, None) | (None, Some([])) => None,
            (init, regular) => Some(
                init.unwrap_or_default()
                    .iter()
                    .chain(regular.unwrap_or_default())
                    .cloned()
                    .collect(),
            ),
        };
    let all_statuses = all_statuses.as_deref();

    if gates.pod_ready_to_start_containers_condition {
        conditions.push(generate_pod_ready_to_start_containers_condition(
            pod,
            old_status,
            input.sandbox,
            gates,
        ));
    }
    conditions.push(generate_pod_initialized_condition(
        pod,
        old_status,
        all_statuses,
        phase,
        gates,
    ));
    let ready =
        generate_pod_ready_condition(pod, old_status, &conditions, all_statuses, phase, gates);
    conditions.push(ready);
    conditions.push(generate_containers_ready_condition(
        pod,
        old_status,
        all_statuses,
        phase,
        gates,
    ));
    conditions.push(generate_pod_scheduled_condition(pod, old_status, gates));
    conditions
}

/// Whether the kubelet owns (and so regenerates rather than preserves) a condition type.
/// Mirrors `PodConditionByKubelet` in pkg/kubelet/types/pod_status.go.
fn condition_owned_by_kubelet(condition_type: &str, gates: &FeatureGates) -> bool {
    matches!(
        condition_type,
        POD_SCHEDULED | POD_READY | POD_INITIALIZED | CONTAINERS_READY
    ) || (gates.pod_ready_to_start_containers_condition
        && condition_type == POD_READY_TO_START_CONTAINERS)
}

/// `ContainersReady`: every sidecar and regular container is ready. Mirrors
/// `GenerateContainersReadyCondition` in pkg/kubelet/status/generate.go.
///
/// `statuses` holds the init and regular container statuses together; `None` is Go's nil slice
/// (no statuses at all), which gives `UnknownContainerStatuses`. Sidecars are checked first, in spec
/// order, then regular containers; a container without a status is "unknown". A Succeeded pod
/// (with every status known) reads `PodCompleted`, a Failed one `PodFailed`.
pub fn generate_containers_ready_condition(
    pod: &Pod,
    old_status: &PodStatus,
    statuses: Option<&[ContainerStatus]>,
    phase: &str,
    gates: &FeatureGates,
) -> PodCondition {
    let generation = observed_generation(pod, old_status, CONTAINERS_READY, gates);
    let Some(statuses) = statuses else {
        return condition(
            CONTAINERS_READY,
            FALSE,
            UNKNOWN_CONTAINER_STATUSES,
            "",
            generation,
        );
    };
    let spec = spec_of(pod);
    let sidecars = init_containers(spec).filter(|c| is_restartable_init_container(c));
    let mut unknown = Vec::new();
    let mut unready = Vec::new();
    for container in sidecars.chain(spec.containers.iter()) {
        match find_status(statuses, &container.name) {
            Some(status) if !status.ready => unready.push(container.name.as_str()),
            Some(_) => {}
            None => unknown.push(container.name.as_str()),
        }
    }

    if phase == PHASE_SUCCEEDED && unknown.is_empty() {
        return condition(CONTAINERS_READY, FALSE, POD_COMPLETED, "", generation);
    }
    if phase == PHASE_FAILED {
        // The containers may still be terminating.
        return condition(CONTAINERS_READY, FALSE, POD_FAILED, "", generation);
    }

    let mut messages = Vec::new();
    if !unknown.is_empty() {
        messages.push(format!(
            "containers with unknown status: {}",
            crate::go::string_list(&unknown)
        ));
    }
    if !unready.is_empty() {
        messages.push(format!(
            "containers with unready status: {}",
            crate::go::string_list(&unready)
        ));
    }
    if messages.is_empty() {
        condition(CONTAINERS_READY, TRUE, "", "", generation)
    } else {
        condition(
            CONTAINERS_READY,
            FALSE,
            CONTAINERS_NOT_READY,
            &messages.join(", "),
            generation,
        )
    }
}

/// `Ready`: every container is ready and every readiness gate's condition is True. Mirrors
/// `GeneratePodReadyCondition` in pkg/kubelet/status/generate.go.
///
/// While `ContainersReady` is not True, `Ready` copies its status, reason and message. Otherwise
/// each readiness gate is looked up by type in `conditions` (the pod's conditions as built so far):
/// a missing one and one not True each add a message, and any message gives
/// `ReadinessGatesNotReady`.
pub fn generate_pod_ready_condition(
    pod: &Pod,
    old_status: &PodStatus,
    conditions: &[PodCondition],
    statuses: Option<&[ContainerStatus]>,
    phase: &str,
    gates: &FeatureGates,
) -> PodCondition {
    let generation = observed_generation(pod, old_status, POD_READY, gates);
    let containers_ready =
        generate_containers_ready_condition(pod, old_status, statuses, phase, gates);
    if containers_ready.status != TRUE {
        return PodCondition {
            type_: POD_READY.to_string(),
            observed_generation: generation,
            ..containers_ready
        };
    }

    let mut messages = Vec::new();
    for gate in spec_of(pod).readiness_gates.as_deref().unwrap_or_default() {
        let gate_type = &gate.condition_type;
        match conditions.iter().find(|c| &c.type_ == gate_type) {
            None => messages.push(format!(
                "corresponding condition of pod readiness gate {} does not exist.",
                go_quote(gate_type)
            )),
            Some(c) if c.status != TRUE => messages.push(format!(
                "the status of pod readiness gate {} is not \"True\", but {}",
                go_quote(gate_type),
                c.status
            )),
            Some(_) => {}
        }
    }
    if messages.is_empty() {
        condition(POD_READY, TRUE, "", "", generation)
    } else {
        condition(
            POD_READY,
            FALSE,
            READINESS_GATES_NOT_READY,
            &messages.join(", "),
            generation,
        )
    }
}

/// `Initialized`: every init container has done its part. Mirrors
/// `GeneratePodInitializedCondition` in pkg/kubelet/status/generate.go.
///
/// A regular init container is done when `ready` (it exited 0), a sidecar when `started`. A
/// Succeeded pod reads `PodCompleted`. Once any regular container has run
/// ([`has_any_regular_container_started`]) the pod stays Initialized while its sidecars restart.
/// With `RestartAllContainersOnContainerExits` on, a pod whose old status is Initialized stays so
/// while its init containers run again.
pub fn generate_pod_initialized_condition(
    pod: &Pod,
    old_status: &PodStatus,
    statuses: Option<&[ContainerStatus]>,
    phase: &str,
    gates: &FeatureGates,
) -> PodCondition {
    let generation = observed_generation(pod, old_status, POD_INITIALIZED, gates);
    let spec = spec_of(pod);
    if statuses.is_none() && init_containers(spec).next().is_some() {
        return condition(
            POD_INITIALIZED,
            FALSE,
            UNKNOWN_CONTAINER_STATUSES,
            "",
            generation,
        );
    }
    let all = statuses.unwrap_or_default();

    let mut unknown = Vec::new();
    let mut incomplete = Vec::new();
    for container in init_containers(spec) {
        let Some(status) = find_status(all, &container.name) else {
            unknown.push(container.name.as_str());
            continue;
        };
        let done = if is_restartable_init_container(container) {
            status.started == Some(true)
        } else {
            status.ready
        };
        if !done {
            incomplete.push(container.name.as_str());
        }
    }

    if phase == PHASE_SUCCEEDED && unknown.is_empty() {
        return condition(POD_INITIALIZED, TRUE, POD_COMPLETED, "", generation);
    }
    if has_any_regular_container_started(spec, all) {
        return condition(POD_INITIALIZED, TRUE, "", "", generation);
    }

    let mut messages = Vec::new();
    if !unknown.is_empty() {
        messages.push(format!(
            "containers with unknown status: {}",
            crate::go::string_list(&unknown)
        ));
    }
    if !incomplete.is_empty() {
        messages.push(format!(
            "containers with incomplete status: {}",
            crate::go::string_list(&incomplete)
        ));
    }
    if messages.is_empty() {
        return condition(POD_INITIALIZED, TRUE, "", "", generation);
    }
    // A pod restarting in place stays initialized.
    if gates.restart_all_containers_on_container_exits
        && old_status
            .conditions
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == POD_INITIALIZED && c.status == TRUE)
    {
        return condition(POD_INITIALIZED, TRUE, "", "", generation);
    }
    condition(
        POD_INITIALIZED,
        FALSE,
        CONTAINERS_NOT_INITIALIZED,
        &messages.join(", "),
        generation,
    )
}

/// `PodReadyToStartContainers`: the pod has a ready sandbox with networking configured. Mirrors
/// `GeneratePodReadyToStartContainersCondition` in pkg/kubelet/status/generate.go, which is True
/// exactly when `PodSandboxChanged` finds no need for a new sandbox.
///
/// When False, the reason is `PodSandboxNotReady`, and the message (`PodSandboxNotReadyMsg*` in
/// pkg/kubelet/types/constants.go) says why. Two of those messages were read:
/// [`NO_POD_SANDBOX_MESSAGE`] and [`POD_SANDBOX_NO_IP_MESSAGE`]. The text of
/// `PodSandboxNotReadyMsgSandboxNotReady`, for a sandbox that is stopped, was not available. So
/// [`PodSandbox::NotReady`] gives the reason with **no message**, a known gap.
pub fn generate_pod_ready_to_start_containers_condition(
    pod: &Pod,
    old_status: &PodStatus,
    sandbox: PodSandbox,
    gates: &FeatureGates,
) -> PodCondition {
    let generation = observed_generation(pod, old_status, POD_READY_TO_START_CONTAINERS, gates);
    let host_network = spec_of(pod).host_network == Some(true);
    let not_ready_message = match sandbox {
        PodSandbox::Missing => Some(NO_POD_SANDBOX_MESSAGE),
        PodSandbox::NotReady => Some(""),
        PodSandbox::Ready { has_ip: false } if !host_network => Some(POD_SANDBOX_NO_IP_MESSAGE),
        PodSandbox::Ready { .. } => None,
    };
    match not_ready_message {
        None => condition(POD_READY_TO_START_CONTAINERS, TRUE, "", "", generation),
        Some(message) => condition(
            POD_READY_TO_START_CONTAINERS,
            FALSE,
            POD_SANDBOX_NOT_READY,
            message,
            generation,
        ),
    }
}

/// `PodScheduled`, always True once the kubelet runs the pod (appended last by
/// `generateAPIPodStatus` in pkg/kubelet/kubelet_pods.go).
pub fn generate_pod_scheduled_condition(
    pod: &Pod,
    old_status: &PodStatus,
    gates: &FeatureGates,
) -> PodCondition {
    let generation = observed_generation(pod, old_status, POD_SCHEDULED, gates);
    condition(POD_SCHEDULED, TRUE, "", "", generation)
}

/// Whether some regular container (not an init container) is running or has terminated, i.e. the
/// pod got past initialization at some point. Mirrors `HasAnyRegularContainerStarted` in
/// pkg/kubelet/container/helpers.go.
pub fn has_any_regular_container_started(spec: &PodSpec, statuses: &[ContainerStatus]) -> bool {
    statuses.iter().any(|status| {
        spec.containers.iter().any(|c| c.name == status.name)
            && status
                .state
                .as_ref()
                .is_some_and(|state| state.running.is_some() || state.terminated.is_some())
    })
}

/// A condition's `observedGeneration`. Mirrors `CalculatePodConditionObservedGeneration` in
/// pkg/api/v1/pod/util.go: the pod's `metadata.generation` when `PodObservedGenerationTracking` is
/// on, or when the old status already carried one for this condition type; otherwise unset. Zero
/// is unset too (Go's `omitempty`).
fn observed_generation(
    pod: &Pod,
    old_status: &PodStatus,
    condition_type: &str,
    gates: &FeatureGates,
) -> Option<i64> {
    let tracked = gates.pod_observed_generation_tracking
        || old_status
            .conditions
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|c| c.type_ == condition_type && c.observed_generation.unwrap_or(0) != 0);
    if !tracked {
        return None;
    }
    pod.metadata
        .generation
        .filter(|&generation| generation != 0)
}

fn condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    observed_generation: Option<i64>,
) -> PodCondition {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    PodCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: some(reason),
        message: some(message),
        observed_generation,
        last_probe_time: None,
        last_transition_time: None,
    }
}

fn spec_of(pod: &Pod) -> &PodSpec {
    static EMPTY: std::sync::OnceLock<PodSpec> = std::sync::OnceLock::new();
    pod.spec
        .as_ref()
        .unwrap_or_else(|| EMPTY.get_or_init(PodSpec::default))
}

fn init_containers(spec: &PodSpec) -> impl Iterator<Item = &Container> {
    spec.init_containers.as_deref().unwrap_or_default().iter()
}
