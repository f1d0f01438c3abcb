//! kubectl's views of a pod: `get` rows match Kubernetes' own printPod test vectors, durations
//! match apimachinery's HumanDuration tables, and `describe` reads exactly like kubectl's.

use expect_test::{expect, Expect};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use podplay_engine::view::{
    describe_pod, format_table, human_duration, pod_row, short_human_duration, EventRecord, PodRow,
};
use serde_json::Value;

const PRINTPOD_CASES: &str = include_str!("data/printpod_cases.json");

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamps are valid RFC 3339")
}

fn pod_from(json: Value) -> Pod {
    serde_json::from_value(json).expect("test pods are valid Kubernetes JSON")
}

/// The columns a vector's `expected` names, read off our row.
fn column(row: &PodRow, name: &str) -> String {
    match name {
        "READY" => row.ready.clone(),
        "STATUS" => row.status.clone(),
        "RESTARTS" => row.restarts.clone(),
        "AGE" => row.age.clone(),
        "IP" => row.ip.clone(),
        "NODE" => row.node.clone(),
        "NOMINATED NODE" => row.nominated_node.clone(),
        "READINESS GATES" => row.readiness_gates.clone(),
        other => panic!("vector names an unknown column {other:?}"),
    }
}

#[test]
fn every_printpod_vector_gets_kubernetes_columns() {
    let cases: Vec<Value> = serde_json::from_str(PRINTPOD_CASES).unwrap();
    assert_eq!(
        cases.len(),
        26,
        "the vector file changed; review the new cases"
    );
    let mut failures = Vec::new();
    let mut columns_checked = 0;
    for case in &cases {
        let label = format!("{} ({})", case["name"], case["source"]);
        let pod = pod_from(case["input"]["pod"].clone());
        let now = ts(case["input"]["now"].as_str().unwrap());
        let row = pod_row(&pod, now);
        let expected = case["expected"].as_object().unwrap();
        for (name, want) in expected {
            if name == "tableRowConditions" {
                let got: Vec<Value> = row
                    .conditions
                    .iter()
                    .map(|c| {
                        serde_json::json!({
                            "type": c.type_, "status": c.status,
                            "reason": c.reason, "message": c.message,
                        })
                    })
                    .collect();
                if &Value::Array(got.clone()) != want {
                    failures.push(format!("{label}: conditions {got:?}, want {want}"));
                }
                continue;
            }
            columns_checked += 1;
            let got = column(&row, name);
            if want.as_str() != Some(got.as_str()) {
                failures.push(format!("{label}: {name} = {got:?}, want {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(columns_checked >= 26 * 4);
}

/// A pod from the compact form the cases below use.
fn pod(spec: Value, status: Value) -> Pod {
    pod_from(serde_json::json!({
        "metadata": {"name": "p", "creationTimestamp": "2025-01-01T11:00:00Z"},
        "spec": spec,
        "status": status,
    }))
}

const NOW: &str = "2025-01-01T12:00:00Z";

fn row(spec: Value, status: Value) -> PodRow {
    pod_row(&pod(spec, status), ts(NOW))
}

#[test]
fn age_is_the_human_duration_since_creation() {
    let r = row(serde_json::json!({"containers": []}), serde_json::json!({}));
    assert_eq!(r.age, "60m");
}

#[test]
fn a_scheduling_gated_pod_says_so() {
    // printers_test.go: "Pod with SchedulingGated condition".
    let r = row(
        serde_json::json!({"containers": [{"name": "c"}]}),
        serde_json::json!({
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}],
        }),
    );
    assert_eq!(
        (r.ready.as_str(), r.status.as_str()),
        ("0/1", "SchedulingGated")
    );
}

#[test]
fn completed_with_a_running_ready_container_reads_running_or_not_ready() {
    // printPod: "change pod status back to Running if there is at least one container still
    // reporting as Running status"; the first container's reason wins, so list it first.
    let spec = serde_json::json!({"containers": [{"name": "done"}, {"name": "up"}]});
    let statuses = serde_json::json!([
        {"name": "done", "ready": false, "restartCount": 0, "image": "", "imageID": "",
         "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
        {"name": "up", "ready": true, "restartCount": 0, "image": "", "imageID": "",
         "state": {"running": {}}},
    ]);
    let ready = row(
        spec.clone(),
        serde_json::json!({"phase": "Running", "containerStatuses": statuses,
            "conditions": [{"type": "Ready", "status": "True"}]}),
    );
    assert_eq!(
        (ready.ready.as_str(), ready.status.as_str()),
        ("1/2", "Running")
    );
    let not_ready = row(
        spec,
        serde_json::json!({"phase": "Running", "containerStatuses": statuses,
            "conditions": [{"type": "Ready", "status": "False"}]}),
    );
    assert_eq!(not_ready.status, "NotReady");
}

#[test]
fn a_started_ready_sidecar_counts_as_ready_and_its_restarts_stay_after_initialization() {
    // TestPrintPodWithRestartableInitContainer: sidecar restarts are kept, regular init
    // container restarts are dropped once the pod has initialized.
    let r = row(
        serde_json::json!({
            "initContainers": [{"name": "init", "restartPolicy": "Never"},
                               {"name": "sidecar", "restartPolicy": "Always"}],
            "containers": [{"name": "app"}],
        }),
        serde_json::json!({
            "phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}],
            "initContainerStatuses": [
                {"name": "init", "ready": false, "restartCount": 2, "image": "", "imageID": "",
                 "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                {"name": "sidecar", "ready": true, "started": true, "restartCount": 4,
                 "image": "", "imageID": "", "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2025-01-01T11:55:00Z"}}},
            ],
            "containerStatuses": [
                {"name": "app", "ready": true, "restartCount": 1, "image": "", "imageID": "",
                 "state": {"running": {}},
                 "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2025-01-01T11:58:00Z"}}},
            ],
        }),
    );
    assert_eq!(
        (r.ready.as_str(), r.status.as_str(), r.restarts.as_str()),
        ("2/2", "Running", "5 (2m ago)")
    );
}

#[test]
fn a_waiting_init_container_shows_its_reason_and_a_deleted_pod_terminates() {
    let r = row(
        serde_json::json!({"initContainers": [{"name": "i"}], "containers": [{"name": "c"}]}),
        serde_json::json!({
            "phase": "Pending",
            "initContainerStatuses": [{"name": "i", "ready": false, "restartCount": 0,
                "image": "", "imageID": "", "state": {"waiting": {"reason": "ImagePullBackOff"}}}],
        }),
    );
    assert_eq!(r.status, "Init:ImagePullBackOff");

    let mut deleted = pod(
        serde_json::json!({"containers": [{"name": "c"}]}),
        serde_json::json!({"phase": "Running"}),
    );
    deleted.metadata.deletion_timestamp = Some(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(ts("2025-01-01T11:59:00Z")),
    );
    assert_eq!(pod_row(&deleted, ts(NOW)).status, "Terminating");
}

fn check_table(rows: &[PodRow], wide: bool, expected: Expect) {
    expected.assert_eq(&format_table(rows, wide));
}

#[test]
fn the_table_pads_columns_three_spaces_past_the_widest_cell() {
    let running = row(
        serde_json::json!({"containers": [{"name": "c"}], "nodeName": "node-1"}),
        serde_json::json!({
            "phase": "Running", "podIPs": [{"ip": "10.244.0.7"}],
            "containerStatuses": [{"name": "c", "ready": true, "restartCount": 0,
                "image": "", "imageID": "", "state": {"running": {}}}],
        }),
    );
    let mut crashing = row(
        serde_json::json!({"containers": [{"name": "c"}]}),
        serde_json::json!({
            "phase": "Running",
            "containerStatuses": [{"name": "c", "ready": false, "restartCount": 12,
                "image": "", "imageID": "",
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2025-01-01T11:57:30Z"}}}],
        }),
    );
    crashing.name = "crash-loop-demo".to_string();
    let rows = [running, crashing];
    check_table(
        &rows,
        false,
        expect![[r#"
            NAME              READY   STATUS             RESTARTS         AGE
            p                 1/1     Running            0                60m
            crash-loop-demo   0/1     CrashLoopBackOff   12 (2m30s ago)   60m
        "#]],
    );
    check_table(
        &rows,
        true,
        expect![[r#"
            NAME              READY   STATUS             RESTARTS         AGE   IP           NODE     NOMINATED NODE   READINESS GATES
            p                 1/1     Running            0                60m   10.244.0.7   node-1   <none>           <none>
            crash-loop-demo   0/1     CrashLoopBackOff   12 (2m30s ago)   60m   <none>       <none>   <none>           <none>
        "#]],
    );
}

#[test]
fn human_duration_matches_apimachinery_tables() {
    let s = SignedDuration::from_secs;
    let ms = SignedDuration::from_millis;
    let m = |n: i64| SignedDuration::from_mins(n);
    let h = |n: i64| SignedDuration::from_hours(n);
    let ns = SignedDuration::from_nanos;
    // TestHumanDuration
    let table: Vec<(SignedDuration, &str)> = vec![
        (s(1), "1s"),
        (s(70), "70s"),
        (s(190), "3m10s"),
        (m(70), "70m"),
        (h(47), "47h"),
        (h(49), "2d1h"),
        (h(8 * 24 + 2), "8d"),
        (h(367 * 24), "367d"),
        (h(365 * 2 * 24 + 25), "2y1d"),
        (h(365 * 8 * 24 + 2), "8y"),
        // TestHumanDurationBoundaries
        (s(-2), "<invalid>"),
        (s(-2) + ns(1), "0s"),
        (s(0), "0s"),
        (s(1) - ms(1), "0s"),
        (m(2) - ms(1), "119s"),
        (m(2), "2m"),
        (m(2) + s(1), "2m1s"),
        (m(10) - ms(1), "9m59s"),
        (m(10), "10m"),
        (m(10) + s(1), "10m"),
        (h(3) - ms(1), "179m"),
        (h(3), "3h"),
        (h(3) + m(1), "3h1m"),
        (h(8) - ms(1), "7h59m"),
        (h(8), "8h"),
        (h(8) + m(59), "8h"),
        (h(2 * 24) - ms(1), "47h"),
        (h(2 * 24), "2d"),
        (h(2 * 24) + h(1), "2d1h"),
        (h(8 * 24) - ms(1), "7d23h"),
        (h(8 * 24), "8d"),
        (h(8 * 24) + h(23), "8d"),
        (h(2 * 365 * 24) - ms(1), "729d"),
        (h(2 * 365 * 24), "2y"),
        (h(2 * 365 * 24) + h(23), "2y"),
        (h(2 * 365 * 24) + h(23) + m(59), "2y"),
        (h(2 * 365 * 24) + h(24) - ms(1), "2y"),
        (h(2 * 365 * 24) + h(24), "2y1d"),
        (h(3 * 365 * 24), "3y"),
        (h(4 * 365 * 24), "4y"),
        (h(5 * 365 * 24), "5y"),
        (h(6 * 365 * 24), "6y"),
        (h(7 * 365 * 24), "7y"),
        (h(8 * 365 * 24) - ms(1), "7y364d"),
        (h(8 * 365 * 24), "8y"),
        (h(8 * 365 * 24) + h(364 * 24), "8y"),
        (h(9 * 365 * 24), "9y"),
        // The examples in kubernetes-facts.md.
        (ns(6_000_000_000_000), "100m"),
        (h(5 * 24), "5d"),
        (h(10 * 365 * 24), "10y"),
    ];
    let failures: Vec<String> = table
        .iter()
        .filter(|(d, want)| human_duration(*d) != *want)
        .map(|(d, want)| format!("HumanDuration({d:?}) = {}, want {want}", human_duration(*d)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn short_human_duration_matches_apimachinery_boundaries() {
    let s = SignedDuration::from_secs;
    let ms = SignedDuration::from_millis;
    let m = |n: i64| SignedDuration::from_mins(n);
    let h = |n: i64| SignedDuration::from_hours(n);
    // TestShortHumanDurationBoundaries
    let table: Vec<(SignedDuration, &str)> = vec![
        (s(-2), "<invalid>"),
        (s(-2) + SignedDuration::from_nanos(1), "0s"),
        (s(0), "0s"),
        (s(1) - ms(1), "0s"),
        (s(1), "1s"),
        (s(2) - ms(1), "1s"),
        (m(1) - ms(1), "59s"),
        (m(1), "1m"),
        (m(2) - ms(1), "1m"),
        (h(1) - ms(1), "59m"),
        (h(1), "1h"),
        (h(2) - ms(1), "1h"),
        (h(24) - ms(1), "23h"),
        (h(24), "1d"),
        (h(2 * 24) - ms(1), "1d"),
        (h(365 * 24) - ms(1), "364d"),
        (h(365 * 24), "1y"),
        (h(2 * 365 * 24) - ms(1), "1y"),
        (h(2 * 365 * 24), "2y"),
    ];
    let failures: Vec<String> = table
        .iter()
        .filter(|(d, want)| short_human_duration(*d) != *want)
        .map(|(d, want)| {
            format!(
                "ShortHumanDuration({d:?}) = {}, want {want}",
                short_human_duration(*d)
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn event(
    type_: &str,
    reason: &str,
    source: &str,
    message: &str,
    first: &str,
    last: &str,
    count: i32,
) -> EventRecord {
    EventRecord {
        type_: type_.to_string(),
        reason: reason.to_string(),
        source: source.to_string(),
        message: message.to_string(),
        first_timestamp: Some(ts(first)),
        last_timestamp: Some(ts(last)),
        count,
    }
}

fn two_container_pod() -> Pod {
    pod_from(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "uid": "0b6a1f6e-2c1d-4b1e-9f7e-3d2c1b0a9f8e",
            "creationTimestamp": "2025-01-01T11:58:00Z",
            "labels": {"app": "web", "tier": "frontend"},
        },
        "spec": {
            "serviceAccountName": "default",
            "nodeName": "podplay-node",
            "priority": 0,
            "containers": [
                {
                    "name": "nginx",
                    "image": "nginx:1.27",
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "readinessProbe": {
                        "httpGet": {"path": "/", "port": 80, "scheme": "HTTP"},
                        "timeoutSeconds": 1, "periodSeconds": 10,
                        "successThreshold": 1, "failureThreshold": 3,
                    },
                    "resources": {"limits": {"memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}},
                    "volumeMounts": [{"name": "html", "mountPath": "/usr/share/nginx/html"}],
                },
                {
                    "name": "helper",
                    "image": "busybox:1.36",
                    "command": ["sh", "-c", "while true; do date > /pod-data/index.html; sleep 5; done"],
                    "env": [
                        {"name": "GREETING", "value": "hello"},
                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                        {"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
                    ],
                    "volumeMounts": [
                        {"name": "html", "mountPath": "/pod-data"},
                        {"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true},
                    ],
                },
            ],
            "volumes": [
                {"name": "html", "emptyDir": {}},
                {"name": "kube-api-access-x7k2p", "projected": {"sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
                ]}},
            ],
            "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            ],
        },
        "status": {
            "phase": "Running",
            "hostIP": "172.18.0.2",
            "podIP": "10.244.0.7",
            "podIPs": [{"ip": "10.244.0.7"}],
            "startTime": "2025-01-01T11:58:00Z",
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True"},
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "True"},
                {"type": "ContainersReady", "status": "True"},
                {"type": "PodScheduled", "status": "True"},
            ],
            "containerStatuses": [
                {"name": "nginx", "ready": true, "started": true, "restartCount": 0,
                 "image": "docker.io/library/nginx:1.27", "imageID": "docker.io/library/nginx@sha256:0a1b",
                 "containerID": "containerd://5f0c", "state": {"running": {"startedAt": "2025-01-01T11:58:12Z"}}},
                {"name": "helper", "ready": true, "started": true, "restartCount": 0,
                 "image": "docker.io/library/busybox:1.36", "imageID": "docker.io/library/busybox@sha256:9c8d",
                 "containerID": "containerd://7a3e", "state": {"running": {"startedAt": "2025-01-01T11:58:14Z"}}},
            ],
        },
    }))
}

#[test]
fn describe_shows_a_running_two_container_pod_with_its_events() {
    let events = [
        event("Normal", "Scheduled", "default-scheduler", "Successfully assigned default/web to podplay-node", "2025-01-01T11:58:00Z", "2025-01-01T11:58:00Z", 1),
        event("Normal", "Pulling", "kubelet", "Pulling image \"nginx:1.27\"", "2025-01-01T11:58:01Z", "2025-01-01T11:58:01Z", 1),
        event("Normal", "Pulled", "kubelet", "Successfully pulled image \"nginx:1.27\" in 10.2s (10.2s including waiting). Image size: 72099410 bytes.", "2025-01-01T11:58:11Z", "2025-01-01T11:58:11Z", 1),
        event("Normal", "Created", "kubelet", "Created container: nginx", "2025-01-01T11:58:11Z", "2025-01-01T11:58:11Z", 1),
        event("Normal", "Started", "kubelet", "Started container nginx", "2025-01-01T11:58:12Z", "2025-01-01T11:58:12Z", 1),
        event("Normal", "Pulled", "kubelet", "Container image \"busybox:1.36\" already present on machine", "2025-01-01T11:58:13Z", "2025-01-01T11:58:13Z", 1),
        event("Normal", "Created", "kubelet", "Created container: helper", "2025-01-01T11:58:13Z", "2025-01-01T11:58:13Z", 1),
        event("Normal", "Started", "kubelet", "Started container helper", "2025-01-01T11:58:14Z", "2025-01-01T11:58:14Z", 1),
    ];
    let text = describe_pod(&two_container_pod(), &events, ts(NOW));
    expect![[r#"
        Name:             web
        Namespace:        default
        Priority:         0
        Service Account:  default
        Node:             podplay-node/172.18.0.2
        Start Time:       Wed, 01 Jan 2025 11:58:00 +0000
        Labels:           app=web
                          tier=frontend
        Annotations:      <none>
        Status:           Running
        IP:               10.244.0.7
        IPs:
          IP:  10.244.0.7
        Containers:
          nginx:
            Container ID:   containerd://5f0c
            Image:          nginx:1.27
            Image ID:       docker.io/library/nginx@sha256:0a1b
            Port:           80/TCP
            Host Port:      0/TCP
            State:          Running
              Started:      Wed, 01 Jan 2025 11:58:12 +0000
            Ready:          True
            Restart Count:  0
            Limits:
              memory:  128Mi
            Requests:
              cpu:        100m
              memory:     64Mi
            Readiness:    http-get http://:80/ delay=0s timeout=1s period=10s #success=1 #failure=3
            Environment:  <none>
            Mounts:
              /usr/share/nginx/html from html (rw)
          helper:
            Container ID:  containerd://7a3e
            Image:         busybox:1.36
            Image ID:      docker.io/library/busybox@sha256:9c8d
            Port:          <none>
            Host Port:     <none>
            Command:
              sh
              -c
              while true; do date > /pod-data/index.html; sleep 5; done
            State:          Running
              Started:      Wed, 01 Jan 2025 11:58:14 +0000
            Ready:          True
            Restart Count:  0
            Environment:
              GREETING:  hello
              POD_NAME:  web (v1:metadata.name)
              NODE:       (v1:spec.nodeName)
            Mounts:
              /pod-data from html (rw)
              /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-x7k2p (ro)
        Conditions:
          Type                        Status
          PodReadyToStartContainers   True 
          Initialized                 True 
          Ready                       True 
          ContainersReady             True 
          PodScheduled                True 
        Volumes:
          html:
            Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
            Medium:     
            SizeLimit:  <unset>
          kube-api-access-x7k2p:
            Type:                    Projected (a volume that contains injected data from multiple sources)
            TokenExpirationSeconds:  3607
            ConfigMapName:           kube-root-ca.crt
            Optional:                false
            DownwardAPI:             true
        QoS Class:                   Burstable
        Node-Selectors:              <none>
        Tolerations:                 node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                                     node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
        Events:
          Type    Reason     Age   From               Message
          ----    ------     ----  ----               -------
          Normal  Scheduled  2m    default-scheduler  Successfully assigned default/web to podplay-node
          Normal  Pulling    119s  kubelet            Pulling image "nginx:1.27"
          Normal  Pulled     109s  kubelet            Successfully pulled image "nginx:1.27" in 10.2s (10.2s including waiting). Image size: 72099410 bytes.
          Normal  Created    109s  kubelet            Created container: nginx
          Normal  Started    108s  kubelet            Started container nginx
          Normal  Pulled     107s  kubelet            Container image "busybox:1.36" already present on machine
          Normal  Created    107s  kubelet            Created container: helper
          Normal  Started    106s  kubelet            Started container helper
    "#]]
    .assert_eq(&text);
}

fn crash_loop_pod() -> Pod {
    pod_from(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "crasher",
            "namespace": "default",
            "creationTimestamp": "2025-01-01T11:50:00Z",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"v1\"}\n", "team": "podplay"},
        },
        "spec": {
            "serviceAccountName": "default",
            "nodeName": "podplay-node",
            "restartPolicy": "Always",
            "containers": [{
                "name": "app",
                "image": "busybox:1.36",
                "command": ["sh", "-c", "echo starting; exit 1"],
                "resources": {"limits": {"cpu": "250m", "memory": "64Mi"}, "requests": {"cpu": "250m", "memory": "64Mi"}},
            }],
        },
        "status": {
            "phase": "Running",
            "hostIP": "172.18.0.2",
            "podIP": "10.244.0.9",
            "podIPs": [{"ip": "10.244.0.9"}],
            "startTime": "2025-01-01T11:50:00Z",
            "qosClass": "Guaranteed",
            "conditions": [
                {"type": "PodReadyToStartContainers", "status": "True"},
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
                {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady"},
                {"type": "PodScheduled", "status": "True"},
            ],
            "containerStatuses": [{
                "name": "app", "ready": false, "started": false, "restartCount": 6,
                "image": "docker.io/library/busybox:1.36", "imageID": "docker.io/library/busybox@sha256:9c8d",
                "containerID": "containerd://e1f2",
                "state": {"waiting": {"reason": "CrashLoopBackOff",
                    "message": "back-off 2m40s restarting failed container=app pod=crasher_default(uid)"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                    "startedAt": "2025-01-01T11:57:29Z", "finishedAt": "2025-01-01T11:57:30Z",
                    "containerID": "containerd://e1f2"}},
            }],
        },
    }))
}

#[test]
fn describe_shows_a_crash_looping_container_with_its_last_state_and_aggregated_events() {
    let events = [
        event(
            "Normal",
            "Scheduled",
            "default-scheduler",
            "Successfully assigned default/crasher to podplay-node",
            "2025-01-01T11:50:00Z",
            "2025-01-01T11:50:00Z",
            1,
        ),
        event(
            "Normal",
            "Pulled",
            "kubelet",
            "Container image \"busybox:1.36\" already present on machine",
            "2025-01-01T11:50:01Z",
            "2025-01-01T11:57:29Z",
            7,
        ),
        event(
            "Normal",
            "Created",
            "kubelet",
            "Created container: app",
            "2025-01-01T11:50:01Z",
            "2025-01-01T11:57:29Z",
            7,
        ),
        event(
            "Normal",
            "Started",
            "kubelet",
            "Started container app",
            "2025-01-01T11:50:01Z",
            "2025-01-01T11:57:29Z",
            7,
        ),
        event(
            "Warning",
            "BackOff",
            "kubelet",
            "Back-off restarting failed container app in pod crasher_default(uid)",
            "2025-01-01T11:50:03Z",
            "2025-01-01T11:59:40Z",
            33,
        ),
    ];
    let text = describe_pod(&crash_loop_pod(), &events, ts(NOW));
    expect![[r#"
        Name:             crasher
        Namespace:        default
        Service Account:  default
        Node:             podplay-node/172.18.0.2
        Start Time:       Wed, 01 Jan 2025 11:50:00 +0000
        Labels:           <none>
        Annotations:      team: podplay
        Status:           Running
        IP:               10.244.0.9
        IPs:
          IP:  10.244.0.9
        Containers:
          app:
            Container ID:  containerd://e1f2
            Image:         busybox:1.36
            Image ID:      docker.io/library/busybox@sha256:9c8d
            Port:          <none>
            Host Port:     <none>
            Command:
              sh
              -c
              echo starting; exit 1
            State:          Waiting
              Reason:       CrashLoopBackOff
            Last State:     Terminated
              Reason:       Error
              Exit Code:    1
              Started:      Wed, 01 Jan 2025 11:57:29 +0000
              Finished:     Wed, 01 Jan 2025 11:57:30 +0000
            Ready:          False
            Restart Count:  6
            Limits:
              cpu:     250m
              memory:  64Mi
            Requests:
              cpu:        250m
              memory:     64Mi
            Environment:  <none>
            Mounts:       <none>
        Conditions:
          Type                        Status
          PodReadyToStartContainers   True 
          Initialized                 True 
          Ready                       False 
          ContainersReady             False 
          PodScheduled                True 
        Volumes:                      <none>
        QoS Class:                    Guaranteed
        Node-Selectors:               <none>
        Tolerations:                  <none>
        Events:
          Type     Reason     Age                    From               Message
          ----     ------     ----                   ----               -------
          Normal   Scheduled  10m                    default-scheduler  Successfully assigned default/crasher to podplay-node
          Normal   Pulled     2m31s (x7 over 9m59s)  kubelet            Container image "busybox:1.36" already present on machine
          Normal   Created    2m31s (x7 over 9m59s)  kubelet            Created container: app
          Normal   Started    2m31s (x7 over 9m59s)  kubelet            Started container app
          Warning  BackOff    20s (x33 over 9m57s)   kubelet            Back-off restarting failed container app in pod crasher_default(uid)
    "#]]
    .assert_eq(&text);
}

#[test]
fn describe_without_events_says_none_and_computes_the_qos_class() {
    let mut p = crash_loop_pod();
    if let Some(status) = p.status.as_mut() {
        status.qos_class = None;
    }
    let text = describe_pod(&p, &[], ts(NOW));
    assert!(
        text.contains("QoS Class:                    Guaranteed\n"),
        "{text}"
    );
    assert!(
        text.ends_with("Events:                       <none>\n"),
        "{text}"
    );
}

#[test]
fn describe_shows_a_deleted_pod_as_terminating_and_lists_init_containers_first() {
    let mut p = pod(
        serde_json::json!({
            "initContainers": [{"name": "setup", "image": "busybox:1.36"}],
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        }),
        serde_json::json!({
            "phase": "Running",
            "initContainerStatuses": [{"name": "setup", "ready": true, "restartCount": 0,
                "image": "", "imageID": "",
                "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                    "startedAt": "2025-01-01T11:00:01Z", "finishedAt": "2025-01-01T11:00:02Z"}}}],
        }),
    );
    p.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(ts(
        "2025-01-01T12:00:30Z",
    )));
    p.metadata.deletion_grace_period_seconds = Some(30);
    let text = describe_pod(&p, &[], ts(NOW));
    let head: Vec<&str> = text.lines().take(22).collect();
    expect![[r#"
        Name:                      p
        Namespace:                 
        Node:                      <none>
        Labels:                    <none>
        Annotations:               <none>
        Status:                    Terminating (lasts <invalid>)
        Termination Grace Period:  30s
        IP:                        
        IPs:                       <none>
        Init Containers:
          setup:
            Container ID:   
            Image:          busybox:1.36
            Image ID:       
            Port:           <none>
            Host Port:      <none>
            State:          Terminated
              Reason:       Completed
              Exit Code:    0
              Started:      Wed, 01 Jan 2025 11:00:01 +0000
              Finished:     Wed, 01 Jan 2025 11:00:02 +0000
            Ready:          True"#]]
    .assert_eq(&head.join("\n"));
    assert!(
        text.contains("Containers:\n  app:\n    Image:        nginx:1.27\n"),
        "{text}"
    );
}
