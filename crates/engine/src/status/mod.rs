//! The kubelet's pod status: the phase (`getPhase` in pkg/kubelet/kubelet_pods.go) and the
//! kubelet-owned conditions (pkg/kubelet/status/generate.go), as pure functions of the pod and
//! the container statuses the kubelet has just built.
//!
//! Start reading at [`get_phase`] ([`phase`]), then [`pod_conditions`] ([`conditions`]), which
//! assembles the condition list in the order `generateAPIPodStatus` appends it. [`resolve_phase`]
//! applies the rules `generateAPIPodStatus` runs after `getPhase` (a terminal phase is sticky;
//! reason and message survive while the phase is unchanged).
//!
//! These are the single implementation the lifecycle engine calls every time it publishes a pod
//! status. Nothing here sets timestamps: the caller stamps `lastTransitionTime`.
//!
//! Feature gates change these rules; [`FeatureGates`] carries the ones that matter, with the
//! defaults of Kubernetes v1.36.

pub mod conditions;
pub mod phase;

pub use conditions::{
    generate_containers_ready_condition, generate_pod_initialized_condition,
    generate_pod_ready_condition, generate_pod_ready_to_start_containers_condition,
    generate_pod_scheduled_condition, has_any_regular_container_started, pod_conditions,
    ConditionsInput, PodSandbox,
};
pub use phase::{
    container_should_restart, get_phase, get_phase_for_pod, is_restartable_init_container,
    is_static_pod, resolve_phase, ResolvedPhase,
};

/// `v1.PodPending`.
pub const PHASE_PENDING: &str = "Pending";
/// `v1.PodRunning`.
pub const PHASE_RUNNING: &str = "Running";
/// `v1.PodSucceeded`.
pub const PHASE_SUCCEEDED: &str = "Succeeded";
/// `v1.PodFailed`.
pub const PHASE_FAILED: &str = "Failed";

/// Whether `phase` is one a pod never leaves (`Succeeded` or `Failed`).
pub fn is_terminal_phase(phase: &str) -> bool {
    phase == PHASE_SUCCEEDED || phase == PHASE_FAILED
}

/// The Kubernetes feature gates that change the pod phase or the kubelet's conditions.
///
/// [`Default`] gives the defaults of Kubernetes v1.36, as listed in pkg/features/kube_features.go
/// (each field names its gate and stage).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatureGates {
    /// `ContainerRestartRules`: container-level `restartPolicy` and `restartPolicyRules` decide
    /// whether a stopped container still counts as restarting. Alpha in v1.34, beta and **on** by
    /// default since v1.35.
    pub container_restart_rules: bool,
    /// `RestartAllContainersOnContainerExits`: the `RestartAllContainers` rule action, which
    /// restarts the whole pod in place. Alpha since v1.35, **off** by default.
    pub restart_all_containers_on_container_exits: bool,
    /// `NodeDeclaredFeatures`: alpha since v1.35, **off** by default. None of the rules here reads
    /// it. It is a prerequisite of `RestartAllContainersOnContainerExits`, so Kubernetes' tests
    /// turn both on together, and it is carried so that such a set of gates can be written down.
    pub node_declared_features: bool,
    /// `PodReadyToStartContainersCondition`: the kubelet publishes `PodReadyToStartContainers`.
    /// Beta and **on** by default since v1.29.
    pub pod_ready_to_start_containers_condition: bool,
    /// `PodObservedGenerationTracking`: conditions carry `observedGeneration` (the pod's
    /// `metadata.generation`). GA and locked **on** since v1.35.
    pub pod_observed_generation_tracking: bool,
}

impl Default for FeatureGates {
    fn default() -> Self {
        FeatureGates {
            container_restart_rules: true,
            restart_all_containers_on_container_exits: false,
            node_declared_features: false,
            pod_ready_to_start_containers_condition: true,
            pod_observed_generation_tracking: true,
        }
    }
}

impl FeatureGates {
    /// Sets the gate Kubernetes calls `name` (e.g. `"ContainerRestartRules"`). Returns `false`,
    /// changing nothing, if `name` is not one of the gates this struct carries.
    pub fn set(&mut self, name: &str, enabled: bool) -> bool {
        let gate = match name {
            "ContainerRestartRules" => &mut self.container_restart_rules,
            "RestartAllContainersOnContainerExits" => {
                &mut self.restart_all_containers_on_container_exits
            }
            "NodeDeclaredFeatures" => &mut self.node_declared_features,
            "PodReadyToStartContainersCondition" => {
                &mut self.pod_ready_to_start_containers_condition
            }
            "PodObservedGenerationTracking" => &mut self.pod_observed_generation_tracking,
            _ => return false,
        };
        *gate = enabled;
        true
    }
}

/// What `generateAPIPodStatus` (pkg/kubelet/kubelet_pods.go) is given: the pod as the API server
/// has it (defaulted), the kubelet's last status, the container statuses just built from the
/// runtime, whether the pod worker has finished the pod, and the sandbox.
pub struct StatusInput<'a> {
    pub pod: &'a k8s_openapi::api::core::v1::Pod,
    /// The status the kubelet last published (the API server's, before the first).
    pub old_status: &'a k8s_openapi::api::core::v1::PodStatus,
    /// `None` is Go's nil slice: statuses not known at all (`UnknownContainerStatuses`).
    pub init_container_statuses: Option<&'a [k8s_openapi::api::core::v1::ContainerStatus]>,
    pub container_statuses: Option<&'a [k8s_openapi::api::core::v1::ContainerStatus]>,
    /// `podIsTerminal`: the pod worker has terminated the pod.
    pub pod_is_terminal: bool,
    pub sandbox: PodSandbox,
    pub gates: &'a FeatureGates,
}

/// The phase (with reason and message) and conditions `generateAPIPodStatus` publishes.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedStatus {
    pub phase: ResolvedPhase,
    pub conditions: Vec<k8s_openapi::api::core::v1::PodCondition>,
}

/// Mirrors the phase and condition half of `generateAPIPodStatus`: `getPhase` over init and
/// regular statuses (with `podHasInitialized` from whether a regular container has started),
/// the sticky terminal phase ([`resolve_phase`]), then the kubelet's conditions in its order
/// ([`pod_conditions`]). The lifecycle engine and `explain` both publish through this.
pub fn generate_api_pod_status(input: &StatusInput) -> GeneratedStatus {
    let empty = k8s_openapi::api::core::v1::PodSpec::default();
    let spec = input.pod.spec.as_ref().unwrap_or(&empty);
    let init = input.init_container_statuses.unwrap_or_default();
    let regular = input.container_statuses.unwrap_or_default();
    // getPhase reads init and regular statuses as one list; most pods have no init containers,
    // so the regular list is used as it is.
    let info: std::borrow::Cow<'_, [k8s_openapi::api::core::v1::ContainerStatus]> =
        if init.is_empty() {
            std::borrow::Cow::Borrowed(regular)
        } else {
            std::borrow::Cow::Owned(init.iter().chain(regular).cloned().collect())
        };
    let pod_has_initialized = has_any_regular_container_started(spec, regular);
    let generated = get_phase_for_pod(
        input.pod,
        &info,
        input.pod_is_terminal,
        pod_has_initialized,
        input.gates,
    );
    let no_status = k8s_openapi::api::core::v1::PodStatus::default();
    let api_status = input.pod.status.as_ref().unwrap_or(&no_status);
    let phase = resolve_phase(&generated, input.old_status, api_status);
    let conditions = pod_conditions(&ConditionsInput {
        pod: input.pod,
        old_status: input.old_status,
        init_container_statuses: input.init_container_statuses,
        container_statuses: input.container_statuses,
        phase: &phase.phase,
        sandbox: input.sandbox,
        gates: input.gates,
    });
    GeneratedStatus { phase, conditions }
}
