//! The pod phase: `getPhase` in pkg/kubelet/kubelet_pods.go, the helpers it calls, and the
//! phase rules `generateAPIPodStatus` applies afterwards.
//!
//! Start at [`get_phase`]. It counts the init containers (regular ones and sidecars) and the regular
//! containers by state, then decides in the kubelet's order. [`resolve_phase`] then keeps a
//! terminal phase terminal.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, Pod, PodSpec, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{
    is_terminal_phase, FeatureGates, PHASE_FAILED, PHASE_PENDING, PHASE_RUNNING, PHASE_SUCCEEDED,
};

/// The termination reason the kubelet gives a container it stops because another container's
/// `RestartAllContainers` rule fired (the Go constant `RestartingAllContainers` in pkg/kubelet).
/// Such a container always counts as restartable.
pub const RESTARTING_ALL_CONTAINERS: &str = "RestartingAllContainers";

/// The annotation a kubelet puts on every pod it knows, naming where the pod came from
/// (`ConfigSourceAnnotationKey` in pkg/kubelet/types).
const CONFIG_SOURCE_ANNOTATION: &str = "kubernetes.io/config.source";
/// The config source of pods read from the API server (`ApiserverSource`).
const API_SERVER_SOURCE: &str = "api";

/// The pod phase for a pod that came from the API server, as the kubelet computes it. This is the
/// case for every pod podplay runs; for a static pod use [`get_phase_for_pod`].
///
/// Mirrors `getPhase` in pkg/kubelet/kubelet_pods.go. `info` holds the regular and the init
/// container statuses together, as `generateAPIPodStatus` passes them: each container's status is
/// the first one with its name. `pod_has_initialized` is `HasAnyActiveRegularContainerStarted`: some
/// regular container has started in the current sandbox. `pod_is_terminal` says the kubelet will
/// not restart anything any more (the pod is being deleted or has finished).
pub fn get_phase(
    spec: &PodSpec,
    info: &[ContainerStatus],
    pod_is_terminal: bool,
    pod_has_initialized: bool,
    gates: &FeatureGates,
) -> String {
    phase(
        spec,
        false,
        info,
        pod_is_terminal,
        pod_has_initialized,
        gates,
    )
    .to_string()
}

/// [`get_phase`] for any pod, static ones included: `getPhase` never gives a static pod a terminal
/// phase only because it is terminal (TODO #116484 in the Kubernetes source).
pub fn get_phase_for_pod(
    pod: &Pod,
    info: &[ContainerStatus],
    pod_is_terminal: bool,
    pod_has_initialized: bool,
    gates: &FeatureGates,
) -> String {
    let empty = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty);
    let is_static = is_static_pod(&pod.metadata);
    phase(
        spec,
        is_static,
        info,
        pod_is_terminal,
        pod_has_initialized,
        gates,
    )
    .to_string()
}

/// Whether a pod is static, i.e. read by the kubelet from a file or URL rather than from the API
/// server. Mirrors `IsStaticPod` and `GetPodSource` in pkg/kubelet/types/pod_update.go: the
/// `kubernetes.io/config.source` annotation is set and is not `api`.
pub fn is_static_pod(meta: &ObjectMeta) -> bool {
    meta.annotations
        .as_ref()
        .and_then(|annotations| annotations.get(CONFIG_SOURCE_ANNOTATION))
        .is_some_and(|source| source != API_SERVER_SOURCE)
}

/// Whether an init container is a sidecar: `restartPolicy: Always`. Mirrors
/// `IsRestartableInitContainer` in pkg/api/v1/pod/util.go.
pub fn is_restartable_init_container(container: &Container) -> bool {
    container.restart_policy.as_deref() == Some("Always")
}

/// Whether the kubelet restarts `container` after it exited with `exit_code`. Mirrors
/// `ContainerShouldRestart` in pkg/api/v1/pod/util.go: the container's `restartPolicyRules` first
/// (the first rule whose `exitCodes` match decides), then the container's `restartPolicy`, then the
/// pod's (whose default is `Always`). Rules count only on a container that sets its own
/// `restartPolicy`, as the API requires.
///
/// A matching `Restart` rule means restart. A matching `RestartAllContainers` rule also counts as
/// restartable when the `RestartAllContainersOnContainerExits` gate is on. That second rule was not
/// read from the Go function: it is inferred from `TestPodPhaseWithRestartAllContainers`, which has a
/// container with `restartPolicy: Never` that exits with a matching code and leaves the pod Pending.
/// When the gate is off, the rule falls through to the container's `restartPolicy`.
pub fn container_should_restart(
    container: &Container,
    spec: &PodSpec,
    exit_code: i32,
    gates: &FeatureGates,
) -> bool {
    if let Some(policy) = container.restart_policy.as_deref() {
        if let Some(rule) = matching_restart_rule(container, exit_code) {
            match rule.action.as_str() {
                "Restart" => return true,
                "RestartAllContainers" if gates.restart_all_containers_on_container_exits => {
                    return true
                }
                _ => {}
            }
        }
        match policy {
            "Always" => return true,
            "OnFailure" => return exit_code != 0,
            "Never" => return false,
            _ => {}
        }
    }
    match spec.restart_policy.as_deref() {
        Some("OnFailure") => exit_code != 0,
        Some("Never") => false,
        // "Always", and the default, which is Always.
        _ => true,
    }
}

/// The first of the container's restart rules whose exit codes match. Mirrors
/// `findMatchingContainerRestartRule` in pkg/api/v1/pod/util.go. A rule without `exitCodes`, or
/// with an operator other than `In` and `NotIn`, never matches.
fn matching_restart_rule(
    container: &Container,
    exit_code: i32,
) -> Option<&k8s_openapi::api::core::v1::ContainerRestartRule> {
    container
        .restart_policy_rules
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|rule| {
            let Some(codes) = rule.exit_codes.as_ref() else {
                return false;
            };
            let listed = codes
                .values
                .as_deref()
                .unwrap_or_default()
                .contains(&exit_code);
            match codes.operator.as_str() {
                "In" => listed,
                "NotIn" => !listed,
                _ => false,
            }
        })
}

/// The status of the container called `name`: the first one in `statuses`. Mirrors
/// `GetContainerStatus` in pkg/api/v1/pod/util.go.
pub(crate) fn find_status<'a>(
    statuses: &'a [ContainerStatus],
    name: &str,
) -> Option<&'a ContainerStatus> {
    statuses.iter().find(|status| status.name == name)
}

/// The three states a container status can be in, in the order `getPhase` tests them
/// (running, then terminated, then waiting); `None` when the state is empty.
enum State<'a> {
    Running,
    Terminated { exit_code: i32, reason: &'a str },
    Waiting,
    None,
}

fn state_of(state: Option<&ContainerState>) -> State<'_> {
    let Some(state) = state else {
        return State::None;
    };
    if state.running.is_some() {
        State::Running
    } else if let Some(terminated) = state.terminated.as_ref() {
        State::Terminated {
            exit_code: terminated.exit_code,
            reason: terminated.reason.as_deref().unwrap_or_default(),
        }
    } else if state.waiting.is_some() {
        State::Waiting
    } else {
        State::None
    }
}

/// The exit code and reason of the last termination, if the status has one
/// (`LastTerminationState.Terminated`).
fn last_termination(status: &ContainerStatus) -> Option<(i32, &str)> {
    let terminated = status.last_state.as_ref()?.terminated.as_ref()?;
    Some((
        terminated.exit_code,
        terminated.reason.as_deref().unwrap_or_default(),
    ))
}

/// `getPhase` itself; see [`get_phase`].
fn phase(
    spec: &PodSpec,
    is_static: bool,
    info: &[ContainerStatus],
    pod_is_terminal: bool,
    pod_has_initialized: bool,
    gates: &FeatureGates,
) -> &'static str {
    let init_containers = spec.init_containers.as_deref().unwrap_or_default();
    // With RestartAllContainersOnContainerExits, a container the kubelet stopped to restart the
    // whole pod is restartable whatever its own policy says.
    let restartable = |container: &Container, exit_code: i32, reason: &str| {
        container_should_restart(container, spec, exit_code, gates)
            || (gates.restart_all_containers_on_container_exits
                && reason == RESTARTING_ALL_CONTAINERS)
    };

    let mut pending_restartable_init = 0;
    let mut pending_regular_init = 0;
    let mut failed_initialization = 0;
    let mut failed_initialization_not_restartable = 0;

    // Regular init containers.
    for container in init_containers {
        if is_restartable_init_container(container) {
            continue;
        }
        let Some(status) = find_status(info, &container.name) else {
            pending_regular_init += 1;
            continue;
        };
        match state_of(status.state.as_ref()) {
            State::Running => pending_regular_init += 1,
            State::Terminated { exit_code, reason } => {
                if exit_code != 0 {
                    failed_initialization += 1;
                    if gates.container_restart_rules && !restartable(container, exit_code, reason) {
                        failed_initialization_not_restartable += 1;
                    }
                }
            }
            State::Waiting => match last_termination(status) {
                Some((exit_code, reason)) => {
                    if exit_code != 0 {
                        failed_initialization += 1;
                        if !restartable(container, exit_code, reason) {
                            failed_initialization_not_restartable += 1;
                        }
                    }
                }
                None => pending_regular_init += 1,
            },
            State::None => pending_regular_init += 1,
        }
    }

    // Sidecars and regular containers.
    let mut unknown = 0;
    let mut running = 0;
    let mut waiting = 0;
    let mut stopped = 0;
    let mut stopped_not_restartable = 0;
    let mut succeeded = 0;

    for container in init_containers {
        if !is_restartable_init_container(container) {
            continue;
        }
        let Some(status) = find_status(info, &container.name) else {
            unknown += 1;
            continue;
        };
        match state_of(status.state.as_ref()) {
            State::Running => {
                if status.started != Some(true) {
                    pending_restartable_init += 1;
                }
                running += 1;
            }
            // A stopped sidecar does not count towards the phase.
            State::Terminated { .. } => {}
            State::Waiting => {
                if last_termination(status).is_none() {
                    pending_restartable_init += 1;
                    waiting += 1;
                }
            }
            State::None => {
                pending_restartable_init += 1;
                unknown += 1;
            }
        }
    }

    for container in spec.containers.iter() {
        let Some(status) = find_status(info, &container.name) else {
            unknown += 1;
            continue;
        };
        match state_of(status.state.as_ref()) {
            State::Running => running += 1,
            State::Terminated { exit_code, reason } => {
                stopped += 1;
                if gates.container_restart_rules && !restartable(container, exit_code, reason) {
                    stopped_not_restartable += 1;
                }
                if exit_code == 0 {
                    succeeded += 1;
                }
            }
            State::Waiting => match last_termination(status) {
                // Waiting to be restarted (e.g. CrashLoopBackOff): it counts as stopped.
                Some((exit_code, reason)) => {
                    stopped += 1;
                    if gates.container_restart_rules && !restartable(container, exit_code, reason) {
                        stopped_not_restartable += 1;
                    }
                }
                None => waiting += 1,
            },
            State::None => unknown += 1,
        }
    }

    let restart_policy = spec.restart_policy.as_deref();
    if gates.container_restart_rules {
        if failed_initialization_not_restartable > 0 {
            return PHASE_FAILED;
        }
    } else if failed_initialization > 0 && restart_policy == Some("Never") {
        return PHASE_FAILED;
    }

    if pending_regular_init > 0
        || (pending_restartable_init > 0 && !pod_has_initialized)
        || waiting > 0
    {
        // Some container has not started yet.
        return PHASE_PENDING;
    }
    if running > 0 && unknown == 0 {
        return PHASE_RUNNING;
    }
    if running == 0 && stopped > 0 && unknown == 0 {
        // A terminal pod's containers are not restarted whatever the restart policy says.
        if pod_is_terminal && !is_static {
            return if stopped == succeeded {
                PHASE_SUCCEEDED
            } else {
                PHASE_FAILED
            };
        }
        if gates.container_restart_rules {
            if stopped != stopped_not_restartable {
                // At least one container is on its way to a restart.
                return PHASE_RUNNING;
            }
            return if stopped == succeeded {
                PHASE_SUCCEEDED
            } else {
                PHASE_FAILED
            };
        }
        // An unset policy is not Always here: the API server defaults it before the kubelet sees it.
        if restart_policy == Some("Always") {
            return PHASE_RUNNING;
        }
        if stopped == succeeded {
            return PHASE_SUCCEEDED;
        }
        if restart_policy == Some("Never") {
            return PHASE_FAILED;
        }
        // OnFailure, with a failure being restarted.
        return PHASE_RUNNING;
    }
    PHASE_PENDING
}

/// The phase, reason and message a status ends up with once `generateAPIPodStatus` has applied
/// its rules to what `getPhase` said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedPhase {
    pub phase: String,
    pub reason: Option<String>,
    pub message: Option<String>,
}

/// The rules `generateAPIPodStatus` (pkg/kubelet/kubelet_pods.go) applies to the phase `getPhase`
/// computed (`generated`):
///
/// 1. A terminal phase is sticky. If `generated` is not terminal but the last status the kubelet
///    published (`old_status`, the status manager's copy) is Succeeded or Failed, that phase is
///    kept. Failing that, a terminal phase in the API server's copy (`api_status`,
///    `pod.status`) is kept.
/// 2. While the phase is unchanged from `old_status`, its reason and message are kept (each
///    falling back to `api_status`'s). When the phase changes, both are cleared.
/// 3. A pod the API server shows as Succeeded or Failed never leaves that phase, even for the
///    other terminal phase.
///
/// Not covered: eviction (`PodSyncHandlers.ShouldEvict`), which sets Failed with its own reason
/// and message between steps 2 and 3. When the kubelet has published nothing for the pod yet, the
/// caller passes the API server's status as `old_status` too, as the kubelet does.
pub fn resolve_phase(
    generated: &str,
    old_status: &PodStatus,
    api_status: &PodStatus,
) -> ResolvedPhase {
    let old_phase = old_status.phase.as_deref().unwrap_or_default();
    let api_phase = api_status.phase.as_deref().unwrap_or_default();

    let mut phase = generated;
    if !is_terminal_phase(phase) {
        if is_terminal_phase(old_phase) {
            phase = old_phase;
        } else if is_terminal_phase(api_phase) {
            phase = api_phase;
        }
    }

    let (mut reason, mut message) = (None, None);
    if phase == old_phase {
        reason =
            non_empty(old_status.reason.as_deref()).or(non_empty(api_status.reason.as_deref()));
        message =
            non_empty(old_status.message.as_deref()).or(non_empty(api_status.message.as_deref()));
    }

    if is_terminal_phase(api_phase) && phase != api_phase {
        phase = api_phase;
    }

    ResolvedPhase {
        phase: phase.to_string(),
        reason: reason.map(str::to_string),
        message: message.map(str::to_string),
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !value.is_empty())
}
