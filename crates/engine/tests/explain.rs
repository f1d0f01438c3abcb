//! `explain_pod`: why a pod is in its state. Each fixture in tests/data/explain is a pod as
//! `kubectl get pod -o yaml` prints it, in a situation the kubelet really produces (its waiting and
//! terminated reasons and messages are the kubelet's, see the fixture headers and
//! src/explain/containers.rs); each test snapshots the whole explanation as the CLI prints it
//! (JSON). Then the back-off arithmetic and Go's duration syntax, and cross-checks against the
//! Kubernetes vectors in tests/data.

use expect_test::{expect, Expect};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use podplay_engine::api::{parse, Object};
use podplay_engine::explain::{
    backoff_from_message, crash_loop_backoff, explain_pod, format_go_duration, parse_go_duration,
};
use podplay_engine::status::has_any_regular_container_started;
use podplay_engine::view::pod_row;
use serde_json::Value;

/// The moment every fixture is read at.
const NOW: &str = "2025-06-01T12:00:00Z";

fn now() -> Timestamp {
    NOW.parse().expect("NOW is RFC 3339")
}

fn fixture(text: &str) -> Pod {
    let manifests = parse(text).expect("fixtures parse");
    assert_eq!(manifests.len(), 1, "one pod per fixture");
    match manifests.into_iter().next().map(|m| m.object) {
        Some(Object::Pod(pod)) => *pod,
        other => panic!("fixtures are pods, got {other:?}"),
    }
}

fn check(text: &str, expected: Expect) {
    let explanation = explain_pod(&fixture(text), now());
    let json = serde_json::to_string_pretty(&explanation).expect("explanations serialize");
    expected.assert_eq(&json);
}

#[test]
fn an_unschedulable_pod_quotes_the_scheduler_and_counts_the_nodes() {
    check(
        include_str!("data/explain/unschedulable.yaml"),
        expect![[r#"
            {
              "name": "big",
              "ready": "0/1",
              "status": "Pending",
              "restarts": "0",
              "age": "2m",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodScheduled",
                  "status": "False",
                  "reason": "Unschedulable",
                  "message": "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
                }
              ],
              "explanation": [
                "The scheduler could not place the pod on any node (PodScheduled is False, reason Unschedulable): \"0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.\"",
                "That is, none of the cluster's 3 nodes passed every filter; the count before each reason is how many nodes that reason ruled out. The scheduler tries again whenever the cluster changes (a node joins, a pod ends, a taint or label changes).",
                "The part after \"preemption:\" says that evicting lower-priority pods would not make room either.",
                "Until a node is chosen no kubelet runs the pod, so it has no container statuses and stays Pending."
              ]
            }"#]],
    );
}

#[test]
fn a_gated_pod_waits_for_its_scheduling_gates() {
    check(
        include_str!("data/explain/scheduling-gated.yaml"),
        expect![[r#"
            {
              "name": "gated",
              "ready": "0/1",
              "status": "SchedulingGated",
              "restarts": "0",
              "age": "30s",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodScheduled",
                  "status": "False",
                  "reason": "SchedulingGated",
                  "message": "Scheduling is blocked due to non-empty scheduling gates"
                }
              ],
              "explanation": [
                "The pod is not scheduled yet: it has scheduling gates (example.com/quota-check), and the scheduler does not consider a pod until every entry of spec.schedulingGates has been removed (PodScheduled is False, reason SchedulingGated: \"Scheduling is blocked due to non-empty scheduling gates\").",
                "Whoever added the gates (usually a controller) removes them when the pod may be scheduled.",
                "Until a node is chosen no kubelet runs the pod, so it has no container statuses and stays Pending."
              ]
            }"#]],
    );
}

#[test]
fn a_running_init_container_holds_back_the_app_containers() {
    check(
        include_str!("data/explain/init-running.yaml"),
        expect![[r#"
            {
              "name": "db-migrate",
              "ready": "0/1",
              "status": "Init:1/3",
              "restarts": "0",
              "age": "10m",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "False",
                  "reason": "ContainersNotInitialized",
                  "message": "containers with incomplete status: [migrate seed]"
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [api]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [api]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Init container 2 of 3, migrate, is running (for 9m45s); the app containers start only after every init container has succeeded. 1 more init container runs after it."
              ]
            }"#]],
    );
}

#[test]
fn a_failed_init_container_with_restart_policy_never_fails_the_pod() {
    check(
        include_str!("data/explain/init-failed-never.yaml"),
        expect![[r#"
            {
              "name": "report-20250601",
              "ready": "0/1",
              "status": "Init:Error",
              "restarts": "0",
              "age": "10m",
              "phase": "Failed",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "False",
                  "reason": "PodSandboxNotReady",
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "False",
                  "reason": "ContainersNotInitialized",
                  "message": "containers with incomplete status: [check-config]"
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "PodFailed",
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "PodFailed",
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Init container 1 of 1, check-config, exited with code 1 (Error) 9m57s ago. The pod's restartPolicy is Never (never restart), so a failed init container is not retried: the pod is Failed and its app containers never start.",
                "Exit code 1 is the program's own general failure code; its logs say why.",
                "`kubectl logs report-20250601 -c check-config` shows what that run printed."
              ]
            }"#]],
    );
}

#[test]
fn a_crash_looping_init_container_is_retried_with_the_capped_back_off() {
    check(
        include_str!("data/explain/init-crashloop.yaml"),
        expect![[r#"
            {
              "name": "needs-db",
              "ready": "0/1",
              "status": "Init:CrashLoopBackOff",
              "restarts": "7 (2m ago)",
              "age": "20m",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "False",
                  "reason": "ContainersNotInitialized",
                  "message": "containers with incomplete status: [check-db migrate]"
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [api]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [api]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Init container 1 of 2, check-db, is in CrashLoopBackOff: it has restarted 7 times; it last exited with code 1 (Error) 2m ago; the kubelet waits 5m0s before the next restart, so it starts again in about 3m.",
                "The kubelet restarts a crashed container at once the first time, then waits 10s, doubling the wait after each further crash up to 5m0s, and starts over once a run lasts more than 10 minutes: after 7 restarts the wait is 5m0s.",
                "Exit code 1 is the program's own general failure code; its logs say why.",
                "`kubectl logs needs-db -c check-db --previous` shows what that run printed.",
                "The app containers wait until it succeeds: the pod's restartPolicy is Always (restart after every exit), so the kubelet keeps retrying a failed init container."
              ]
            }"#]],
    );
}

#[test]
fn a_sidecar_is_explained_as_a_sidecar() {
    check(
        include_str!("data/explain/sidecar.yaml"),
        expect![[r#"
            {
              "name": "web-with-shipper",
              "ready": "2/2",
              "status": "Running",
              "restarts": "0",
              "age": "10m",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container web has been running for 9m54s and is ready.",
                "Sidecar log-shipper (init container 1 of 1) has been running for 9m56s and is ready; an init container with restartPolicy Always is a sidecar: it starts in order with the init containers, and the ones after it wait only until it has started, then it keeps running alongside the app containers."
              ]
            }"#]],
    );
}

#[test]
fn a_crash_loop_gives_the_back_off_and_when_the_container_starts_again() {
    check(
        include_str!("data/explain/crashloop.yaml"),
        expect![[r#"
            {
              "name": "crashy",
              "ready": "0/1",
              "status": "CrashLoopBackOff",
              "restarts": "3 (25s ago)",
              "age": "90s",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container app is in CrashLoopBackOff: it has restarted 3 times; it last exited with code 1 (Error) 25s ago; the kubelet waits 40s before the next restart, so it starts again in about 15s.",
                "The kubelet restarts a crashed container at once the first time, then waits 10s, doubling the wait after each further crash up to 5m0s, and starts over once a run lasts more than 10 minutes: after 3 restarts the wait is 40s.",
                "Exit code 1 is the program's own general failure code; its logs say why.",
                "`kubectl logs crashy -c app --previous` shows what that run printed.",
                "So the pod is not Ready (Ready is False, reason ContainersNotReady: containers with unready status: [app]), and Services that select it send it no traffic until every container is ready."
              ]
            }"#]],
    );
}

#[test]
fn an_image_pull_back_off_quotes_the_registry_and_the_retry_rule() {
    check(
        include_str!("data/explain/image-pull-backoff.yaml"),
        expect![[r#"
            {
              "name": "web-typo",
              "ready": "0/1",
              "status": "ImagePullBackOff",
              "restarts": "0",
              "age": "3m",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [web]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [web]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container web cannot start: pulling its image \"nginx:1.99\" failed, and the kubelet is waiting before it tries again (ImagePullBackOff): Back-off pulling image \"nginx:1.99\": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:1.99\": failed to resolve reference \"docker.io/library/nginx:1.99\": docker.io/library/nginx:1.99: not found.",
                "The registry has no such image or tag: check the image's name and tag.",
                "The kubelet retries the pull with a back-off that starts at 10s and doubles after each failure up to 5m0s; at each new attempt the reason reads ErrImagePull again."
              ]
            }"#]],
    );
}

#[test]
fn a_missing_image_with_pull_policy_never_is_not_pulled() {
    check(
        include_str!("data/explain/err-image-never-pull.yaml"),
        expect![[r#"
            {
              "name": "local-build",
              "ready": "0/1",
              "status": "ErrImageNeverPull",
              "restarts": "0",
              "age": "60s",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container app cannot start: its imagePullPolicy is Never and the image \"podplay/app:dev\" is not on the node, so the kubelet will not pull it (ErrImageNeverPull): Container image \"podplay/app:dev\" is not present with pull policy of Never. The image has to be loaded onto the node, or the pull policy changed."
              ]
            }"#]],
    );
}

#[test]
fn an_invalid_image_name_is_never_pulled() {
    check(
        include_str!("data/explain/invalid-image-name.yaml"),
        expect![[r#"
            {
              "name": "shouty",
              "ready": "0/1",
              "status": "InvalidImageName",
              "restarts": "0",
              "age": "60s",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container app cannot start: its image \"Nginx:latest\" is not a valid image reference, so the kubelet cannot even try to pull it (InvalidImageName): Failed to apply default image tag \"Nginx:latest\": couldn't parse image reference \"Nginx:latest\": invalid reference format: repository name must be lowercase. It stays so until the image in the spec is fixed (a pod's container image can be updated in place)."
              ]
            }"#]],
    );
}

#[test]
fn a_missing_config_map_key_is_named() {
    check(
        include_str!("data/explain/create-container-config-error.yaml"),
        expect![[r#"
            {
              "name": "configured",
              "ready": "0/1",
              "status": "CreateContainerConfigError",
              "restarts": "0",
              "age": "5m",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container app cannot start: the kubelet could not build its configuration (CreateContainerConfigError): couldn't find key LOG_LEVEL in ConfigMap default/app-config.",
                "The container's environment takes key LOG_LEVEL from ConfigMap default/app-config, and that ConfigMap has no such key.",
                "The kubelet tries again at each sync, so the container starts as soon as what it refers to exists."
              ]
            }"#]],
    );
}

#[test]
fn a_missing_command_is_a_run_container_error() {
    check(
        include_str!("data/explain/run-container-error.yaml"),
        expect![[r#"
            {
              "name": "wrong-command",
              "ready": "0/1",
              "status": "RunContainerError",
              "restarts": "1 (8s ago)",
              "age": "40s",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [app]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "The container runtime created container app but could not start its process (RunContainerError): failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"nosuchcmd\": executable file not found in $PATH: unknown.",
                "The command (the container's command, or the image's entrypoint) does not exist in the image.",
                "It has restarted 1 time; its previous run ended with code 128 (StartError) 8s ago.",
                "StartError: the container runtime could not start the process at all; exit code 128 is the runtime's, not the program's.",
                "A container that fails to start counts as exited: the pod's restartPolicy is Always (restart after every exit), so the kubelet starts it again, after the crash-loop back-off.",
                "So the pod is not Ready (Ready is False, reason ContainersNotReady: containers with unready status: [app]), and Services that select it send it no traffic until every container is ready."
              ]
            }"#]],
    );
}

#[test]
fn an_oom_kill_is_exit_137_over_the_memory_limit() {
    check(
        include_str!("data/explain/oom-killed.yaml"),
        expect![[r#"
            {
              "name": "hungry",
              "ready": "1/1",
              "status": "Running",
              "restarts": "2 (7m30s ago)",
              "age": "30m",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container app has been running for 7m19s and is ready.",
                "It has restarted 2 times; its previous run ended with code 137 (OOMKilled) 7m30s ago.",
                "OOMKilled: the container used more memory than its limit of 128Mi allows, so the kernel's out-of-memory killer killed it with SIGKILL, hence exit code 137 = 128 + 9."
              ]
            }"#]],
    );
}

#[test]
fn a_job_pod_that_succeeded() {
    check(
        include_str!("data/explain/completed.yaml"),
        expect![[r#"
            {
              "name": "pi-7xk2q",
              "ready": "0/1",
              "status": "Completed",
              "restarts": "0",
              "age": "20m",
              "phase": "Succeeded",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "False",
                  "reason": "PodSandboxNotReady",
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": "PodCompleted",
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "PodCompleted",
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "PodCompleted",
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "The pod Succeeded: every container exited with code 0, and with restartPolicy Never a container that succeeded is not restarted. The pod runs nothing any more; its object stays until it is deleted.",
                "Container pi exited with code 0 (Completed) 19m ago, after running 38s.",
                "Exit code 0 means the program ended successfully."
              ]
            }"#]],
    );
}

#[test]
fn a_failed_pod_with_restart_policy_never_is_not_restarted() {
    check(
        include_str!("data/explain/failed-never.yaml"),
        expect![[r#"
            {
              "name": "tests",
              "ready": "0/1",
              "status": "Error",
              "restarts": "0",
              "age": "15m",
              "phase": "Failed",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "False",
                  "reason": "PodSandboxNotReady",
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "PodFailed",
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "PodFailed",
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "The pod Failed: every container has stopped, at least one with a non-zero exit code, and none will be restarted (restartPolicy Never). A Failed pod never runs again; its object stays until it is deleted.",
                "Container runner exited with code 127 (Error) 14m ago, after running 0s.",
                "Exit code 127 means the command was not found (the shell found no such program).",
                "`kubectl logs tests -c runner` shows what that run printed."
              ]
            }"#]],
    );
}

#[test]
fn a_failing_readiness_probe_keeps_the_pod_unready() {
    check(
        include_str!("data/explain/readiness-probe.yaml"),
        expect![[r#"
            {
              "name": "api-not-ready",
              "ready": "0/1",
              "status": "Running",
              "restarts": "0",
              "age": "10m",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [api]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [api]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container api has been running for 9m57s but is not ready.",
                "Its readiness probe (httpGet /healthz on port 8080, every 5s) has not succeeded: the kubelet marks container api ready after 1 success in a row and unready after 3 failures in a row, and while it is unready the pod's endpoints are not ready, so Services send it no traffic.",
                "So the pod is not Ready (Ready is False, reason ContainersNotReady: containers with unready status: [api]), and Services that select it send it no traffic until every container is ready."
              ]
            }"#]],
    );
}

#[test]
fn a_startup_probe_that_has_not_passed_gives_its_time_budget() {
    check(
        include_str!("data/explain/startup-probe.yaml"),
        expect![[r#"
            {
              "name": "slow-start",
              "ready": "0/1",
              "status": "Running",
              "restarts": "0",
              "age": "2m",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [legacy]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [legacy]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container legacy has been running for 116s but is not ready.",
                "Its startup probe (httpGet /started on port 8080) has not succeeded yet (started is false); until it does, the kubelet runs neither its liveness nor its readiness probe.",
                "The startup probe runs every 10s after an initial delay of 0s; after 30 failures in a row (30 × 10s = 300s) the kubelet kills the container and restarts it according to its restart policy.",
                "So the pod is not Ready (Ready is False, reason ContainersNotReady: containers with unready status: [legacy]), and Services that select it send it no traffic until every container is ready."
              ]
            }"#]],
    );
}

#[test]
fn a_missing_readiness_gate_condition_keeps_the_pod_unready() {
    check(
        include_str!("data/explain/readiness-gate.yaml"),
        expect![[r#"
            {
              "name": "behind-lb",
              "ready": "1/1",
              "status": "Running",
              "restarts": "0",
              "age": "10m",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ReadinessGatesNotReady",
                  "message": "corresponding condition of pod readiness gate \"target-health.elbv2.k8s.aws/k8s-default-web-3f2a1b\" does not exist."
                },
                {
                  "type": "ContainersReady",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container web has been running for 9m58s and is ready.",
                "Every container is ready, but the pod is not Ready (reason ReadinessGatesNotReady: corresponding condition of pod readiness gate \"target-health.elbv2.k8s.aws/k8s-default-web-3f2a1b\" does not exist.). A pod is Ready only when every condition named in spec.readinessGates is True, and those conditions are set by another controller (a load balancer's, for example), never by the kubelet."
              ]
            }"#]],
    );
}

#[test]
fn a_terminating_pod_gives_its_grace_period_deadline() {
    check(
        include_str!("data/explain/terminating.yaml"),
        expect![[r#"
            {
              "name": "web-6f7b9c8d5-k2x7p",
              "ready": "1/1",
              "status": "Terminating",
              "restarts": "0",
              "age": "120m",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "The pod is being deleted: the kubelet sends each container its stop signal (SIGTERM, unless the image names another) and kills whatever still runs when the 30s grace period ends, at about 2025-06-01T12:00:18Z (in 18s).",
                "Container web has a preStop hook: it runs before the stop signal and its time counts against the same grace period.",
                "A terminating pod's endpoints are marked not ready, so Services stop sending it new traffic.",
                "Container web has been running for 119m and is ready."
              ]
            }"#]],
    );
}

#[test]
fn an_evicted_pod_names_the_resource_the_node_ran_short_of() {
    check(
        include_str!("data/explain/evicted.yaml"),
        expect![[r#"
            {
              "name": "cache-5d8f7b6c4-q9w3e",
              "ready": "0/1",
              "status": "ContainerStatusUnknown",
              "restarts": "1",
              "age": "3h",
              "phase": "Failed",
              "conditions": [
                {
                  "type": "DisruptionTarget",
                  "status": "True",
                  "reason": "TerminationByKubelet",
                  "message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 81420Ki. Container app was using 1462Mi, request is 256Mi, has larger consumption of memory. "
                },
                {
                  "type": "PodReadyToStartContainers",
                  "status": "False",
                  "reason": "PodSandboxNotReady",
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "PodFailed",
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "PodFailed",
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "The kubelet evicted the pod (reason Evicted) because the node ran short of memory: \"The node was low on resource: memory. Threshold quantity: 100Mi, available: 81420Ki. Container app was using 1462Mi, request is 256Mi, has larger consumption of memory.\" An evicted pod is Failed for good: its containers are stopped and never restarted, and a controller (a Deployment's ReplicaSet, a Job...) creates a replacement pod.",
                "Container app exited with code 137 (ContainerStatusUnknown).",
                "ContainerStatusUnknown: the kubelet could no longer find the container (The container could not be located when the pod was terminated), so it reports it as terminated with exit code 137."
              ]
            }"#]],
    );
}

#[test]
fn an_active_deadline_that_passed_fails_the_pod() {
    check(
        include_str!("data/explain/deadline-exceeded.yaml"),
        expect![[r#"
            {
              "name": "bounded",
              "ready": "0/1",
              "status": "Error",
              "restarts": "0",
              "age": "6m",
              "phase": "Failed",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "False",
                  "reason": "PodSandboxNotReady",
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "PodFailed",
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "PodFailed",
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "The pod was active longer than its spec.activeDeadlineSeconds allows: it started at 2025-06-01T11:54:00Z, so its 60s ran out at 2025-06-01T11:55:00Z (5m ago). The kubelet then stops its containers and marks it Failed with reason DeadlineExceeded (\"Pod was active on the node longer than the specified deadline\"); a pod that failed this way is never restarted.",
                "Container worker exited with code 137 (Error) 4m29s ago, after running 89s.",
                "Exit code 137 = 128 + 9: the process ended on signal 9 (SIGKILL), which cannot be caught: the kubelet sends it when a stop grace period runs out, and the kernel uses it on a process that runs out of memory.",
                "`kubectl logs bounded -c worker` shows what that run printed."
              ]
            }"#]],
    );
}

#[test]
fn a_pod_on_a_lost_node_is_unknown() {
    check(
        include_str!("data/explain/node-lost.yaml"),
        expect![[r#"
            {
              "name": "web-6f7b9c8d5-x2k8p",
              "ready": "1/1",
              "status": "Unknown",
              "restarts": "0",
              "age": "4h",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "The pod is being deleted, but its node worker-2 stopped responding (reason NodeLost: Node worker-2 which was running pod web-6f7b9c8d5-x2k8p is unresponsive). No kubelet can confirm what its containers are doing, so kubectl shows the status Unknown; the pod object goes away once the node's kubelet answers again and finishes the deletion, or when the Node is deleted or the pod is force-deleted.",
                "Container web has been running for 3h59m and is ready."
              ]
            }"#]],
    );
}

#[test]
fn a_phase_the_container_statuses_contradict_is_pointed_out() {
    check(
        include_str!("data/explain/stale-phase.yaml"),
        expect![[r#"
            {
              "name": "just-started",
              "ready": "1/1",
              "status": "Pending",
              "restarts": "0",
              "age": "10s",
              "phase": "Running",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "ContainersReady",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container web has been running for 8s and is ready.",
                "status.phase says Pending, but the container statuses give Running: at least one container is running, or has stopped and will be restarted. The phase shown was written before the containers last changed (the kubelet updates it at its next status sync) or was not written by a kubelet."
              ]
            }"#]],
    );
}

#[test]
fn a_container_being_created_without_an_ip() {
    check(
        include_str!("data/explain/container-creating.yaml"),
        expect![[r#"
            {
              "name": "fresh",
              "ready": "0/1",
              "status": "ContainerCreating",
              "restarts": "0",
              "age": "5s",
              "phase": "Pending",
              "conditions": [
                {
                  "type": "PodReadyToStartContainers",
                  "status": "False",
                  "reason": "PodSandboxNotReady",
                  "message": "no pod sandbox exists"
                },
                {
                  "type": "Initialized",
                  "status": "True",
                  "reason": null,
                  "message": null
                },
                {
                  "type": "Ready",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [web]"
                },
                {
                  "type": "ContainersReady",
                  "status": "False",
                  "reason": "ContainersNotReady",
                  "message": "containers with unready status: [web]"
                },
                {
                  "type": "PodScheduled",
                  "status": "True",
                  "reason": null,
                  "message": null
                }
              ],
              "explanation": [
                "Container web is being created (ContainerCreating): the kubelet is still setting it up (the pod's sandbox and network, its volumes, its image).",
                "The pod has no IP address yet, so its sandbox is not ready (PodReadyToStartContainers is False)."
              ]
            }"#]],
    );
}

// ---------------------------------------------------------------------------------------------
// The kubelet's back-off and Go's durations.

fn secs(n: i64) -> SignedDuration {
    SignedDuration::from_secs(n)
}

#[test]
fn the_first_restart_is_immediate() {
    assert_eq!(crash_loop_backoff(0, None), SignedDuration::ZERO);
}

#[test]
fn backoff_doubles_up_to_five_minutes() {
    let delays: Vec<i64> = (1..=9)
        .map(|n| crash_loop_backoff(n, None).as_secs())
        .collect();
    assert_eq!(delays, [10, 20, 40, 80, 160, 300, 300, 300, 300]);
    assert_eq!(crash_loop_backoff(i32::MAX, None), secs(300));
}

#[test]
fn backoff_starts_over_after_a_run_of_more_than_ten_minutes() {
    assert_eq!(crash_loop_backoff(4, Some(secs(600))), secs(80));
    assert_eq!(crash_loop_backoff(4, Some(secs(601))), SignedDuration::ZERO);
}

#[test]
fn negative_restart_counts_are_not_in_back_off() {
    assert_eq!(crash_loop_backoff(-3, None), SignedDuration::ZERO);
}

#[test]
fn go_durations_parse_as_time_parse_duration_does() {
    let cases = [
        ("5m0s", 300_000_000_000i64),
        ("40s", 40_000_000_000),
        ("1m20s", 80_000_000_000),
        ("300ms", 300_000_000),
        ("0", 0),
        ("1h0m0s", 3_600_000_000_000),
        ("1.5s", 1_500_000_000),
        ("2m30.25s", 150_250_000_000),
        ("1µs", 1_000),
        ("1us", 1_000),
        ("7ns", 7),
        ("-1m", -60_000_000_000),
        ("+2h", 7_200_000_000_000),
        (".5s", 500_000_000),
        ("1.s", 1_000_000_000),
    ];
    for (text, nanos) in cases {
        assert_eq!(
            parse_go_duration(text),
            Some(SignedDuration::from_nanos(nanos)),
            "{text}"
        );
    }
}

#[test]
fn malformed_go_durations_are_rejected() {
    for text in [
        "", "5", "s", "1x", "1m2", "-", ".s", "1..2s", "3000000h", "10 s",
    ] {
        assert_eq!(parse_go_duration(text), None, "{text:?}");
    }
}

#[test]
fn go_durations_print_as_duration_string_does() {
    let cases = [
        (0i64, "0s"),
        (7, "7ns"),
        (1_500, "1.5µs"),
        (300_000_000, "300ms"),
        (1_500_000_000, "1.5s"),
        (40_000_000_000, "40s"),
        (80_000_000_000, "1m20s"),
        (300_000_000_000, "5m0s"),
        (3_600_000_000_000, "1h0m0s"),
        (5_430_500_000_000, "1h30m30.5s"),
        (-60_000_000_000, "-1m0s"),
    ];
    for (nanos, text) in cases {
        assert_eq!(format_go_duration(SignedDuration::from_nanos(nanos)), text);
        assert_eq!(
            parse_go_duration(text),
            Some(SignedDuration::from_nanos(nanos))
        );
    }
}

#[test]
fn the_crash_loop_message_carries_the_kubelets_delay() {
    let message = "back-off 2m40s restarting failed container=app pod=crashy_default(0b5c)";
    assert_eq!(backoff_from_message(message), Some(secs(160)));
    let older = "Back-off 10s restarting failed container=app pod=crashy_default(0b5c)";
    assert_eq!(backoff_from_message(older), Some(secs(10)));
    assert_eq!(
        backoff_from_message("Back-off pulling image \"nginx\""),
        None
    );
    assert_eq!(backoff_from_message(""), None);
}

// ---------------------------------------------------------------------------------------------
// Cross-checks against the Kubernetes vectors.

const PRINTPOD_CASES: &str = include_str!("data/printpod_cases.json");
const PHASE_CASES: &str = include_str!("data/phase_cases.json");

#[test]
fn the_columns_are_kubectls_for_the_pod_as_given() {
    let cases: Vec<Value> = serde_json::from_str(PRINTPOD_CASES).unwrap();
    assert_eq!(cases.len(), 26);
    for case in &cases {
        let pod: Pod = serde_json::from_value(case["input"]["pod"].clone()).unwrap();
        let now: Timestamp = case["input"]["now"].as_str().unwrap().parse().unwrap();
        let row = pod_row(&pod, now);
        let explanation = explain_pod(&pod, now);
        let columns = [
            (&explanation.ready, &row.ready),
            (&explanation.status, &row.status),
            (&explanation.restarts, &row.restarts),
            (&explanation.age, &row.age),
        ];
        for (got, want) in columns {
            assert_eq!(got, want, "{}", case["name"]);
        }
        assert!(!explanation.explanation.is_empty(), "{}", case["name"]);
    }
}

/// A phase vector whose `getPhase` inputs are what `explain_pod` derives from a pod: its info as
/// the pod's container statuses, not terminal, `podHasInitialized` as
/// `HasAnyRegularContainerStarted`, and the v1.36 gates.
#[test]
fn the_phase_is_the_kubelets_for_every_vector_a_pod_can_express() {
    let cases: Vec<Value> = serde_json::from_str(PHASE_CASES).unwrap();
    let mut checked = 0;
    for case in &cases {
        let input = &case["input"];
        if input["podIsTerminal"].as_bool() != Some(false) || input.get("featureGates").is_some() {
            continue;
        }
        let mut pod: Pod = serde_json::from_value(input["pod"].clone()).unwrap();
        let info: Vec<ContainerStatus> =
            serde_json::from_value(input["getPhaseInfo"].clone()).unwrap();
        let spec = pod.spec.clone().unwrap();
        let init_names: Vec<&str> = spec
            .init_containers
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        let (init, regular): (Vec<ContainerStatus>, Vec<ContainerStatus>) = info
            .into_iter()
            .partition(|s| init_names.contains(&s.name.as_str()));
        if has_any_regular_container_started(&spec, &regular)
            != input["podHasInitialized"].as_bool().unwrap()
        {
            continue;
        }
        let status = pod.status.get_or_insert_with(Default::default);
        if status.phase.is_some() {
            continue;
        }
        status.init_container_statuses = Some(init);
        status.container_statuses = Some(regular);
        let explanation = explain_pod(&pod, now());
        assert_eq!(
            explanation.phase,
            case["expected"]["phase"].as_str().unwrap(),
            "{} ({})",
            case["name"],
            case["source"]
        );
        checked += 1;
    }
    // The vectors left out are terminal, gated, or give podHasInitialized by hand.
    assert_eq!(checked, 21);
}

#[test]
fn a_pod_with_nothing_but_a_name_is_explained_without_panicking() {
    let pod = fixture("apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\n");
    let explanation = explain_pod(&pod, now());
    assert_eq!(explanation.phase, "Pending");
    assert!(!explanation.explanation.is_empty());
}
