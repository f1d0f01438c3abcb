//! Workload and object validation through `validate_object`, each case taken from
//! pkg/apis/apps/validation/validation_test.go, pkg/apis/batch/validation/validation_test.go or
//! pkg/apis/core/validation/validation_test.go (named in the comment), checked against the
//! message the Go validators build, including Go's `%#v` rendering of maps, selectors and
//! `intstr.IntOrString` values.

use podplay_engine::api::validation::{api_server_message, validate_object, Validation};
use podplay_engine::api::Object;
use serde_json::{json, Value};

fn object(kind: &str, value: Value) -> Object {
    let v = value;
    match kind {
        "Deployment" => Object::Deployment(Box::new(serde_json::from_value(v).expect("json"))),
        "ReplicaSet" => Object::ReplicaSet(Box::new(serde_json::from_value(v).expect("json"))),
        "StatefulSet" => Object::StatefulSet(Box::new(serde_json::from_value(v).expect("json"))),
        "DaemonSet" => Object::DaemonSet(Box::new(serde_json::from_value(v).expect("json"))),
        "Job" => Object::Job(Box::new(serde_json::from_value(v).expect("json"))),
        "Service" => Object::Service(Box::new(serde_json::from_value(v).expect("json"))),
        "ConfigMap" => Object::ConfigMap(Box::new(serde_json::from_value(v).expect("json"))),
        "Secret" => Object::Secret(Box::new(serde_json::from_value(v).expect("json"))),
        "Namespace" => Object::Namespace(Box::new(serde_json::from_value(v).expect("json"))),
        "Node" => Object::Node(Box::new(serde_json::from_value(v).expect("json"))),
        other => unreachable!("test kind {other}"),
    }
}

fn validate(kind: &str, value: Value) -> (String, Validation) {
    validate_object(&object(kind, value)).expect("every podplay kind is validated")
}

fn messages(v: &Validation) -> Vec<String> {
    v.errors.iter().map(ToString::to_string).collect()
}

#[track_caller]
fn assert_errors(kind: &str, value: Value, expected: &[&str]) {
    let (_, v) = validate(kind, value);
    assert_eq!(messages(&v), expected);
}

/// A pod template labelled `labels` running nginx, with extra spec fields.
fn template(labels: Value, spec_extra: Value) -> Value {
    let mut spec = json!({"containers": [{"name": "web", "image": "nginx"}]});
    for (k, v) in spec_extra.as_object().expect("object").iter() {
        spec[k] = v.clone();
    }
    json!({"metadata": {"labels": labels}, "spec": spec})
}

/// A Deployment `web` selecting app=web, with extra spec fields.
fn deployment(extra: Value) -> Value {
    let mut spec = json!({"selector": {"matchLabels": {"app": "web"}},
                          "template": template(json!({"app": "web"}), json!({}))});
    for (k, v) in extra.as_object().expect("object").iter() {
        spec[k] = v.clone();
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "namespace": "default"}, "spec": spec})
}

const PERCENT_REGEX: &str = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const DNS_LABEL_REGEX: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

// ---------------------------------------------------------------------------------------------
// The dispatcher.

#[test]
fn objects_are_validated_under_their_qualified_kind() {
    // schema.GroupKind.String(): the core group prints bare, others as Kind.group.
    for (kind, qualified, value) in [
        ("Deployment", "Deployment.apps", deployment(json!({}))),
        (
            "Job",
            "Job.batch",
            json!({"metadata": {"name": "pi"}, "spec": {"template": template(json!({}), json!({"restartPolicy": "Never"}))}}),
        ),
        ("Service", "Service", json!({"metadata": {"name": "web"}})),
        ("Node", "Node", json!({"metadata": {"name": "node-1"}})),
    ] {
        let (got, v) = validate(kind, value);
        assert_eq!(got, qualified);
        assert_eq!(messages(&v), Vec::<String>::new(), "{kind}");
    }
}

#[test]
fn a_deployment_whose_selector_misses_its_template_is_invalid() {
    // TestValidateDeployment "selector does not match template labels"
    // (ValidatePodTemplateSpecForReplicaSet); the 422 message kubectl prints.
    let mut d = deployment(json!({}));
    d["spec"]["template"]["metadata"]["labels"] = json!({"app": "api"});
    let (kind, v) = validate("Deployment", d);
    assert_eq!(
        api_server_message(&kind, "web", &v.errors),
        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`"
    );
}

#[test]
fn a_deployment_selector_may_not_be_empty() {
    // "empty selector" (ValidateDeploymentSpec); an empty selector matches everything.
    assert_errors(
        "Deployment",
        deployment(json!({"selector": {}})),
        &["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"],
    );
}

#[test]
fn a_deployment_selector_expression_is_validated_and_then_unusable() {
    // ValidateLabelSelector then LabelSelectorAsSelector failing: "invalid label selector".
    assert_errors(
        "Deployment",
        deployment(json!({"selector": {"matchExpressions": [{"key": "app", "operator": "In"}]}})),
        &[
            "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"app\", Operator:\"In\", Values:[]string(nil)}}}: invalid label selector",
        ],
    );
}

#[test]
fn a_deployment_template_must_restart_always_and_have_no_deadline() {
    // "invalid restart policy" / "invalid activeDeadlineSeconds" (shared with ReplicaSets,
    // hence the message's kind).
    let mut d = deployment(json!({}));
    d["spec"]["template"] = template(
        json!({"app": "web"}),
        json!({"restartPolicy": "Never", "activeDeadlineSeconds": 30}),
    );
    assert_errors(
        "Deployment",
        d,
        &[
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"",
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported",
        ],
    );
}

#[test]
fn a_deployment_template_pod_spec_is_validated_under_its_path() {
    // ValidatePodTemplateSpec inside ValidatePodTemplateSpecForReplicaSet.
    let mut d = deployment(json!({}));
    d["spec"]["template"]["spec"]["containers"] = json!([{"name": "web"}]);
    assert_errors(
        "Deployment",
        d,
        &["spec.template.spec.containers[0].image: Required value"],
    );
}

#[test]
fn deployment_counts_are_non_negative_and_the_deadline_beats_min_ready() {
    // "negative replicas", "progressDeadlineSeconds <= minReadySeconds".
    assert_errors(
        "Deployment",
        deployment(
            json!({"replicas": -1, "minReadySeconds": 10, "progressDeadlineSeconds": 10, "revisionHistoryLimit": -2}),
        ),
        &[
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0",
            "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds",
        ],
    );
}

#[test]
fn a_rolling_update_needs_room_to_move() {
    // TestValidateDeployment "maxUnavailable and maxSurge both 0", "maxUnavailable > 100%",
    // "invalid maxSurge percent" (ValidateRollingUpdateDeployment; IntOrString prints with %#v).
    let ru = |mu: Value, ms: Value| {
        deployment(json!({"strategy": {"type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": mu, "maxSurge": ms}}}))
    };
    let p = "spec.strategy.rollingUpdate";
    assert_errors(
        "Deployment",
        ru(json!(0), json!(0)),
        &[&format!("{p}.maxUnavailable: Invalid value: intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}: may not be 0 when `maxSurge` is 0")],
    );
    assert_errors(
        "Deployment",
        ru(json!("110%"), json!("abc")),
        &[
            &format!("{p}.maxSurge: Invalid value: intstr.IntOrString{{Type:1, IntVal:0, StrVal:\"abc\"}}: {PERCENT_REGEX}"),
            &format!("{p}.maxUnavailable: Invalid value: intstr.IntOrString{{Type:1, IntVal:0, StrVal:\"110%\"}}: must not be greater than 100%"),
        ],
    );
}

#[test]
fn deployment_strategy_types_are_recreate_or_rolling_update() {
    // ValidateDeploymentStrategy: rollingUpdate with Recreate, and an unknown type (the
    // strategy struct prints with %#v).
    assert_errors(
        "Deployment",
        deployment(json!({"strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}})),
        &["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    );
    assert_errors(
        "Deployment",
        deployment(json!({"strategy": {"type": "Blue"}})),
        &["spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Blue\", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", \"RollingUpdate\""],
    );
}

#[test]
fn a_replica_set_empty_selector_is_reported_as_a_deployment_s() {
    // TestValidateReplicaSet "empty selector": ValidateReplicaSetSpec reuses the message.
    assert_errors(
        "ReplicaSet",
        json!({"metadata": {"name": "rs", "namespace": "default"},
               "spec": {"selector": {}, "template": template(json!({"app": "web"}), json!({}))}}),
        &["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"],
    );
}

// ---------------------------------------------------------------------------------------------
// StatefulSets: TestValidateStatefulSet.

fn stateful_set(extra: Value) -> Value {
    let mut spec = json!({"serviceName": "web", "selector": {"matchLabels": {"app": "web"}},
                          "template": template(json!({"app": "web"}), json!({}))});
    for (k, v) in extra.as_object().expect("object").iter() {
        spec[k] = v.clone();
    }
    json!({"metadata": {"name": "web", "namespace": "default"}, "spec": spec})
}

#[test]
fn a_stateful_set_name_and_service_name_are_dns_labels() {
    // ValidateStatefulSetName (NameIsDNSLabel) and "invalid serviceName" (PR #130233:
    // AllowDNS1123ServiceName is false on create).
    let mut s = stateful_set(json!({"serviceName": "Web_Svc"}));
    s["metadata"]["name"] = json!("web.v1");
    assert_errors(
        "StatefulSet",
        s,
        &[
            "metadata.name: Invalid value: \"web.v1\": must not contain dots",
            &format!("spec.serviceName: Invalid value: \"Web_Svc\": {DNS_LABEL_REGEX}"),
        ],
    );
}

#[test]
fn a_stateful_set_pod_spec_is_not_validated_but_its_policies_are() {
    // ValidatePodTemplateSpecForStatefulSet leaves ValidatePodTemplateSpec as a TODO: a
    // container without an image passes; podManagementPolicy, partition and the template's
    // restartPolicy are still checked.
    let mut s = stateful_set(json!({
        "podManagementPolicy": "Random",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": -1, "maxUnavailable": 0}}}));
    s["spec"]["template"] = template(json!({"app": "web"}), json!({"restartPolicy": "OnFailure"}));
    s["spec"]["template"]["spec"]["containers"] = json!([{"name": "web"}]);
    assert_errors(
        "StatefulSet",
        s,
        &[
            "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
            "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0",
            "spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: cannot be 0",
            "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"",
        ],
    );
}

#[test]
fn a_stateful_set_selector_must_match_and_not_be_empty() {
    // "empty selector", "selector_doesnt_match".
    let mut s = stateful_set(json!({}));
    s["spec"]["template"]["metadata"]["labels"] = json!({"app": "db"});
    assert_errors(
        "StatefulSet",
        s,
        &["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"db\"}: `selector` does not match template `labels`"],
    );
    assert_errors(
        "StatefulSet",
        stateful_set(json!({"selector": {}})),
        &["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset"],
    );
}

// ---------------------------------------------------------------------------------------------
// DaemonSets: TestValidateDaemonSet / TestValidateRollingUpdateDaemonSet.

fn daemon_set(strategy: Value) -> Value {
    json!({"metadata": {"name": "agent", "namespace": "default"},
           "spec": {"selector": {"matchLabels": {"app": "agent"}},
                    "template": template(json!({"app": "agent"}), json!({})),
                    "updateStrategy": strategy}})
}

#[test]
fn a_daemon_set_rolls_with_exactly_one_of_surge_and_unavailable() {
    let p = "spec.updateStrategy.rollingUpdate";
    assert_errors(
        "DaemonSet",
        daemon_set(json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1}})),
        &[&format!("{p}.maxSurge: Invalid value: intstr.IntOrString{{Type:0, IntVal:1, StrVal:\"\"}}: may not be set when maxUnavailable is non-zero")],
    );
    // maxSurge defaults to 0.
    assert_errors(
        "DaemonSet",
        daemon_set(json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "0%"}})),
        &[&format!(
            "{p}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"
        )],
    );
    assert_errors(
        "DaemonSet",
        daemon_set(json!({"type": "Sometimes"})),
        &["spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:\"Sometimes\", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: \"RollingUpdate\", \"OnDelete\""],
    );
}

#[test]
fn a_daemon_set_selector_must_match_its_template() {
    let mut d = daemon_set(json!({}));
    d["spec"]["template"]["metadata"]["labels"] = json!({"app": "other"});
    assert_errors(
        "DaemonSet",
        d,
        &["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"],
    );
}

// ---------------------------------------------------------------------------------------------
// Jobs: TestValidateJob (batch).

fn job(spec_extra: Value, template_extra: Value) -> Value {
    let mut spec = json!({"template": template(json!({"app": "pi"}), template_extra)});
    for (k, v) in spec_extra.as_object().expect("object").iter() {
        spec[k] = v.clone();
    }
    json!({"metadata": {"name": "pi", "namespace": "default", "uid": "uid-1"}, "spec": spec})
}

#[test]
fn a_job_pod_must_not_restart_always() {
    // "restartPolicy Always" / unset: the template restartPolicy defaults to Always.
    let rp = "spec.template.spec.restartPolicy";
    assert_errors(
        "Job",
        job(json!({}), json!({})),
        &[&format!(
            "{rp}: Required value: valid values: \"OnFailure\", \"Never\""
        )],
    );
    assert_errors(
        "Job",
        job(json!({}), json!({"restartPolicy": "OnFailure"})),
        &[],
    );
    assert_errors(
        "Job",
        job(json!({"podFailurePolicy": {"rules": []}}), json!({"restartPolicy": "OnFailure"})),
        &[&format!("{rp}: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified")],
    );
}

#[test]
fn job_counts_are_non_negative() {
    // "negative parallelism", "negative completions", "negative backoffLimit".
    assert_errors(
        "Job",
        job(
            json!({"parallelism": -1, "completions": -1, "backoffLimit": -1}),
            json!({"restartPolicy": "Never"}),
        ),
        &[
            "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
            "spec.completions: Invalid value: -1: must be greater than or equal to 0",
            "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
        ],
    );
}

#[test]
fn an_indexed_job_needs_completions_and_pod_hostnames_that_fit() {
    // "indexed job without completions", "indexed job with too long name".
    assert_errors(
        "Job",
        job(
            json!({"completionMode": "Indexed"}),
            json!({"restartPolicy": "Never"}),
        ),
        &["spec.completions: Required value: when completion mode is Indexed"],
    );
    let name = "a".repeat(61);
    let mut j = job(
        json!({"completionMode": "Indexed", "completions": 100}),
        json!({"restartPolicy": "Never"}),
    );
    j["metadata"]["name"] = json!(name);
    assert_errors(
        "Job",
        j,
        &[&format!("metadata.name: Invalid value: \"{name}\": will not able to create pod with invalid DNS label: {name}-99")],
    );
}

#[test]
fn a_job_selector_is_generated_unless_manual() {
    // validateGeneratedSelector: a user selector without manualSelector is rejected (after
    // generateSelector added the controller-uid label); with manualSelector it must exist and
    // match the template.
    assert_errors(
        "Job",
        job(json!({"selector": {"matchLabels": {"app": "pi"}}}), json!({"restartPolicy": "Never"})),
        &["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"pi\", \"batch.kubernetes.io/controller-uid\":\"uid-1\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated"],
    );
    assert_errors(
        "Job",
        job(json!({"manualSelector": true}), json!({"restartPolicy": "Never"})),
        &[
            "spec.selector: Required value",
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"pi\"}: `selector` does not match template `labels`",
        ],
    );
    assert_errors(
        "Job",
        job(
            json!({"manualSelector": true, "selector": {"matchLabels": {"app": "pi"}}}),
            json!({"restartPolicy": "Never"}),
        ),
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Other kinds: TestValidateConfigMap, TestValidateSecret, TestValidateService (names),
// TestValidateNamespace, TestValidateNode (names).

#[test]
fn config_map_keys_are_config_keys_and_not_repeated_in_binary_data() {
    assert_errors(
        "ConfigMap",
        json!({"metadata": {"name": "cfg", "namespace": "default"},
               "data": {"bad key": "x", "dup": "y"}, "binaryData": {"dup": "eQ==", "..": "eQ=="}}),
        &[
            "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            "data[dup]: Invalid value: \"dup\": duplicate of key present in binaryData",
            "binaryData[..]: Invalid value: \"..\": must not be '..'",
        ],
    );
}

#[test]
fn config_maps_hold_at_most_one_mebibyte() {
    // "too large" reports on the empty path.
    let (kind, v) = validate(
        "ConfigMap",
        json!({"metadata": {"name": "big", "namespace": "default"}, "data": {"k": "x".repeat(1024 * 1024 + 1)}}),
    );
    assert_eq!(
        api_server_message(&kind, "big", &v.errors),
        "ConfigMap \"big\" is invalid: : Too long: must have at most 1048576 bytes"
    );
}

#[test]
fn secret_keys_and_typed_secrets_are_checked() {
    // "invalid key" (stringData merged into data), "tls secret missing keys",
    // "service account token secret without its annotation".
    assert_errors(
        "Secret",
        json!({"metadata": {"name": "s", "namespace": "default"}, "type": "kubernetes.io/tls",
               "stringData": {"a/b": "x"}}),
        &[
            "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
            "data[tls.crt]: Required value",
            "data[tls.key]: Required value",
        ],
    );
    assert_errors(
        "Secret",
        json!({"metadata": {"name": "tok", "namespace": "default"}, "type": "kubernetes.io/service-account-token"}),
        &["metadata.annotations[kubernetes.io/service-account.name]: Required value"],
    );
}

#[test]
fn service_namespace_and_node_names_use_their_own_rules() {
    assert_errors(
        "Service",
        json!({"metadata": {"name": "1web", "namespace": "default"}}),
        &["metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
    );
    assert_errors(
        "Namespace",
        json!({"metadata": {"name": "team.a"}}),
        &["metadata.name: Invalid value: \"team.a\": must not contain dots"],
    );
    // Cluster-scoped: a namespace in the object is cleared by the API server, not an error.
    assert_errors(
        "Node",
        json!({"metadata": {"name": "node-1", "namespace": "default"}}),
        &[],
    );
    assert_errors(
        "Node",
        json!({"metadata": {"name": "Node_1"}}),
        &["metadata.name: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
    );
}
