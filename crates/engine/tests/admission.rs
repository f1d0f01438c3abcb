//! Pod Security admission: each check passes and fails exactly where the Go checks do, with their
//! words, and the API server's rejection and warning texts come out character for character.

use std::collections::BTreeMap;

use expect_test::{expect, Expect};
use k8s_openapi::api::core::v1::{Namespace, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use podplay_engine::api::admission::{
    admit, check_pod, check_pod_at, go_quote, Level, LevelVersion, NamespacePolicy, PolicyVersion,
    Violation,
};
use serde_json::{json, Value};

fn spec(v: Value) -> PodSpec {
    serde_json::from_value(v).expect("test spec parses")
}

fn pod(name: &str, spec: Value) -> Pod {
    serde_json::from_value(json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name}, "spec": spec}))
    .expect("test pod parses")
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn policy(pairs: &[(&str, &str)]) -> NamespacePolicy {
    NamespacePolicy::from_labels(&labels(pairs))
}

/// The one violation of check `id` under restricted:latest, as `reason (detail)`.
fn violation_of(id: &str, spec: &PodSpec, meta: &ObjectMeta) -> Option<String> {
    check_pod(Level::Restricted, spec, meta)
        .into_iter()
        .find(|v| v.check == id)
        .map(|v| v.to_string())
}

fn detail_of(id: &str, s: Value) -> Option<String> {
    check_pod(Level::Restricted, &spec(s), &ObjectMeta::default())
        .into_iter()
        .find(|v| v.check == id)
        .map(|v| v.detail)
}

fn check_rejection(policy: &NamespacePolicy, pod: &Pod, expected: Expect) {
    let a = admit(policy, pod);
    assert!(a.warnings.is_empty(), "no warnings with a rejection");
    expected.assert_eq(a.rejected.as_deref().unwrap_or("<admitted>"));
}

#[test]
fn every_pod_security_vector_case_gets_the_api_servers_exact_message() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("data/validation_cases.json")).expect("vectors parse");
    let mut ran = 0;
    for case in cases.iter().filter(|c| {
        c["source"]
            .as_str()
            .is_some_and(|s| s.contains("pod-security-admission"))
    }) {
        let ns: Namespace =
            serde_json::from_value(case["input"]["namespace"].clone()).expect("namespace parses");
        let p: Pod = serde_json::from_value(case["input"]["pod"].clone()).expect("pod parses");
        let a = admit(&NamespacePolicy::from_namespace(&ns), &p);
        let accepted = case["expected"]["accepted"]
            .as_bool()
            .expect("accepted is a bool");
        assert_eq!(a.rejected.is_none(), accepted, "{}", case["name"]);
        if let Some(msg) = case["expected"]["apiServerMessage"].as_str() {
            assert_eq!(a.rejected.as_deref(), Some(msg), "{}", case["name"]);
        }
        ran += 1;
    }
    assert!(ran >= 1, "the vectors hold Pod Security cases");
}

#[test]
fn a_plain_pod_in_a_restricted_namespace_is_refused_with_the_four_classic_violations() {
    let p = pod(
        "nginx",
        json!({"containers": [{"name": "nginx", "image": "nginx"}]}),
    );
    check_rejection(
        &policy(&[("pod-security.kubernetes.io/enforce", "restricted")]),
        &p,
        expect![[
            r#"pods "nginx" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
        ]],
    );
}

#[test]
fn a_privileged_container_is_refused_under_baseline() {
    let p = pod(
        "x",
        json!({"containers": [{"name": "c", "image": "nginx",
        "securityContext": {"privileged": true}}]}),
    );
    check_rejection(
        &policy(&[("pod-security.kubernetes.io/enforce", "baseline")]),
        &p,
        expect![[
            r#"pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)"#
        ]],
    );
}

#[test]
fn baseline_violations_are_listed_in_check_id_order() {
    let p = pod(
        "x",
        json!({
        "hostNetwork": true, "hostPID": true,
        "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]},
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
        "containers": [{"name": "c", "image": "nginx",
            "ports": [{"containerPort": 80, "hostPort": 8080}],
            "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN", "NET_RAW"]},
                "seccompProfile": {"type": "Unconfined"}, "procMount": "Unmasked",
                "appArmorProfile": {"type": "Unconfined"}}}]}),
    );
    check_rejection(
        &policy(&[("pod-security.kubernetes.io/enforce", "baseline")]),
        &p,
        expect![[
            r#"pods "x" is forbidden: violates PodSecurity "baseline:latest": forbidden AppArmor profile (container "c" must not set AppArmor profile type to "Unconfined"), non-default capabilities (container "c" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add), host namespaces (hostNetwork, hostPID), hostPath volumes (volume "root"), hostPort (container "c" uses hostPort 8080), privileged (container "c" must not set securityContext.privileged=true), procMount (container "c" must not set securityContext.procMount to "Unmasked"), seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined"), forbidden sysctls (kernel.msgmax)"#
        ]],
    );
}

#[test]
fn a_compliant_pod_passes_restricted() {
    let p = pod(
        "ok",
        json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "volumes": [{"name": "data", "emptyDir": {}}, {"name": "scratch"}],
        "containers": [{"name": "c", "image": "nginx", "securityContext": {
            "allowPrivilegeEscalation": false,
            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}]}),
    );
    let a = admit(
        &policy(&[("pod-security.kubernetes.io/enforce", "restricted")]),
        &p,
    );
    assert_eq!(a, Default::default());
}

#[test]
fn warn_mode_admits_the_pod_with_a_would_violate_warning() {
    let p = pod(
        "x",
        json!({"containers": [{"name": "c", "image": "nginx"}]}),
    );
    let a = admit(
        &policy(&[
            ("pod-security.kubernetes.io/enforce", "baseline"),
            ("pod-security.kubernetes.io/warn", "restricted"),
            ("pod-security.kubernetes.io/warn-version", "v1.30"),
            ("pod-security.kubernetes.io/audit", "restricted"),
        ]),
        &p,
    );
    assert_eq!(a.rejected, None);
    expect![[r#"
        [
            "would violate PodSecurity \"restricted:v1.30\": allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
        ]
    "#]]
    .assert_debug_eq(&a.warnings);
    // Audit at restricted:latest finds the same violations.
    assert_eq!(
        a.audit_violations,
        a.warnings
            .first()
            .map(|w| w.replace("restricted:v1.30", "restricted:latest"))
    );
}

#[test]
fn a_rejected_pod_gets_no_warnings() {
    let p = pod(
        "x",
        json!({"hostIPC": true, "containers": [{"name": "c", "image": "nginx"}]}),
    );
    let a = admit(
        &policy(&[
            ("pod-security.kubernetes.io/enforce", "baseline"),
            ("pod-security.kubernetes.io/warn", "restricted"),
        ]),
        &p,
    );
    assert_eq!(
        a.rejected.as_deref(),
        Some(
            r#"pods "x" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostIPC)"#
        )
    );
    assert!(a.warnings.is_empty());
}

#[test]
fn a_namespace_without_labels_is_privileged_everywhere() {
    let p = pod(
        "x",
        json!({"hostPID": true, "containers": [{"name": "c", "image": "nginx",
        "securityContext": {"privileged": true}}]}),
    );
    assert_eq!(admit(&NamespacePolicy::default(), &p), Default::default());
    assert_eq!(
        NamespacePolicy::from_namespace(&Namespace::default()),
        NamespacePolicy::default()
    );
}

#[test]
fn invalid_labels_fail_closed_for_enforce_and_open_for_warn_and_audit() {
    let p = policy(&[
        ("pod-security.kubernetes.io/enforce", "strict"),
        ("pod-security.kubernetes.io/enforce-version", "1.25"),
        ("pod-security.kubernetes.io/warn", "Baseline"),
        ("pod-security.kubernetes.io/audit-version", "v1.025"),
    ]);
    assert_eq!(p.enforce.to_string(), "restricted:latest");
    assert_eq!(p.warn.to_string(), "privileged:latest");
    assert_eq!(p.audit.to_string(), "privileged:latest");
    expect![[r#"
        [
            "metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted",
            "metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: \"1.25\": must be \"latest\" or \"v1.x\"",
            "metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: \"v1.025\": must be \"latest\" or \"v1.x\"",
            "metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: \"Baseline\": must be one of privileged, baseline, restricted",
        ]
    "#]]
    .assert_debug_eq(&p.errors);
}

#[test]
fn versions_parse_as_latest_or_v1_minor() {
    for (s, v) in [
        ("latest", Ok(PolicyVersion::Latest)),
        ("v1.0", Ok(PolicyVersion::V1(0))),
        ("v1.25", Ok(PolicyVersion::V1(25))),
        ("v1.99", Ok(PolicyVersion::V1(99))),
        ("v1.01", Err(PolicyVersion::Latest)),
        ("v2.0", Err(PolicyVersion::Latest)),
        ("1.25", Err(PolicyVersion::Latest)),
        ("v1.", Err(PolicyVersion::Latest)),
        ("Latest", Err(PolicyVersion::Latest)),
    ] {
        assert_eq!(PolicyVersion::parse(s), v, "{s}");
    }
}

#[test]
fn warn_follows_a_stricter_enforce_level_when_unset() {
    let p = policy(&[
        ("pod-security.kubernetes.io/enforce", "baseline"),
        ("pod-security.kubernetes.io/enforce-version", "v1.28"),
    ]);
    assert_eq!(p.warn.to_string(), "baseline:v1.28");
    assert_eq!(p.audit.to_string(), "privileged:latest");
}

#[test]
fn a_generate_name_pod_is_refused_without_a_name() {
    let mut p = pod(
        "",
        json!({"hostNetwork": true, "containers": [{"name": "c", "image": "nginx"}]}),
    );
    p.metadata.name = None;
    p.metadata.generate_name = Some("web-".to_string());
    check_rejection(
        &policy(&[("pod-security.kubernetes.io/enforce", "baseline")]),
        &p,
        expect![[
            r#"pods is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork)"#
        ]],
    );
}

// --- Ported from the Go check_*_test.go tables ------------------------------------------------

#[test]
fn privileged_names_every_privileged_container() {
    let s = json!({"initContainers": [{"name": "i", "securityContext": {"privileged": true}}],
        "containers": [{"name": "a", "securityContext": {"privileged": false}},
            {"name": "b", "securityContext": {"privileged": true}}, {"name": "c"}]});
    assert_eq!(
        detail_of("privileged", s).as_deref(),
        Some(r#"containers "i", "b" must not set securityContext.privileged=true"#)
    );
}

#[test]
fn host_ports_list_containers_and_sorted_ports() {
    // TestHostPort
    let one = json!({"containers": [{"name": "a", "ports": [{"containerPort": 1, "hostPort": 0}]},
        {"name": "b", "ports": [{"containerPort": 1}, {"containerPort": 2, "hostPort": 20}]}]});
    assert_eq!(
        detail_of("hostPorts", one).as_deref(),
        Some(r#"container "b" uses hostPort 20"#)
    );
    let many = json!({"containers": [{"name": "a", "ports": [{"containerPort": 1}]},
        {"name": "b", "ports": [{"containerPort": 1}, {"containerPort": 2, "hostPort": 10},
            {"containerPort": 3, "hostPort": 20}]},
        {"name": "c", "ports": [{"containerPort": 1}, {"containerPort": 2, "hostPort": 10},
            {"containerPort": 3, "hostPort": 30}]}]});
    assert_eq!(
        detail_of("hostPorts", many).as_deref(),
        Some(r#"containers "b", "c" use hostPorts 10, 20, 30"#)
    );
}

#[test]
fn restricted_volumes_name_every_restricted_type() {
    // TestRestrictedVolumes "host path volumes": the unknown c1 has no source at all.
    let mut volumes = vec![
        json!({"name": "a1", "emptyDir": {}}),
        json!({"name": "a2", "secret": {}}),
        json!({"name": "a3", "persistentVolumeClaim": {"claimName": "x"}}),
        json!({"name": "a4", "downwardAPI": {}}),
        json!({"name": "a5", "configMap": {}}),
        json!({"name": "a6", "projected": {}}),
        json!({"name": "a7", "csi": {"driver": "x"}}),
        json!({"name": "a8", "ephemeral": {}}),
        json!({"name": "a9", "image": {}}),
    ];
    let restricted = [
        ("hostPath", json!({"path": "/"})),
        ("gcePersistentDisk", json!({"pdName": "x"})),
        ("awsElasticBlockStore", json!({"volumeID": "x"})),
        ("gitRepo", json!({"repository": "x"})),
        ("nfs", json!({"server": "x", "path": "/"})),
        ("iscsi", json!({"targetPortal": "x", "iqn": "x", "lun": 0})),
        ("glusterfs", json!({"endpoints": "x", "path": "x"})),
        ("rbd", json!({"monitors": [], "image": "x"})),
        ("flexVolume", json!({"driver": "x"})),
        ("cinder", json!({"volumeID": "x"})),
        ("cephfs", json!({"monitors": []})),
        ("flocker", json!({})),
        ("fc", json!({})),
        ("azureFile", json!({"secretName": "x", "shareName": "x"})),
        ("vsphereVolume", json!({"volumePath": "x"})),
        ("quobyte", json!({"registry": "x", "volume": "x"})),
        ("azureDisk", json!({"diskName": "x", "diskURI": "x"})),
        ("photonPersistentDisk", json!({"pdID": "x"})),
        ("portworxVolume", json!({"volumeID": "x"})),
        (
            "scaleIO",
            json!({"gateway": "x", "system": "x", "secretRef": {}}),
        ),
        ("storageos", json!({})),
    ];
    for (i, (kind, source)) in restricted.iter().enumerate() {
        volumes.push(json!({"name": format!("b{}", i + 1), *kind: source}));
    }
    volumes.push(json!({"name": "c1"}));
    let s = spec(json!({"containers": [], "volumes": volumes}));
    expect![[r#"restricted volume types (volumes "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "c1" use restricted volume types "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "unknown", "vsphereVolume")"#]]
        .assert_eq(&violation_of("restrictedVolumes", &s, &ObjectMeta::default()).unwrap_or_default());
    // Under restricted, hostPathVolumes is replaced by restrictedVolumes.
    assert!(violation_of("hostPathVolumes", &s, &ObjectMeta::default()).is_none());
}

#[test]
fn run_as_non_root_needs_true_on_the_pod_or_every_container() {
    // TestRunAsNonRoot
    let cases = [
        (
            json!({"containers": [{"name": "a"}]}),
            Some(r#"pod or container "a" must set securityContext.runAsNonRoot=true"#),
        ),
        (
            json!({"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}]}),
            Some("pod must not set securityContext.runAsNonRoot=false"),
        ),
        (
            json!({"securityContext": {"runAsNonRoot": true}, "containers": [
            {"name": "a"}, {"name": "b", "securityContext": {}},
            {"name": "c", "securityContext": {"runAsNonRoot": false}},
            {"name": "d", "securityContext": {"runAsNonRoot": false}},
            {"name": "e", "securityContext": {"runAsNonRoot": true}},
            {"name": "f", "securityContext": {"runAsNonRoot": true}}]}),
            Some(r#"containers "c", "d" must not set securityContext.runAsNonRoot=false"#),
        ),
        (
            json!({"containers": [{"name": "a"}, {"name": "b", "securityContext": {}},
            {"name": "d", "securityContext": {"runAsNonRoot": true}},
            {"name": "e", "securityContext": {"runAsNonRoot": true}}]}),
            Some(r#"pod or containers "a", "b" must set securityContext.runAsNonRoot=true"#),
        ),
        (json!({"hostUsers": false, "containers": []}), None),
    ];
    for (s, expected) in cases {
        assert_eq!(
            detail_of("runAsNonRoot", s.clone()).as_deref(),
            expected,
            "{s}"
        );
    }
}

#[test]
fn user_namespaced_pods_are_relaxed_only_from_policy_v1_35() {
    let s = spec(
        json!({"hostUsers": false, "securityContext": {"runAsUser": 0},
        "containers": [{"name": "a", "securityContext": {"procMount": "Unmasked"}}]}),
    );
    let meta = ObjectMeta::default();
    let ids = |level, version| -> Vec<&'static str> {
        check_pod_at(LevelVersion { level, version }, &s, &meta)
            .iter()
            .map(|v| v.check)
            .collect()
    };
    assert!(!ids(Level::Baseline, PolicyVersion::Latest).contains(&"procMount"));
    assert!(ids(Level::Baseline, PolicyVersion::V1(34)).contains(&"procMount"));
    let latest = ids(Level::Restricted, PolicyVersion::Latest);
    assert!(!latest.contains(&"runAsUser") && !latest.contains(&"runAsNonRoot"));
    assert!(latest.contains(&"procMount_restricted"));
    let v134 = ids(Level::Restricted, PolicyVersion::V1(34));
    assert!(v134.contains(&"runAsUser") && v134.contains(&"runAsNonRoot"));
    assert!(v134.contains(&"procMount") && !v134.contains(&"procMount_restricted"));
}

#[test]
fn run_as_user_zero_is_refused_from_v1_23() {
    let s = spec(
        json!({"securityContext": {"runAsUser": 0, "runAsNonRoot": true},
        "containers": [{"name": "a", "securityContext": {"runAsUser": 0}},
            {"name": "b", "securityContext": {"runAsUser": 1000}}]}),
    );
    let meta = ObjectMeta::default();
    let find = |minor| {
        check_pod_at(
            LevelVersion {
                level: Level::Restricted,
                version: PolicyVersion::V1(minor),
            },
            &s,
            &meta,
        )
        .into_iter()
        .find(|v| v.check == "runAsUser")
    };
    assert_eq!(find(22), None);
    assert_eq!(
        find(23),
        Some(Violation {
            check: "runAsUser",
            reason: "runAsUser=0".into(),
            detail: r#"pod and container "a" must not set runAsUser=0"#.into(),
        })
    );
}

#[test]
fn restricted_capabilities_need_drop_all_and_at_most_net_bind_service() {
    // TestCapabilitiesRestricted "multiple containers"
    let s = json!({"containers": [
        {"name": "a", "securityContext": {"capabilities": {"add": ["FOO", "BAR"]}}},
        {"name": "b", "securityContext": {"capabilities": {"add": ["BAR", "BAZ"]}}},
        {"name": "c", "securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE", "CHOWN"],
            "drop": ["ALL", "FOO"]}}}]});
    assert_eq!(
        detail_of("capabilities_restricted", s).as_deref(),
        Some(
            r#"containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add"#
        )
    );
}

#[test]
fn baseline_capabilities_allow_only_the_default_set() {
    let s = spec(json!({"containers": [
        {"name": "a", "securityContext": {"capabilities": {"add": ["CHOWN", "NET_RAW"]}}},
        {"name": "b", "securityContext": {"capabilities": {"add": ["SYS_TIME", "NET_RAW"]}}},
        {"name": "c", "securityContext": {"capabilities": {"add": ["KILL"]}}}]}));
    let v = check_pod(Level::Baseline, &s, &ObjectMeta::default());
    assert_eq!(
        v.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
        [
            r#"non-default capabilities (containers "a", "b" must not include "NET_RAW", "SYS_TIME" in securityContext.capabilities.add)"#
        ]
    );
}

#[test]
fn se_linux_options_allow_container_types_and_no_user_or_role() {
    // TestSELinuxOptions
    let ok = [
        "container_t",
        "container_init_t",
        "container_kvm_t",
        "container_engine_t",
    ];
    let mut containers: Vec<Value> = ok
        .iter()
        .zip(["a", "b", "c", "d"])
        .map(|(t, n)| json!({"name": n, "securityContext": {"seLinuxOptions": {"type": t}}}))
        .collect();
    containers.push(json!({"name": "e", "securityContext": {"seLinuxOptions": {"type": "bar"}}}));
    containers.push(json!({"name": "f", "securityContext": {"seLinuxOptions": {"user": "bar"}}}));
    containers.push(json!({"name": "g", "securityContext": {"seLinuxOptions": {"role": "baz"}}}));
    let pod_bad = json!({"type": "foo", "user": "bar", "role": "baz"});
    let cases = [
        (
            json!({"securityContext": {"seLinuxOptions": pod_bad}, "containers": containers}),
            r#"pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#,
        ),
        (
            json!({"securityContext": {"seLinuxOptions": pod_bad}, "containers": containers[..4]}),
            r#"pod set forbidden securityContext.seLinuxOptions: type "foo"; user may not be set; role may not be set"#,
        ),
        (
            json!({"securityContext": {"seLinuxOptions": {}}, "containers": containers}),
            r#"containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: type "bar"; user may not be set; role may not be set"#,
        ),
        (
            json!({"securityContext": {"seLinuxOptions": {"type": "bad"}}, "containers": []}),
            r#"pod set forbidden securityContext.seLinuxOptions: type "bad""#,
        ),
        (
            json!({"securityContext": {"seLinuxOptions": {"user": "bad"}}, "containers": []}),
            "pod set forbidden securityContext.seLinuxOptions: user may not be set",
        ),
        (
            json!({"securityContext": {"seLinuxOptions": {"role": "bad"}}, "containers": []}),
            "pod set forbidden securityContext.seLinuxOptions: role may not be set",
        ),
    ];
    for (s, expected) in cases {
        assert_eq!(detail_of("seLinuxOptions", s).as_deref(), Some(expected));
    }
    // container_engine_t is allowed from policy v1.31 only.
    let engine = spec(json!({"containers": [{"name": "d",
        "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}]}));
    let at = |minor| {
        check_pod_at(
            LevelVersion {
                level: Level::Baseline,
                version: PolicyVersion::V1(minor),
            },
            &engine,
            &ObjectMeta::default(),
        )
        .len()
    };
    assert_eq!((at(30), at(31)), (1, 0));
}

#[test]
fn app_armor_profiles_must_be_runtime_default_or_localhost() {
    // TestCheckAppArmor_Forbidden
    let cases = [
        (
            json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": []}),
            r#"pod must not set AppArmor profile type to "Unconfined""#,
        ),
        (
            json!({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "foo", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]}),
            r#"container "foo" must not set AppArmor profile type to "Unconfined""#,
        ),
        (
            json!({"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "foo"}],
            "initContainers": [{"name": "bar", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]}),
            r#"container "bar" must not set AppArmor profile type to "Unconfined""#,
        ),
    ];
    for (s, expected) in cases {
        assert_eq!(detail_of("appArmorProfile", s).as_deref(), Some(expected));
    }
    let allowed = json!({"securityContext": {"appArmorProfile": {"type": "Localhost", "localhostProfile": "p"}},
        "containers": [{"name": "foo", "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}]});
    assert_eq!(detail_of("appArmorProfile", allowed), None);

    let meta: ObjectMeta = serde_json::from_value(json!({"annotations": {
        "container.apparmor.security.beta.kubernetes.io/a": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
        "container.apparmor.security.beta.kubernetes.io/c": "localhost/foo",
        "container.apparmor.security.beta.kubernetes.io/d": ""}}))
    .expect("meta parses");
    let s = spec(
        json!({"containers": [{"name": "e", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]}),
    );
    assert_eq!(
        violation_of("appArmorProfile", &s, &meta).as_deref(),
        Some(
            r#"forbidden AppArmor profiles (container "e" and annotation must not set AppArmor profile type to "Unconfined", "container.apparmor.security.beta.kubernetes.io/a="unconfined"")"#
        )
    );
}

#[test]
fn seccomp_is_read_from_annotations_before_v1_19_and_from_fields_after() {
    let meta: ObjectMeta = serde_json::from_value(json!({"annotations": {
        "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        "container.seccomp.security.alpha.kubernetes.io/a": "docker/default",
        "container.seccomp.security.alpha.kubernetes.io/b": "unconfined"}}))
    .expect("meta parses");
    let s = spec(json!({"containers": [{"name": "a"}, {"name": "b",
        "securityContext": {"seccompProfile": {"type": "Unconfined"}}}]}));
    let at = |minor| {
        check_pod_at(
            LevelVersion {
                level: Level::Baseline,
                version: PolicyVersion::V1(minor),
            },
            &s,
            &meta,
        )
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
    };
    assert_eq!(
        at(18),
        [
            r#"seccompProfile (forbidden annotations container.seccomp.security.alpha.kubernetes.io/b="unconfined", seccomp.security.alpha.kubernetes.io/pod="unconfined")"#
        ]
    );
    assert_eq!(
        at(19),
        [
            r#"seccompProfile (container "b" must not set securityContext.seccompProfile.type to "Unconfined")"#
        ]
    );
}

#[test]
fn restricted_seccomp_accepts_a_pod_level_profile_for_unset_containers() {
    let s = json!({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "a"}, {"name": "b", "securityContext": {"seccompProfile": {"type": "Localhost"}}}]});
    assert_eq!(detail_of("seccompProfile_restricted", s), None);
    let s = json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}},
        "containers": [{"name": "a"}, {"name": "b", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}]});
    assert_eq!(
        detail_of("seccompProfile_restricted", s).as_deref(),
        Some(r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#)
    );
}

#[test]
fn windows_pods_are_exempt_from_linux_only_restricted_checks_from_v1_25() {
    let s = spec(
        json!({"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": true},
        "containers": [{"name": "a"}]}),
    );
    let ids = |minor| -> Vec<&'static str> {
        check_pod_at(
            LevelVersion {
                level: Level::Restricted,
                version: PolicyVersion::V1(minor),
            },
            &s,
            &ObjectMeta::default(),
        )
        .iter()
        .map(|v| v.check)
        .collect()
    };
    assert_eq!(ids(25), Vec::<&str>::new());
    assert_eq!(
        ids(24),
        [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "seccompProfile_restricted"
        ]
    );
}

#[test]
fn sysctls_grow_the_safe_list_by_policy_version() {
    let s = spec(json!({"securityContext": {"sysctls": [
        {"name": "net.ipv4.tcp_rmem", "value": "1"},
        {"name": "net.ipv4.ip_local_reserved_ports", "value": "1"},
        {"name": "kernel.shm_rmid_forced", "value": "1"},
        {"name": "net.ipv4.tcp_keepalive_time", "value": "1"}]}, "containers": []}));
    let at = |minor| {
        check_pod_at(
            LevelVersion {
                level: Level::Baseline,
                version: PolicyVersion::V1(minor),
            },
            &s,
            &ObjectMeta::default(),
        )
        .first()
        .map(|v| v.detail.clone())
    };
    assert_eq!(
        at(26).as_deref(),
        Some("net.ipv4.tcp_rmem, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time")
    );
    assert_eq!(
        at(27).as_deref(),
        Some("net.ipv4.tcp_rmem, net.ipv4.tcp_keepalive_time")
    );
    assert_eq!(at(29).as_deref(), Some("net.ipv4.tcp_rmem"));
    assert_eq!(at(32), None);
}

#[test]
fn probe_and_lifecycle_hosts_are_refused_from_v1_34() {
    let s = spec(json!({"containers": [
        {"name": "b", "livenessProbe": {"httpGet": {"port": 80, "host": "10.0.0.1"}},
            "lifecycle": {"preStop": {"tcpSocket": {"port": 80, "host": "example.com"}}}},
        {"name": "a", "readinessProbe": {"tcpSocket": {"port": 80, "host": "10.0.0.1"}}},
        {"name": "c", "startupProbe": {"httpGet": {"port": 80, "host": ""}}}]}));
    let at = |minor| {
        check_pod_at(
            LevelVersion {
                level: Level::Baseline,
                version: PolicyVersion::V1(minor),
            },
            &s,
            &ObjectMeta::default(),
        )
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
    };
    assert_eq!(at(33), Vec::<String>::new());
    assert_eq!(
        at(34),
        [
            r#"probe or lifecycle host (containers "a", "b" use probe or lifecycle hosts "10.0.0.1", "example.com")"#
        ]
    );
}

#[test]
fn windows_host_process_is_refused_on_pod_and_containers() {
    let s = json!({"securityContext": {"windowsOptions": {"hostProcess": true}},
        "containers": [{"name": "a", "securityContext": {"windowsOptions": {"hostProcess": true}}},
            {"name": "b", "securityContext": {"windowsOptions": {"hostProcess": false}}}]});
    assert_eq!(
        detail_of("windowsHostProcess", s).as_deref(),
        Some(
            r#"pod and container "a" must not set securityContext.windowsOptions.hostProcess=true"#
        )
    );
}

#[test]
fn allow_privilege_escalation_must_be_explicitly_false() {
    let s = json!({"initContainers": [{"name": "i", "securityContext": {"allowPrivilegeEscalation": false}}],
        "containers": [{"name": "a"}, {"name": "b", "securityContext": {"allowPrivilegeEscalation": true}}]});
    assert_eq!(
        detail_of("allowPrivilegeEscalation", s).as_deref(),
        Some(r#"containers "a", "b" must set securityContext.allowPrivilegeEscalation=false"#)
    );
}

#[test]
fn go_quoting_escapes_like_percent_q() {
    assert_eq!(go_quote("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\x01é""#);
}
