//! API server defaulting: a stored object looks like `kubectl get -o yaml` shows it, field for
//! field, and each default comes from the Kubernetes function that sets it.

use expect_test::{expect, Expect};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Pod, PodSpec};
use podplay_engine::api::defaults::{
    admit_priority, default_daemon_set, default_deployment, default_job, default_pod,
    default_pod_in_document, default_pod_spec, default_replica_set, default_stateful_set,
    image_pull_policy, token_volume_name,
};
use serde_json::{json, Value};

fn pod(spec: Value) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web"},
        "spec": spec,
    }))
    .expect("test pod parses")
}

fn defaulted(spec: Value) -> Pod {
    let mut p = pod(spec);
    default_pod(&mut p);
    p
}

fn spec_json(p: &Pod) -> Value {
    serde_json::to_value(p.spec.as_ref().expect("spec")).expect("serializes")
}

fn check_json(value: &impl serde::Serialize, expected: Expect) {
    expected.assert_eq(&serde_json::to_string_pretty(value).expect("serializes"));
}

#[test]
fn a_minimal_pod_is_stored_with_every_api_server_default() {
    let p = defaulted(json!({"containers": [{"name": "nginx", "image": "nginx"}]}));
    check_json(
        &p,
        expect![[r#"
            {
              "apiVersion": "v1",
              "kind": "Pod",
              "metadata": {
                "name": "web"
              },
              "spec": {
                "containers": [
                  {
                    "image": "nginx",
                    "imagePullPolicy": "Always",
                    "name": "nginx",
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "volumeMounts": [
                      {
                        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                        "name": "kube-api-access-jxvft",
                        "readOnly": true
                      }
                    ]
                  }
                ],
                "dnsPolicy": "ClusterFirst",
                "enableServiceLinks": true,
                "preemptionPolicy": "PreemptLowerPriority",
                "priority": 0,
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "securityContext": {},
                "serviceAccount": "default",
                "serviceAccountName": "default",
                "terminationGracePeriodSeconds": 30,
                "tolerations": [
                  {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "tolerationSeconds": 300
                  },
                  {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "tolerationSeconds": 300
                  }
                ],
                "volumes": [
                  {
                    "name": "kube-api-access-jxvft",
                    "projected": {
                      "defaultMode": 420,
                      "sources": [
                        {
                          "serviceAccountToken": {
                            "expirationSeconds": 3607,
                            "path": "token"
                          }
                        },
                        {
                          "configMap": {
                            "items": [
                              {
                                "key": "ca.crt",
                                "path": "ca.crt"
                              }
                            ],
                            "name": "kube-root-ca.crt"
                          }
                        },
                        {
                          "downwardAPI": {
                            "items": [
                              {
                                "fieldRef": {
                                  "apiVersion": "v1",
                                  "fieldPath": "metadata.namespace"
                                },
                                "path": "namespace"
                              }
                            ]
                          }
                        }
                      ]
                    }
                  }
                ]
              }
            }"#]],
    );
}

#[test]
fn a_minimal_deployment_defaults_its_strategy_and_only_the_template_spec() {
    let mut d: Deployment = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                    "ports": [{"containerPort": 80}]}]}
            }
        }
    }))
    .expect("deployment parses");
    default_deployment(&mut d);
    check_json(
        &d,
        expect![[r#"
            {
              "apiVersion": "apps/v1",
              "kind": "Deployment",
              "metadata": {
                "name": "web"
              },
              "spec": {
                "progressDeadlineSeconds": 600,
                "replicas": 1,
                "revisionHistoryLimit": 10,
                "selector": {
                  "matchLabels": {
                    "app": "web"
                  }
                },
                "strategy": {
                  "rollingUpdate": {
                    "maxSurge": "25%",
                    "maxUnavailable": "25%"
                  },
                  "type": "RollingUpdate"
                },
                "template": {
                  "metadata": {
                    "labels": {
                      "app": "web"
                    }
                  },
                  "spec": {
                    "containers": [
                      {
                        "image": "nginx:1.27",
                        "imagePullPolicy": "IfNotPresent",
                        "name": "nginx",
                        "ports": [
                          {
                            "containerPort": 80,
                            "protocol": "TCP"
                          }
                        ],
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File"
                      }
                    ],
                    "dnsPolicy": "ClusterFirst",
                    "restartPolicy": "Always",
                    "schedulerName": "default-scheduler",
                    "securityContext": {},
                    "terminationGracePeriodSeconds": 30
                  }
                }
              }
            }"#]],
    );
}

#[test]
fn image_pull_policy_is_always_only_for_latest_written_or_implied() {
    let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let cases = [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("library/nginx", "Always"),
        ("docker.io/library/nginx", "Always"),
        ("localhost:5000/app", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("registry.example.com:5000/team/app:v2", "IfNotPresent"),
        ("nginx:Latest", "IfNotPresent"),
        (&format!("nginx@{digest}"), "IfNotPresent"),
        (&format!("nginx:latest@{digest}"), "Always"),
        (&format!("nginx:1.27@{digest}"), "IfNotPresent"),
        // ParseImageName fails: the tag is "" and the error ignored.
        ("Nginx", "IfNotPresent"),
        ("", "IfNotPresent"),
        ("nginx:", "IfNotPresent"),
        ("nginx@sha256:abc", "IfNotPresent"),
    ];
    for (image, expected) in cases {
        assert_eq!(image_pull_policy(image), expected, "image {image:?}");
    }
}

#[test]
fn an_explicit_image_pull_policy_is_kept() {
    let p = defaulted(json!({"containers": [
        {"name": "a", "image": "nginx", "imagePullPolicy": "Never"}]}));
    assert_eq!(spec_json(&p)["containers"][0]["imagePullPolicy"], "Never");
}

#[test]
fn init_and_ephemeral_containers_get_container_defaults() {
    let mut spec: PodSpec = serde_json::from_value(json!({
        "initContainers": [{"name": "init", "image": "busybox:1.36"}],
        "containers": [{"name": "c", "image": "busybox"}],
        "ephemeralContainers": [{"name": "debug", "image": "busybox"}],
    }))
    .expect("spec parses");
    default_pod_spec(&mut spec);
    let v = serde_json::to_value(&spec).expect("serializes");
    assert_eq!(v["initContainers"][0]["imagePullPolicy"], "IfNotPresent");
    assert_eq!(v["initContainers"][0]["terminationMessagePolicy"], "File");
    assert_eq!(v["ephemeralContainers"][0]["imagePullPolicy"], "Always");
    assert_eq!(
        v["ephemeralContainers"][0]["terminationMessagePath"],
        "/dev/termination-log"
    );
}

#[test]
fn probes_get_timeouts_thresholds_and_http_defaults() {
    let p = defaulted(json!({"containers": [{"name": "a", "image": "nginx",
        "livenessProbe": {"httpGet": {"port": 80}},
        "readinessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5, "timeoutSeconds": 0},
        "startupProbe": {"grpc": {"port": 9000}},
        "lifecycle": {"preStop": {"httpGet": {"port": "http", "path": "/quit"}}}}]}));
    let c = &spec_json(&p)["containers"][0];
    assert_eq!(
        c["livenessProbe"],
        json!({"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"},
            "failureThreshold": 3, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 1})
    );
    assert_eq!(c["readinessProbe"]["periodSeconds"], 5);
    assert_eq!(c["readinessProbe"]["timeoutSeconds"], 1);
    assert_eq!(
        c["startupProbe"]["grpc"],
        json!({"port": 9000, "service": ""})
    );
    assert_eq!(
        c["lifecycle"]["preStop"]["httpGet"],
        json!({"path": "/quit", "port": "http", "scheme": "HTTP"})
    );
}

#[test]
fn ports_default_to_tcp_and_copy_to_host_ports_only_with_host_network() {
    let p = defaulted(json!({"containers": [{"name": "a", "image": "nginx",
        "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]}]}));
    assert_eq!(
        spec_json(&p)["containers"][0]["ports"],
        json!([{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}])
    );
    let p = defaulted(
        json!({"hostNetwork": true, "containers": [{"name": "a", "image": "nginx",
        "ports": [{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 9091}]}]}),
    );
    assert_eq!(
        spec_json(&p)["containers"][0]["ports"],
        json!([{"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"},
            {"containerPort": 9090, "hostPort": 9091, "protocol": "TCP"}])
    );
}

#[test]
fn volumes_get_their_source_defaults() {
    let p = defaulted(
        json!({"containers": [{"name": "a", "image": "nginx"}], "volumes": [
            {"name": "scratch"},
            {"name": "cache", "emptyDir": {}},
            {"name": "cfg", "configMap": {"name": "app"}},
            {"name": "creds", "secret": {"secretName": "app", "defaultMode": 256}},
            {"name": "host", "hostPath": {"path": "/var/log"}},
            {"name": "info", "downwardAPI": {"items": [
                {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
            {"name": "token", "projected": {"sources": [
                {"serviceAccountToken": {"path": "token"}}]}},
            {"name": "img", "image": {"reference": "quay.io/data:v1"}},
        ]}),
    );
    check_json(
        &spec_json(&p)["volumes"],
        expect![[r#"
            [
              {
                "emptyDir": {},
                "name": "scratch"
              },
              {
                "emptyDir": {},
                "name": "cache"
              },
              {
                "configMap": {
                  "defaultMode": 420,
                  "name": "app"
                },
                "name": "cfg"
              },
              {
                "name": "creds",
                "secret": {
                  "defaultMode": 256,
                  "secretName": "app"
                }
              },
              {
                "hostPath": {
                  "path": "/var/log",
                  "type": ""
                },
                "name": "host"
              },
              {
                "downwardAPI": {
                  "defaultMode": 420,
                  "items": [
                    {
                      "fieldRef": {
                        "apiVersion": "v1",
                        "fieldPath": "metadata.labels"
                      },
                      "path": "labels"
                    }
                  ]
                },
                "name": "info"
              },
              {
                "name": "token",
                "projected": {
                  "defaultMode": 420,
                  "sources": [
                    {
                      "serviceAccountToken": {
                        "expirationSeconds": 3600,
                        "path": "token"
                      }
                    }
                  ]
                }
              },
              {
                "image": {
                  "pullPolicy": "IfNotPresent",
                  "reference": "quay.io/data:v1"
                },
                "name": "img"
              },
              {
                "name": "kube-api-access-jxvft",
                "projected": {
                  "defaultMode": 420,
                  "sources": [
                    {
                      "serviceAccountToken": {
                        "expirationSeconds": 3607,
                        "path": "token"
                      }
                    },
                    {
                      "configMap": {
                        "items": [
                          {
                            "key": "ca.crt",
                            "path": "ca.crt"
                          }
                        ],
                        "name": "kube-root-ca.crt"
                      }
                    },
                    {
                      "downwardAPI": {
                        "items": [
                          {
                            "fieldRef": {
                              "apiVersion": "v1",
                              "fieldPath": "metadata.namespace"
                            },
                            "path": "namespace"
                          }
                        ]
                      }
                    }
                  ]
                }
              }
            ]"#]],
    );
}

#[test]
fn requests_default_to_limits_on_pods_but_not_on_templates() {
    let spec = json!({"containers": [{"name": "a", "image": "nginx", "resources": {
        "limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m"}}}],
        "initContainers": [{"name": "i", "image": "busybox", "resources": {
        "limits": {"memory": "64Mi"}}}]});
    let p = defaulted(spec.clone());
    let v = spec_json(&p);
    assert_eq!(
        v["containers"][0]["resources"]["requests"],
        json!({"cpu": "100m", "memory": "128Mi"})
    );
    assert_eq!(
        v["initContainers"][0]["resources"]["requests"],
        json!({"memory": "64Mi"})
    );

    let mut template: PodSpec = serde_json::from_value(spec).expect("spec parses");
    default_pod_spec(&mut template);
    let v = serde_json::to_value(&template).expect("serializes");
    assert_eq!(
        v["initContainers"][0]["resources"],
        json!({"limits": {"memory": "64Mi"}})
    );
    assert_eq!(v.get("enableServiceLinks"), None);
}

#[test]
fn explicit_pod_spec_choices_are_kept() {
    let p = defaulted(json!({"containers": [{"name": "a", "image": "nginx"}],
        "restartPolicy": "Never", "dnsPolicy": "Default", "terminationGracePeriodSeconds": 0,
        "enableServiceLinks": false, "schedulerName": "mine",
        "securityContext": {"runAsUser": 1000}}));
    let v = spec_json(&p);
    assert_eq!(v["restartPolicy"], "Never");
    assert_eq!(v["dnsPolicy"], "Default");
    assert_eq!(v["terminationGracePeriodSeconds"], 0);
    assert_eq!(v["enableServiceLinks"], false);
    assert_eq!(v["schedulerName"], "mine");
    assert_eq!(v["securityContext"], json!({"runAsUser": 1000}));
}

#[test]
fn the_deprecated_service_account_field_mirrors_service_account_name() {
    let p = defaulted(json!({"containers": [{"name": "a", "image": "nginx"}],
        "serviceAccountName": "builder"}));
    assert_eq!(spec_json(&p)["serviceAccount"], "builder");
    // The old alias alone names the account, as the v1 conversion reads it.
    let p = defaulted(json!({"containers": [{"name": "a", "image": "nginx"}],
        "serviceAccount": "legacy"}));
    assert_eq!(spec_json(&p)["serviceAccountName"], "legacy");
    assert_eq!(spec_json(&p)["serviceAccount"], "legacy");
}

#[test]
fn mirror_pods_get_no_service_account() {
    let mut p = pod(json!({"containers": [{"name": "a", "image": "nginx"}]}));
    p.metadata.annotations =
        Some([("kubernetes.io/config.mirror".to_string(), "x".to_string())].into());
    default_pod(&mut p);
    assert_eq!(spec_json(&p).get("serviceAccountName"), None);
    // Nor a token volume: the plugin does not modify a mirror pod's spec at all.
    assert_eq!(spec_json(&p).get("volumes"), None);
    assert_eq!(spec_json(&p)["containers"][0].get("volumeMounts"), None);
}

#[test]
fn default_tolerations_are_added_only_where_nothing_already_tolerates() {
    let p = defaulted(
        json!({"containers": [{"name": "a", "image": "nginx"}], "tolerations": [
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 60}]}),
    );
    assert_eq!(
        spec_json(&p)["tolerations"],
        json!([
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 60},
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}])
    );
    // An empty key with an empty effect tolerates everything.
    let p = defaulted(json!({"containers": [{"name": "a", "image": "nginx"}],
        "tolerations": [{"operator": "Exists"}]}));
    assert_eq!(
        spec_json(&p)["tolerations"],
        json!([{"operator": "Exists"}])
    );
}

#[test]
fn priority_comes_from_the_priority_class() {
    let p = defaulted(json!({"containers": [{"name": "a", "image": "nginx"}],
        "priorityClassName": "system-node-critical"}));
    assert_eq!(spec_json(&p)["priority"], 2_000_001_000);
    assert_eq!(spec_json(&p)["preemptionPolicy"], "PreemptLowerPriority");

    let mut p = pod(json!({"containers": [{"name": "a", "image": "nginx"}],
        "priorityClassName": "gold"}));
    assert_eq!(
        admit_priority(&mut p),
        Err(r#"pods "web" is forbidden: no PriorityClass with name gold was found"#.to_string())
    );
    let mut p = pod(json!({"containers": [{"name": "a", "image": "nginx"}], "priority": 10}));
    assert_eq!(
        admit_priority(&mut p),
        Err(r#"pods "web" is forbidden: the integer value of priority (10) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name"#.to_string())
    );
    assert_eq!(
        p.spec.as_ref().and_then(|s| s.preemption_policy.clone()),
        None
    );
}

#[test]
fn replica_sets_stateful_sets_and_daemon_sets_get_their_workload_defaults() {
    let template = json!({"metadata": {"labels": {"app": "x"}},
        "spec": {"containers": [{"name": "a", "image": "nginx"}]}});
    let selector = json!({"matchLabels": {"app": "x"}});
    let mut rs: ReplicaSet = serde_json::from_value(json!({"metadata": {"name": "x"},
        "spec": {"selector": selector, "template": template}}))
    .expect("parses");
    default_replica_set(&mut rs);
    let v = serde_json::to_value(&rs).expect("serializes");
    assert_eq!(v["spec"]["replicas"], 1);
    assert_eq!(v["spec"]["template"]["spec"]["restartPolicy"], "Always");

    let mut ss: StatefulSet = serde_json::from_value(json!({"metadata": {"name": "x"},
        "spec": {"selector": selector, "serviceName": "x", "template": template}}))
    .expect("parses");
    default_stateful_set(&mut ss);
    let v = serde_json::to_value(&ss).expect("serializes");
    assert_eq!(
        json!({"podManagementPolicy": v["spec"]["podManagementPolicy"],
            "replicas": v["spec"]["replicas"], "revisionHistoryLimit": v["spec"]["revisionHistoryLimit"],
            "updateStrategy": v["spec"]["updateStrategy"],
            "persistentVolumeClaimRetentionPolicy": v["spec"]["persistentVolumeClaimRetentionPolicy"]}),
        json!({"podManagementPolicy": "OrderedReady", "replicas": 1, "revisionHistoryLimit": 10,
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"}})
    );
    // An explicit OnDelete strategy gets no rollingUpdate.
    let mut ss: StatefulSet = serde_json::from_value(json!({"metadata": {"name": "x"},
        "spec": {"selector": selector, "template": template,
                 "updateStrategy": {"type": "OnDelete"}}}))
    .expect("parses");
    default_stateful_set(&mut ss);
    let v = serde_json::to_value(&ss).expect("serializes");
    assert_eq!(v["spec"]["updateStrategy"], json!({"type": "OnDelete"}));

    let mut ds: DaemonSet = serde_json::from_value(json!({"metadata": {"name": "x"},
        "spec": {"selector": selector, "template": template}}))
    .expect("parses");
    default_daemon_set(&mut ds);
    let v = serde_json::to_value(&ds).expect("serializes");
    assert_eq!(
        v["spec"]["updateStrategy"],
        json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}})
    );
    assert_eq!(v["spec"]["revisionHistoryLimit"], 10);
}

#[test]
fn a_job_gets_its_batch_defaults_and_its_template_labels() {
    let mut job: Job = serde_json::from_value(json!({"metadata": {"name": "pi"},
        "spec": {"template": {"metadata": {"labels": {"app": "pi"}},
            "spec": {"restartPolicy": "Never",
                "containers": [{"name": "pi", "image": "perl:5.34"}]}}}}))
    .expect("parses");
    default_job(&mut job);
    let v = serde_json::to_value(&job).expect("serializes");
    assert_eq!(v["metadata"]["labels"], json!({"app": "pi"}));
    let mut spec = v["spec"].clone();
    spec.as_object_mut().map(|o| o.remove("template"));
    assert_eq!(
        spec,
        json!({"backoffLimit": 6, "completionMode": "NonIndexed", "completions": 1,
            "manualSelector": false, "parallelism": 1,
            "podReplacementPolicy": "TerminatingOrFailed", "suspend": false})
    );
    assert_eq!(v["spec"]["template"]["spec"]["restartPolicy"], "Never");

    let mut job: Job = serde_json::from_value(json!({"metadata": {"name": "idx"},
        "spec": {"completions": 5, "completionMode": "Indexed", "backoffLimitPerIndex": 1,
            "podFailurePolicy": {"rules": [{"action": "Ignore",
                "onPodConditions": [{"type": "DisruptionTarget"}]}]},
            "template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "w", "image": "busybox"}]}}}}))
    .expect("parses");
    default_job(&mut job);
    let v = serde_json::to_value(&job).expect("serializes");
    assert_eq!(v["spec"]["parallelism"], 1);
    assert_eq!(v["spec"]["backoffLimit"], 2147483647);
    assert_eq!(v["spec"]["podReplacementPolicy"], "Failed");
    assert_eq!(
        v["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"],
        "True"
    );
}

#[test]
fn defaulting_twice_changes_nothing() {
    let mut p = defaulted(json!({"containers": [{"name": "a", "image": "nginx",
        "ports": [{"containerPort": 80}], "livenessProbe": {"httpGet": {"port": 80}}}],
        "volumes": [{"name": "v"}]}));
    let once = p.clone();
    default_pod(&mut p);
    assert_eq!(p, once);
}

/// The names of a pod spec's volumes and, per container, the `name -> mountPath` of its mounts.
fn volumes_and_mounts(p: &Pod) -> String {
    let spec = p.spec.as_ref().expect("spec");
    let mut out = String::new();
    let volumes: Vec<&str> = spec
        .volumes
        .iter()
        .flatten()
        .map(|v| v.name.as_str())
        .collect();
    out.push_str(&format!("volumes: {volumes:?}\n"));
    let init = spec.init_containers.iter().flatten();
    for c in init.chain(spec.containers.iter()) {
        out.push_str(&format!("{}:", c.name));
        for m in c.volume_mounts.iter().flatten() {
            let ro = if m.read_only == Some(true) {
                " (ro)"
            } else {
                ""
            };
            out.push_str(&format!(" {} -> {}{ro};", m.name, m.mount_path));
        }
        out.push('\n');
    }
    for c in spec.ephemeral_containers.iter().flatten() {
        let n = c.volume_mounts.as_ref().map_or(0, Vec::len);
        out.push_str(&format!("{} (ephemeral): {n} mounts\n", c.name));
    }
    out
}

#[test]
fn the_service_account_plugin_mounts_its_token_volume_into_init_and_regular_containers() {
    // TestAutomountsAPIToken: the volume is appended after the pod's own, and the mount after
    // each container's own, read-only at the API token path. Ephemeral containers are left
    // alone (mountServiceAccountToken walks init containers and containers only).
    let p = defaulted(json!({
        "initContainers": [{"name": "setup", "image": "busybox"}],
        "containers": [{"name": "app", "image": "nginx",
            "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
        "ephemeralContainers": [{"name": "debug", "image": "busybox"}],
        "volumes": [{"name": "data", "emptyDir": {}}]}));
    expect![[r#"
        volumes: ["data", "kube-api-access-jxvft"]
        setup: kube-api-access-jxvft -> /var/run/secrets/kubernetes.io/serviceaccount (ro);
        app: data -> /data; kube-api-access-jxvft -> /var/run/secrets/kubernetes.io/serviceaccount (ro);
        debug (ephemeral): 0 mounts
    "#]]
    .assert_eq(&volumes_and_mounts(&p));
}

#[test]
fn a_mount_at_the_token_path_is_respected_and_needs_no_token_volume() {
    // TestRespectsExistingMount: a container that mounts anything at the path keeps it; when no
    // container needs the token volume, none is added.
    let p = defaulted(json!({
        "containers": [{"name": "app", "image": "nginx", "volumeMounts": [
            {"name": "my-custom-mount", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
        "volumes": [{"name": "my-custom-mount", "emptyDir": {}}]}));
    expect![[r#"
        volumes: ["my-custom-mount"]
        app: my-custom-mount -> /var/run/secrets/kubernetes.io/serviceaccount;
    "#]]
    .assert_eq(&volumes_and_mounts(&p));
    // One container with its own mount, one without: only the second gets the token.
    let p = defaulted(json!({
        "containers": [
            {"name": "own", "image": "nginx", "volumeMounts": [
                {"name": "mine", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]},
            {"name": "plain", "image": "nginx"}],
        "volumes": [{"name": "mine", "emptyDir": {}}]}));
    expect![[r#"
        volumes: ["mine", "kube-api-access-jxvft"]
        own: mine -> /var/run/secrets/kubernetes.io/serviceaccount;
        plain: kube-api-access-jxvft -> /var/run/secrets/kubernetes.io/serviceaccount (ro);
    "#]]
    .assert_eq(&volumes_and_mounts(&p));
}

#[test]
fn a_volume_named_kube_api_access_dash_anything_is_taken_as_the_token_volume() {
    // The plugin reuses the first volume with the `kube-api-access-` prefix, whatever its
    // source, and adds no second one.
    let p = defaulted(json!({
        "containers": [{"name": "app", "image": "nginx"}],
        "volumes": [{"name": "kube-api-access-mine", "emptyDir": {}}]}));
    expect![[r#"
        volumes: ["kube-api-access-mine"]
        app: kube-api-access-mine -> /var/run/secrets/kubernetes.io/serviceaccount (ro);
    "#]]
    .assert_eq(&volumes_and_mounts(&p));
}

#[test]
fn automount_service_account_token_false_on_the_pod_mounts_nothing() {
    // shouldAutomount: the pod's preference wins; `true` is the same as unset here, as the
    // `default` ServiceAccount does not opt out.
    let p = defaulted(json!({"automountServiceAccountToken": false,
        "containers": [{"name": "app", "image": "nginx"}]}));
    expect![[r#"
        volumes: []
        app:
    "#]]
    .assert_eq(&volumes_and_mounts(&p));
    assert_eq!(spec_json(&p)["serviceAccountName"], "default");
    let p = defaulted(json!({"automountServiceAccountToken": true,
        "containers": [{"name": "app", "image": "nginx"}]}));
    assert_eq!(
        spec_json(&p)["volumes"][0]["name"],
        token_volume_name(1, "web")
    );
}

#[test]
fn the_token_volume_name_is_five_generated_characters_fixed_by_document_and_pod_name() {
    // names.SimpleNameGenerator: the prefix and five characters of its alphabet; podplay's are
    // a function of the input, so the same manifest always gives the same name.
    let name = token_volume_name(1, "web");
    let suffix = name
        .strip_prefix("kube-api-access-")
        .expect("the plugin's prefix");
    assert_eq!(suffix.len(), 5);
    assert!(suffix
        .bytes()
        .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)));
    assert_eq!(token_volume_name(1, "web"), name);
    assert_ne!(token_volume_name(2, "web"), name);
    assert_ne!(token_volume_name(1, "api"), name);
    let mut p = pod(json!({"containers": [{"name": "app", "image": "nginx"}]}));
    default_pod_in_document(&mut p, 2);
    assert_eq!(
        spec_json(&p)["volumes"][0]["name"],
        token_volume_name(2, "web")
    );
}
