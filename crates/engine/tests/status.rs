//! The kubelet's pod phase and conditions, checked against Kubernetes' own unit-test tables:
//! the vectors in tests/data (phase_cases.json, conditions_cases.json), then cases read from
//! pkg/kubelet/kubelet_pods_test.go (TestPodPhaseWithRestart*, Test_generateAPIPodStatus) and
//! pkg/kubelet/status/generate_test.go (TestGenerate*Condition) that the vectors leave out.

use k8s_openapi::api::core::v1::{
    Container, ContainerStatus, Pod, PodCondition, PodSpec, PodStatus,
};
use podplay_engine::status::{
    container_should_restart, generate_containers_ready_condition,
    generate_pod_initialized_condition, generate_pod_ready_condition,
    generate_pod_ready_to_start_containers_condition, generate_pod_scheduled_condition, get_phase,
    get_phase_for_pod, pod_conditions, resolve_phase, ConditionsInput, FeatureGates, PodSandbox,
};
use serde_json::{json, Value};

const PHASE_CASES: &str = include_str!("data/phase_cases.json");
const CONDITIONS_CASES: &str = include_str!("data/conditions_cases.json");

fn from_json<T: serde::de::DeserializeOwned>(value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("bad test data {value}: {e}"))
}

/// The gates a vector runs with: v1.36's defaults, overridden by its `featureGates`.
fn gates_of(input: &Value) -> FeatureGates {
    let mut gates = FeatureGates::default();
    if let Some(overrides) = input["featureGates"].as_object() {
        for (name, enabled) in overrides {
            let enabled = enabled.as_bool().expect("gate values are booleans");
            assert!(gates.set(name, enabled), "unknown feature gate {name}");
        }
    }
    gates
}

// ---------------------------------------------------------------------------------------------
// The vectors.

#[test]
fn every_phase_vector_gets_the_phase_kubernetes_expects() {
    let cases: Vec<Value> = serde_json::from_str(PHASE_CASES).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let input = &case["input"];
        let pod: Pod = from_json(&input["pod"]);
        let info: Vec<ContainerStatus> = from_json(&input["getPhaseInfo"]);
        let phase = get_phase(
            pod.spec.as_ref().expect("vectors have a spec"),
            &info,
            input["podIsTerminal"].as_bool().unwrap(),
            input["podHasInitialized"].as_bool().unwrap(),
            &gates_of(input),
        );
        let expected = case["expected"]["phase"].as_str().unwrap();
        if phase != expected {
            failures.push(format!("{}: got {phase}, want {expected}", case["name"]));
        }
    }
    assert_eq!(failures, Vec::<String>::new());
    assert_eq!(cases.len(), 47);
}

#[test]
fn every_conditions_vector_generates_the_condition_kubernetes_expects() {
    let cases: Vec<Value> = serde_json::from_str(CONDITIONS_CASES).unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let input = &case["input"];
        let pod: Pod = from_json(&input["pod"]);
        let old_status: PodStatus = from_json(&input["oldPodStatus"]);
        let statuses: Option<Vec<ContainerStatus>> = from_json(&input["containerStatuses"]);
        let statuses = statuses.as_deref();
        let phase = input["podPhase"].as_str().unwrap();
        let gates = FeatureGates::default();
        let got = match input["function"].as_str().unwrap() {
            "GenerateContainersReadyCondition" => {
                generate_containers_ready_condition(&pod, &old_status, statuses, phase, &gates)
            }
            "GeneratePodReadyCondition" => {
                let conditions: Option<Vec<PodCondition>> = from_json(&input["conditions"]);
                generate_pod_ready_condition(
                    &pod,
                    &old_status,
                    conditions.as_deref().unwrap_or_default(),
                    statuses,
                    phase,
                    &gates,
                )
            }
            "GeneratePodInitializedCondition" => {
                // TestGeneratePodInitializedCondition runs with RestartAllContainersOnContainerExits
                // on; its cases have no old Initialized condition, so it changes nothing.
                generate_pod_initialized_condition(&pod, &old_status, statuses, phase, &gates)
            }
            other => panic!("unknown function {other}"),
        };
        let mut expected: PodCondition = from_json(&case["expected"]["condition"]);
        // The Go test does not assert the message of Initialized; the vector records the one the
        // source produces, and so do we.
        if let Some(message) = case["expected"]["messageDerivedFromSource"].as_str() {
            expected.message = (!message.is_empty()).then(|| message.to_string());
        }
        if got != expected {
            failures.push(format!("{}: got {got:?}, want {expected:?}", case["name"]));
        }
    }
    assert_eq!(failures, Vec::<String>::new());
    assert_eq!(cases.len(), 18);
}

// ---------------------------------------------------------------------------------------------
// Phase cases from pkg/kubelet/kubelet_pods_test.go that the vectors leave out.

fn running(name: &str) -> Value {
    json!({"name": name, "state": {"running": {}}})
}
fn started(name: &str) -> Value {
    json!({"name": name, "state": {"running": {}}, "started": true})
}
/// `stoppedState` and `succeededState`: terminated with exit code 0.
fn succeeded(name: &str) -> Value {
    json!({"name": name, "state": {"terminated": {"exitCode": 0}}})
}
fn failed(name: &str) -> Value {
    json!({"name": name, "state": {"terminated": {"exitCode": -1}}})
}
fn waiting(name: &str) -> Value {
    json!({"name": name, "state": {"waiting": {}}})
}
/// `waitingStateWithLastTermination`: waiting after exiting 0.
fn waiting_after_success(name: &str) -> Value {
    json!({"name": name, "state": {"waiting": {}}, "lastState": {"terminated": {"exitCode": 0}}})
}
/// `waitingStateWithNonZeroTermination`: waiting after exiting -1.
fn waiting_after_failure(name: &str) -> Value {
    json!({"name": name, "state": {"waiting": {}}, "lastState": {"terminated": {"exitCode": -1}}})
}

/// `{Name: containerX}` (or a sidecar with `restartPolicy: Always`) before containerA and
/// containerB, under the pod restart policy `policy`.
fn spec(policy: &str, init: Option<Value>) -> PodSpec {
    from_json(&json!({
        "nodeName": "machine",
        "initContainers": init.into_iter().collect::<Vec<_>>(),
        "containers": [{"name": "containerA"}, {"name": "containerB"}],
        "restartPolicy": policy,
    }))
}
fn regular_init() -> Option<Value> {
    Some(json!({"name": "containerX"}))
}
fn sidecar() -> Option<Value> {
    Some(json!({"name": "containerX", "restartPolicy": "Always"}))
}

fn phase_of(spec: &PodSpec, statuses: &[Value], terminal: bool, initialized: bool) -> String {
    let info: Vec<ContainerStatus> = statuses.iter().map(from_json).collect();
    get_phase(spec, &info, terminal, initialized, &FeatureGates::default())
}

#[test]
fn restart_always_pods_run_while_any_container_runs_or_restarts() {
    let spec = spec("Always", None);
    let a = "containerA";
    let b = "containerB";
    assert_eq!(
        phase_of(&spec, &[running(a), running(b)], false, false),
        "Running"
    );
    assert_eq!(
        phase_of(&spec, &[running(a), succeeded(b)], false, false),
        "Running"
    );
    assert_eq!(
        phase_of(&spec, &[running(a), waiting(b)], false, false),
        "Pending"
    );
    assert_eq!(
        phase_of(&spec, &[succeeded(a), succeeded(b)], true, false),
        "Succeeded"
    );
}

#[test]
fn restart_always_pods_wait_for_their_regular_init_container() {
    let spec = spec("Always", regular_init());
    let x = "containerX";
    // A failed init container is retried under Always: the pod stays Pending.
    assert_eq!(phase_of(&spec, &[failed(x)], false, false), "Pending");
    let all = [succeeded(x), running("containerA"), running("containerB")];
    assert_eq!(phase_of(&spec, &all, false, false), "Running");
}

#[test]
fn restart_always_pods_with_a_sidecar_run_once_it_has_started() {
    let spec = spec("Always", sidecar());
    let (x, a, b) = ("containerX", "containerA", "containerB");
    assert_eq!(phase_of(&spec, &[running(x)], false, false), "Pending");
    assert_eq!(
        phase_of(&spec, &[waiting_after_success(x)], false, false),
        "Pending"
    );
    assert_eq!(phase_of(&spec, &[waiting(x)], false, false), "Pending");
    assert_eq!(
        phase_of(&spec, &[started(x), running(a), running(b)], false, true),
        "Running"
    );
    // A stopped sidecar does not count.
    assert_eq!(
        phase_of(&spec, &[succeeded(x), running(a), running(b)], false, true),
        "Running"
    );
    // A terminal pod whose regular containers succeeded succeeded, whatever its sidecar did.
    let done = [failed(x), succeeded(a), succeeded(b)];
    assert_eq!(phase_of(&spec, &done, true, true), "Succeeded");
}

#[test]
fn a_restarting_sidecar_keeps_an_initialized_pod_running() {
    // TestPodPhaseWithRestartAlwaysAndPodHasRun: containerY is a sidecar that is running but not
    // yet started again. Whether the pod is back to Pending depends on podHasInitialized.
    let spec: PodSpec = from_json(&json!({
        "initContainers": [{"name": "containerX"}, {"name": "containerY", "restartPolicy": "Always"}],
        "containers": [{"name": "containerA"}],
        "restartPolicy": "Always",
    }));
    let statuses = [
        succeeded("containerX"),
        running("containerY"),
        succeeded("containerA"),
    ];
    assert_eq!(phase_of(&spec, &statuses, false, true), "Running");
    assert_eq!(phase_of(&spec, &statuses, false, false), "Pending");
    let statuses = [
        running("containerX"),
        running("containerY"),
        succeeded("containerA"),
    ];
    assert_eq!(phase_of(&spec, &statuses, false, true), "Pending");
}

#[test]
fn restart_never_pods_end_when_every_container_has_stopped() {
    let spec = spec("Never", None);
    let (a, b) = ("containerA", "containerB");
    assert_eq!(phase_of(&spec, &[], false, false), "Pending");
    assert_eq!(
        phase_of(&spec, &[succeeded(a), succeeded(b)], false, false),
        "Succeeded"
    );
    assert_eq!(
        phase_of(&spec, &[running(a), succeeded(b)], false, false),
        "Running"
    );
    assert_eq!(
        phase_of(&spec, &[running(a), waiting(b)], false, false),
        "Pending"
    );
}

#[test]
fn restart_never_pods_fail_with_their_init_container() {
    let spec = spec("Never", regular_init());
    let x = "containerX";
    assert_eq!(phase_of(&spec, &[running(x)], false, false), "Pending");
    assert_eq!(
        phase_of(&spec, &[waiting_after_success(x)], false, false),
        "Pending"
    );
    assert_eq!(phase_of(&spec, &[waiting(x)], false, false), "Pending");
}

#[test]
fn restart_never_pods_ignore_how_their_sidecar_ended() {
    let spec = spec("Never", sidecar());
    let (x, a, b) = ("containerX", "containerA", "containerB");
    assert_eq!(phase_of(&spec, &[running(x)], false, false), "Pending");
    assert_eq!(phase_of(&spec, &[succeeded(x)], false, false), "Pending");
    assert_eq!(
        phase_of(&spec, &[waiting_after_failure(x)], false, false),
        "Pending"
    );
    assert_eq!(
        phase_of(&spec, &[started(x), running(a)], false, true),
        "Pending"
    );
    let done = [running(x), succeeded(a), succeeded(b)];
    assert_eq!(phase_of(&spec, &done, false, true), "Running");
    let done = [failed(x), succeeded(a), succeeded(b)];
    assert_eq!(phase_of(&spec, &done, false, true), "Succeeded");
    let done = [waiting_after_failure(x), succeeded(a), succeeded(b)];
    assert_eq!(phase_of(&spec, &done, false, true), "Succeeded");
}

#[test]
fn restart_on_failure_pods_run_while_a_failure_restarts() {
    let spec = spec("OnFailure", None);
    let (a, b) = ("containerA", "containerB");
    assert_eq!(
        phase_of(&spec, &[running(a), running(b)], false, false),
        "Running"
    );
    assert_eq!(
        phase_of(&spec, &[failed(a), failed(b)], false, false),
        "Running"
    );
    assert_eq!(phase_of(&spec, &[running(a)], false, false), "Pending");
    assert_eq!(
        phase_of(&spec, &[running(a), waiting_after_success(b)], false, false),
        "Running"
    );
}

#[test]
fn without_container_restart_rules_only_the_pod_policy_counts() {
    // With the gate off, a container-level restartPolicy: Never does not make a stopped container
    // final: the pod-level Always keeps the pod Running.
    let spec: PodSpec = from_json(&json!({
        "containers": [{"name": "c", "restartPolicy": "Never"}],
        "restartPolicy": "Always",
    }));
    let info: Vec<ContainerStatus> = vec![from_json(&failed("c"))];
    let off = FeatureGates {
        container_restart_rules: false,
        ..FeatureGates::default()
    };
    assert_eq!(get_phase(&spec, &info, false, true, &off), "Running");
    assert_eq!(
        get_phase(&spec, &info, false, true, &FeatureGates::default()),
        "Failed"
    );
}

#[test]
fn a_static_pod_is_never_made_terminal_only_because_it_is_terminal() {
    let mut pod: Pod = from_json(&json!({
        "metadata": {"name": "p", "annotations": {"kubernetes.io/config.source": "file"}},
        "spec": {"containers": [{"name": "c"}], "restartPolicy": "Always"},
    }));
    let info: Vec<ContainerStatus> = vec![from_json(&succeeded("c"))];
    let gates = FeatureGates::default();
    assert_eq!(
        get_phase_for_pod(&pod, &info, true, true, &gates),
        "Running"
    );
    pod.metadata.annotations = Some([("kubernetes.io/config.source".into(), "api".into())].into());
    assert_eq!(
        get_phase_for_pod(&pod, &info, true, true, &gates),
        "Succeeded"
    );
}

#[test]
fn restart_rules_are_read_before_the_container_policy() {
    let container: Container = from_json(&json!({
        "name": "c",
        "restartPolicy": "Never",
        "restartPolicyRules": [{"action": "Restart", "exitCodes": {"operator": "In", "values": [42]}}],
    }));
    let pod_spec = PodSpec::default();
    let gates = FeatureGates::default();
    assert!(container_should_restart(&container, &pod_spec, 42, &gates));
    assert!(!container_should_restart(&container, &pod_spec, 1, &gates));

    let not_in: Container = from_json(&json!({
        "name": "c",
        "restartPolicy": "OnFailure",
        "restartPolicyRules": [{"action": "Restart", "exitCodes": {"operator": "NotIn", "values": [0, 1]}}],
    }));
    assert!(!container_should_restart(&not_in, &pod_spec, 0, &gates));
    assert!(container_should_restart(&not_in, &pod_spec, 1, &gates));
    assert!(container_should_restart(&not_in, &pod_spec, 2, &gates));

    // Without a container policy, the pod's decides; unset means Always.
    let plain: Container = from_json(&json!({"name": "c"}));
    assert!(container_should_restart(&plain, &pod_spec, 0, &gates));
    let on_failure: PodSpec = from_json(&json!({"containers": [], "restartPolicy": "OnFailure"}));
    assert!(!container_should_restart(&plain, &on_failure, 0, &gates));
    assert!(container_should_restart(&plain, &on_failure, 3, &gates));
}

// ---------------------------------------------------------------------------------------------
// resolve_phase: the rules generateAPIPodStatus applies after getPhase.

fn status(value: Value) -> PodStatus {
    from_json(&value)
}

#[test]
fn a_terminal_phase_is_never_left() {
    let old = status(json!({"phase": "Succeeded"}));
    let api = status(json!({"phase": "Running"}));
    assert_eq!(resolve_phase("Running", &old, &api).phase, "Succeeded");

    let old = status(json!({"phase": "Running"}));
    let api = status(json!({"phase": "Failed"}));
    assert_eq!(resolve_phase("Pending", &old, &api).phase, "Failed");
    // Not even for the other terminal phase, once the API server has one.
    assert_eq!(resolve_phase("Succeeded", &old, &api).phase, "Failed");

    let none = PodStatus::default();
    assert_eq!(resolve_phase("Running", &none, &none).phase, "Running");
}

#[test]
fn reason_and_message_last_as_long_as_the_phase() {
    let old = status(json!({"phase": "Failed", "reason": "Evicted", "message": "low on memory"}));
    let api = status(json!({"phase": "Failed"}));
    let kept = resolve_phase("Failed", &old, &api);
    assert_eq!(kept.reason.as_deref(), Some("Evicted"));
    assert_eq!(kept.message.as_deref(), Some("low on memory"));

    let old = status(json!({"phase": "Running", "reason": "Something"}));
    let api = status(json!({"phase": "Running", "message": "from the API server"}));
    let fallback = resolve_phase("Running", &old, &api);
    assert_eq!(fallback.reason.as_deref(), Some("Something"));
    assert_eq!(fallback.message.as_deref(), Some("from the API server"));

    let changed = resolve_phase("Succeeded", &old, &api);
    assert_eq!((changed.reason, changed.message), (None, None));
}

// ---------------------------------------------------------------------------------------------
// Condition cases from pkg/kubelet/status/generate_test.go that the vectors leave out.

fn pod(spec: Value) -> Pod {
    from_json(&json!({"metadata": {"name": "pod"}, "spec": spec}))
}
fn statuses(values: &[Value]) -> Vec<ContainerStatus> {
    values.iter().map(from_json).collect()
}
fn ready_status(name: &str) -> Value {
    json!({"name": name, "ready": true})
}
fn not_ready_status(name: &str) -> Value {
    json!({"name": name, "ready": false})
}
fn cond(type_: &str, status: &str, reason: &str, message: &str) -> PodCondition {
    PodCondition {
        type_: type_.into(),
        status: status.into(),
        reason: (!reason.is_empty()).then(|| reason.into()),
        message: (!message.is_empty()).then(|| message.into()),
        ..PodCondition::default()
    }
}

fn containers_ready(pod: &Pod, statuses: Option<&[ContainerStatus]>, phase: &str) -> PodCondition {
    let gates = FeatureGates::default();
    generate_containers_ready_condition(pod, &PodStatus::default(), statuses, phase, &gates)
}

#[test]
fn containers_ready_lists_unknown_and_unready_containers() {
    let empty = pod(json!({}));
    assert_eq!(
        containers_ready(&empty, Some(&[]), "Running"),
        cond("ContainersReady", "True", "", "")
    );
    let two = pod(json!({"containers": [{"name": "1234"}, {"name": "5678"}]}));
    let both_ready = statuses(&[ready_status("1234"), ready_status("5678")]);
    assert_eq!(
        containers_ready(&two, Some(&both_ready), "Running"),
        cond("ContainersReady", "True", "", "")
    );
    let one_unready = statuses(&[ready_status("1234"), not_ready_status("5678")]);
    assert_eq!(
        containers_ready(&two, Some(&one_unready), "Running"),
        cond(
            "ContainersReady",
            "False",
            "ContainersNotReady",
            "containers with unready status: [5678]"
        )
    );
    let sidecars = pod(json!({
        "initContainers": [
            {"name": "restartable-init-1", "restartPolicy": "Always"},
            {"name": "restartable-init-2", "restartPolicy": "Always"},
        ],
        "containers": [{"name": "regular-1"}],
    }));
    let regular_only = statuses(&[ready_status("regular-1")]);
    assert_eq!(
        containers_ready(&sidecars, Some(&regular_only), "Running"),
        cond(
            "ContainersReady",
            "False",
            "ContainersNotReady",
            "containers with unknown status: [restartable-init-1 restartable-init-2]"
        )
    );
    let one_sidecar = statuses(&[
        ready_status("restartable-init-1"),
        ready_status("regular-1"),
    ]);
    assert_eq!(
        containers_ready(&sidecars, Some(&one_sidecar), "Running"),
        cond(
            "ContainersReady",
            "False",
            "ContainersNotReady",
            "containers with unknown status: [restartable-init-2]"
        )
    );
}

#[test]
fn containers_ready_joins_unknown_before_unready() {
    // Both lists at once: the messages are joined with ", ", unknown first.
    let three = pod(json!({"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}));
    let some = statuses(&[not_ready_status("a"), not_ready_status("c")]);
    assert_eq!(
        containers_ready(&three, Some(&some), "Running")
            .message
            .as_deref(),
        Some("containers with unknown status: [b], containers with unready status: [a c]")
    );
}

#[test]
fn a_finished_pod_has_no_ready_containers() {
    let one = pod(json!({"containers": [{"name": "1234"}]}));
    let ready = statuses(&[ready_status("1234")]);
    assert_eq!(
        containers_ready(&one, Some(&ready), "Failed"),
        cond("ContainersReady", "False", "PodFailed", "")
    );
    // Succeeded reads PodCompleted only when every status is known.
    assert_eq!(
        containers_ready(&one, Some(&[]), "Succeeded"),
        cond(
            "ContainersReady",
            "False",
            "ContainersNotReady",
            "containers with unknown status: [1234]"
        )
    );
}

fn ready_condition(
    pod: &Pod,
    conditions: &[PodCondition],
    statuses: Option<&[ContainerStatus]>,
) -> PodCondition {
    let gates = FeatureGates::default();
    let old = PodStatus::default();
    generate_pod_ready_condition(pod, &old, conditions, statuses, "Running", &gates)
}

#[test]
fn ready_follows_containers_ready_and_then_the_readiness_gates() {
    assert_eq!(
        ready_condition(&pod(json!({})), &[], None),
        cond("Ready", "False", "UnknownContainerStatuses", "")
    );
    let one = pod(json!({"containers": [{"name": "1234"}]}));
    assert_eq!(
        ready_condition(&one, &[], Some(&[])),
        cond(
            "Ready",
            "False",
            "ContainersNotReady",
            "containers with unknown status: [1234]"
        )
    );
    let gated = pod(json!({"readinessGates": [{"conditionType": "gate1"}]}));
    assert_eq!(
        ready_condition(&gated, &[cond("gate1", "False", "", "")], Some(&[])),
        cond(
            "Ready",
            "False",
            "ReadinessGatesNotReady",
            "the status of pod readiness gate \"gate1\" is not \"True\", but False"
        )
    );
    let two_gates = pod(json!({
        "readinessGates": [{"conditionType": "gate1"}, {"conditionType": "gate2"}]
    }));
    assert_eq!(
        ready_condition(&two_gates, &[cond("gate1", "True", "", "")], Some(&[])),
        cond(
            "Ready",
            "False",
            "ReadinessGatesNotReady",
            "corresponding condition of pod readiness gate \"gate2\" does not exist."
        )
    );
    let both = [cond("gate1", "True", "", ""), cond("gate2", "True", "", "")];
    assert_eq!(
        ready_condition(&two_gates, &both, Some(&[])),
        cond("Ready", "True", "", "")
    );
    // Several unmet gates: one message each, joined with ", ".
    assert_eq!(
        ready_condition(&two_gates, &[cond("gate2", "Unknown", "", "")], Some(&[]))
            .message
            .as_deref(),
        Some(
            "corresponding condition of pod readiness gate \"gate1\" does not exist., \
             the status of pod readiness gate \"gate2\" is not \"True\", but Unknown"
        )
    );
}

fn initialized(pod: &Pod, statuses: Option<&[ContainerStatus]>, phase: &str) -> PodCondition {
    let gates = FeatureGates::default();
    generate_pod_initialized_condition(pod, &PodStatus::default(), statuses, phase, &gates)
}

#[test]
fn initialized_waits_for_every_init_container() {
    let two_init = pod(json!({
        "initContainers": [{"name": "1234"}, {"name": "5678"}],
        "containers": [{"name": "regular"}],
    }));
    assert_eq!(
        initialized(&two_init, None, "Running"),
        cond("Initialized", "False", "UnknownContainerStatuses", "")
    );
    let one_known = statuses(&[ready_status("1234")]);
    assert_eq!(
        initialized(&two_init, Some(&one_known), "Running"),
        cond(
            "Initialized",
            "False",
            "ContainersNotInitialized",
            "containers with unknown status: [5678]"
        )
    );
    let one_init = pod(json!({
        "initContainers": [{"name": "1234"}],
        "containers": [{"name": "regular"}],
    }));
    assert_eq!(
        initialized(&one_init, Some(&[]), "Running"),
        cond(
            "Initialized",
            "False",
            "ContainersNotInitialized",
            "containers with unknown status: [1234]"
        )
    );
    let done = statuses(&[ready_status("1234")]);
    assert_eq!(
        initialized(&one_init, Some(&done), "Succeeded"),
        cond("Initialized", "True", "PodCompleted", "")
    );
    let sidecar = pod(json!({
        "initContainers": [{"name": "1234", "restartPolicy": "Always"}],
        "containers": [{"name": "regular"}],
    }));
    let started_sidecar = statuses(&[json!({"name": "1234", "started": true})]);
    assert_eq!(
        initialized(&sidecar, Some(&started_sidecar), "Running"),
        cond("Initialized", "True", "", "")
    );
    // An init container restarting after the pod ran does not uninitialize it.
    let rerun = statuses(&[
        json!({"name": "1234", "state": {"waiting": {}}}),
        json!({"name": "regular", "state": {"terminated": {"exitCode": 0}}}),
    ]);
    assert_eq!(
        initialized(&one_init, Some(&rerun), "Running"),
        cond("Initialized", "True", "", "")
    );
}

#[test]
fn an_initialized_pod_restarting_in_place_stays_initialized() {
    let one_init = pod(json!({
        "initContainers": [{"name": "init"}],
        "containers": [{"name": "regular"}],
    }));
    let restarting = statuses(&[
        json!({"name": "init", "state": {"waiting": {"reason": "RestartingAllContainers"}}}),
        json!({"name": "regular", "state": {"waiting": {}}}),
    ]);
    let old = status(json!({"conditions": [{"type": "Initialized", "status": "True"}]}));
    let on = FeatureGates {
        restart_all_containers_on_container_exits: true,
        ..FeatureGates::default()
    };
    let off = FeatureGates::default();
    let with = |gates| {
        generate_pod_initialized_condition(&one_init, &old, Some(&restarting), "Running", gates)
    };
    assert_eq!(with(&on), cond("Initialized", "True", "", ""));
    assert_eq!(
        with(&off),
        cond(
            "Initialized",
            "False",
            "ContainersNotInitialized",
            "containers with incomplete status: [init]"
        )
    );
}

#[test]
fn ready_to_start_containers_needs_a_ready_sandbox_with_an_ip() {
    // TestGeneratePodReadyToStartContainersCondition.
    let gates = FeatureGates::default();
    let old = PodStatus::default();
    let plain = pod(json!({}));
    let check = |pod: &Pod, sandbox| {
        generate_pod_ready_to_start_containers_condition(pod, &old, sandbox, &gates)
    };
    assert_eq!(
        check(&plain, PodSandbox::Missing),
        cond(
            "PodReadyToStartContainers",
            "False",
            "PodSandboxNotReady",
            "no pod sandbox exists"
        )
    );
    assert_eq!(
        check(&plain, PodSandbox::Ready { has_ip: false }),
        cond(
            "PodReadyToStartContainers",
            "False",
            "PodSandboxNotReady",
            "pod sandbox has no IP address"
        )
    );
    assert_eq!(
        check(&plain, PodSandbox::Ready { has_ip: true }),
        cond("PodReadyToStartContainers", "True", "", "")
    );
    assert_eq!(check(&plain, PodSandbox::NotReady).status, "False");
    // A host-network pod needs no IP of its own.
    let host = pod(json!({"hostNetwork": true}));
    assert_eq!(
        check(&host, PodSandbox::Ready { has_ip: false }),
        cond("PodReadyToStartContainers", "True", "", "")
    );
}

#[test]
fn conditions_carry_the_pods_generation() {
    let mut with_generation = pod(json!({"containers": [{"name": "c"}]}));
    with_generation.metadata.generation = Some(3);
    let old = PodStatus::default();
    let gates = FeatureGates::default();
    assert_eq!(
        generate_pod_scheduled_condition(&with_generation, &old, &gates).observed_generation,
        Some(3)
    );
    // Without the gate, only where the old status already tracked it.
    let off = FeatureGates {
        pod_observed_generation_tracking: false,
        ..FeatureGates::default()
    };
    assert_eq!(
        generate_pod_scheduled_condition(&with_generation, &old, &off).observed_generation,
        None
    );
    let tracked = status(json!({
        "conditions": [{"type": "PodScheduled", "status": "True", "observedGeneration": 2}]
    }));
    assert_eq!(
        generate_pod_scheduled_condition(&with_generation, &tracked, &off).observed_generation,
        Some(3)
    );
}

// ---------------------------------------------------------------------------------------------
// pod_conditions: the whole list, in generateAPIPodStatus's order.

#[test]
fn a_failed_pod_keeps_its_disruption_target_and_lists_the_kubelet_conditions_in_order() {
    // Test_generateAPIPodStatus, "pod disruption condition is copied over and the phase is set to
    // failed when deleted".
    let pod: Pod = from_json(&json!({
        "metadata": {"name": "my-pod"},
        "spec": {"nodeName": "machine", "containers": [{"name": "containerA"}, {"name": "containerB"}],
                 "restartPolicy": "Always"},
        "status": {"conditions": [{"type": "DisruptionTarget", "status": "True",
                                   "lastTransitionTime": "2025-01-01T00:00:00Z"}]},
    }));
    let old = pod.status.clone().unwrap();
    let lost = |name: &str| {
        json!({"name": name, "ready": true, "state": {"waiting": {"reason": "ContainerCreating"}},
               "lastState": {"terminated": {"reason": "ContainerStatusUnknown", "exitCode": 137}}})
    };
    let containers = statuses(&[lost("containerA"), lost("containerB")]);
    let gates = FeatureGates::default();
    let conditions = pod_conditions(&ConditionsInput {
        pod: &pod,
        old_status: &old,
        init_container_statuses: None,
        container_statuses: Some(&containers),
        phase: "Failed",
        sandbox: PodSandbox::Ready { has_ip: true },
        gates: &gates,
    });
    let summary: Vec<String> = conditions
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "DisruptionTarget True -",
            "PodReadyToStartContainers True -",
            "Initialized True -",
            "Ready False PodFailed",
            "ContainersReady False PodFailed",
            "PodScheduled True -",
        ]
    );
    // The copied condition keeps its timestamp; generated ones have none.
    assert!(conditions[0].last_transition_time.is_some());
    assert!(conditions[1..]
        .iter()
        .all(|c| c.last_transition_time.is_none()));
}

#[test]
fn ready_sees_readiness_gate_conditions_set_by_others() {
    let pod: Pod = from_json(&json!({
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c"}], "readinessGates": [{"conditionType": "example.com/lb"}]},
        "status": {"conditions": [
            {"type": "Ready", "status": "False"},
            {"type": "example.com/lb", "status": "True"},
        ]},
    }));
    let old = pod.status.clone().unwrap();
    let containers = statuses(&[json!({"name": "c", "ready": true, "state": {"running": {}}})]);
    let gates = FeatureGates {
        pod_ready_to_start_containers_condition: false,
        ..FeatureGates::default()
    };
    let conditions = pod_conditions(&ConditionsInput {
        pod: &pod,
        old_status: &old,
        init_container_statuses: Some(&[]),
        container_statuses: Some(&containers),
        phase: "Running",
        sandbox: PodSandbox::Ready { has_ip: true },
        gates: &gates,
    });
    let summary: Vec<(&str, &str)> = conditions
        .iter()
        .map(|c| (c.type_.as_str(), c.status.as_str()))
        .collect();
    // The old kubelet-owned Ready is dropped and regenerated; the gate condition is kept first.
    assert_eq!(
        summary,
        [
            ("example.com/lb", "True"),
            ("Initialized", "True"),
            ("Ready", "True"),
            ("ContainersReady", "True"),
            ("PodScheduled", "True"),
        ]
    );
}

#[test]
fn feature_gates_default_to_kubernetes_1_36() {
    let gates = FeatureGates::default();
    assert!(gates.container_restart_rules);
    assert!(!gates.restart_all_containers_on_container_exits);
    assert!(!gates.node_declared_features);
    assert!(gates.pod_ready_to_start_containers_condition);
    assert!(gates.pod_observed_generation_tracking);
    let mut named = gates;
    assert!(named.set("RestartAllContainersOnContainerExits", true));
    assert!(named.restart_all_containers_on_container_exits);
    assert!(!named.set("NoSuchGate", true));
}
