//! Pod validation as the API server does it: every case of tests/data/validation_cases.json,
//! then cases taken from the tables of pkg/apis/core/validation/validation_test.go and
//! pkg/api/pod/warnings_test.go, each naming its source. Expected texts follow the Go code they
//! come from (validation.go, warnings.go, apimachinery field/errors.go).

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use podplay_engine::api::validation::{
    api_server_message, validate_pod, validate_pod_template, BadValue, ErrorType, FieldError,
    Validation,
};
use serde_json::{json, Value};

const CASES: &str = include_str!("data/validation_cases.json");

fn pod_from(value: &Value) -> Pod {
    serde_json::from_value(value.clone()).expect("test pod is valid Kubernetes JSON")
}

/// A pod named `test` in `default` with the given spec.
fn pod(spec: Value) -> Pod {
    pod_from(&json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "test", "namespace": "default"},
        "spec": spec,
    }))
}

fn messages(v: &Validation) -> Vec<String> {
    v.errors.iter().map(ToString::to_string).collect()
}

#[track_caller]
fn assert_errors(spec: Value, expected: &[&str]) {
    let v = validate_pod(&pod(spec));
    assert_eq!(messages(&v), expected);
}

// ---------------------------------------------------------------------------------------------
// The vectors.

#[test]
fn every_vector_case_gets_kubernetes_exact_errors_message_and_warnings() {
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("vector file is JSON");
    assert_eq!(cases.len(), 11);
    let mut admission_only = 0;
    for case in &cases {
        let name = case["name"].as_str().unwrap_or("?");
        let expected = &case["expected"];
        let got = validate_pod(&pod_from(&case["input"]["pod"]));
        if expected["httpStatus"] == 403 {
            // Rejected by Pod Security admission (api::admission), not by validation: the
            // object itself is valid, so validation must accept it.
            assert!(got.is_accepted(), "{name}: {:?}", messages(&got));
            admission_only += 1;
            continue;
        }
        let want_errors: Vec<(String, String, String)> = expected["errors"]
            .as_array()
            .expect("errors list")
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap_or("").to_string(),
                    e["type"].as_str().unwrap_or("").to_string(),
                    e["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let got_errors: Vec<(String, String, String)> = got
            .errors
            .iter()
            .map(|e| (e.field.clone(), e.kind.as_str().to_string(), e.to_string()))
            .collect();
        assert_eq!(got_errors, want_errors, "{name}");
        assert_eq!(got.is_accepted(), expected["accepted"] == true, "{name}");
        if let Some(msg) = expected["apiServerMessage"].as_str() {
            assert_eq!(
                api_server_message("Pod", "test", &got.errors),
                msg,
                "{name}"
            );
        }
        let want_warnings: Vec<String> = expected["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(got.warnings, want_warnings, "{name}");
    }
    assert_eq!(
        admission_only, 1,
        "only the Pod Security case is left to admission"
    );
}

// ---------------------------------------------------------------------------------------------
// field.Error formatting (apimachinery field/errors_test.go::TestErrorUsefulMessage and the
// aggregate's de-duplication in ToAggregate).

#[test]
fn field_errors_print_values_the_way_go_formats_them() {
    let e = |kind, bad_value, detail: &str| FieldError {
        field: "f".into(),
        kind,
        bad_value,
        detail: detail.into(),
    };
    assert_eq!(
        e(ErrorType::Invalid, Some(BadValue::Str("a\"b".into())), "d").to_string(),
        "f: Invalid value: \"a\\\"b\": d"
    );
    assert_eq!(
        e(ErrorType::Invalid, Some(BadValue::Int(-1)), "").to_string(),
        "f: Invalid value: -1"
    );
    assert_eq!(
        e(ErrorType::Invalid, Some(BadValue::Bool(true)), "").to_string(),
        "f: Invalid value: true"
    );
    assert_eq!(
        e(
            ErrorType::Invalid,
            Some(BadValue::Stringer("500m".into())),
            ""
        )
        .to_string(),
        "f: Invalid value: 500m"
    );
    assert_eq!(
        e(ErrorType::NotFound, None, "").to_string(),
        "f: Not found: null"
    );
    assert_eq!(
        e(ErrorType::Required, Some(BadValue::Str("x".into())), "").to_string(),
        "f: Required value"
    );
    assert_eq!(
        e(ErrorType::Forbidden, None, "no").to_string(),
        "f: Forbidden: no"
    );
    assert_eq!(
        e(ErrorType::TooLong, Some(BadValue::Str("x".into())), "too").to_string(),
        "f: Too long: too"
    );
    assert_eq!(
        e(
            ErrorType::TooMany,
            Some(BadValue::Omitted),
            "must have at most 3 items"
        )
        .to_string(),
        "f: Too many: must have at most 3 items"
    );
    assert_eq!(
        e(ErrorType::Internal, None, "boom").to_string(),
        "f: Internal error: boom"
    );
    assert_eq!(ErrorType::TypeInvalid.as_str(), "FieldValueTypeInvalid");
}

#[test]
fn the_api_message_drops_exact_duplicates_and_brackets_only_several() {
    let e = FieldError {
        field: "spec.x".into(),
        kind: ErrorType::Required,
        bad_value: None,
        detail: String::new(),
    };
    assert_eq!(
        api_server_message("Pod", "p", &[e.clone(), e.clone()]),
        "Pod \"p\" is invalid: spec.x: Required value"
    );
    let mut other = e.clone();
    other.field = "spec.y".into();
    assert_eq!(
        api_server_message("Deployment.apps", "d", &[e, other]),
        "Deployment.apps \"d\" is invalid: [spec.x: Required value, spec.y: Required value]"
    );
}

// ---------------------------------------------------------------------------------------------
// Object metadata (validation_test.go::TestValidatePod "bad name", TestValidateObjectMeta
// label tables; apimachinery objectmeta.go).

#[test]
fn a_pod_name_must_be_a_dns_subdomain() {
    let mut p = pod(json!({"containers": [{"name": "app", "image": "nginx"}]}));
    p.metadata.name = Some("Bad_Name".into());
    assert_eq!(
        messages(&validate_pod(&p)),
        ["metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
    );
}

#[test]
fn a_missing_pod_name_asks_for_name_or_generate_name() {
    let mut p = pod(json!({"containers": [{"name": "app", "image": "nginx"}]}));
    p.metadata.name = None;
    assert_eq!(
        messages(&validate_pod(&p)),
        ["metadata.name: Required value: name or generateName is required"]
    );
}

#[test]
fn label_values_are_checked_on_the_labels_path() {
    let mut p = pod(json!({"containers": [{"name": "app", "image": "nginx"}]}));
    p.metadata.labels = Some([("app".to_string(), "-bad".to_string())].into());
    assert_eq!(
        messages(&validate_pod(&p)),
        ["metadata.labels: Invalid value: \"-bad\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]
    );
}

#[test]
fn a_container_name_with_a_dot_must_not_contain_dots() {
    // apimachinery validation_test.go::TestIsDNS1123Label: "a.b" is a subdomain, not a label.
    assert_errors(
        json!({"containers": [{"name": "a.b", "image": "nginx"}]}),
        &["spec.containers[0].name: Invalid value: \"a.b\": must not contain dots"],
    );
}

// ---------------------------------------------------------------------------------------------
// Containers (validation_test.go::TestValidateContainers, TestValidateInitContainers).

#[test]
fn a_pod_needs_at_least_one_container() {
    // TestValidatePodSpec "missing containers" -> validateContainers.
    assert_errors(
        json!({"containers": []}),
        &["spec.containers: Required value"],
    );
}

#[test]
fn init_and_regular_containers_share_one_namespace_of_names() {
    // TestValidateInitContainers "duplicate names" -> validateInitContainers.
    assert_errors(
        json!({"initContainers": [{"name": "app", "image": "busybox"}], "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.initContainers[0].name: Duplicate value: \"app\""],
    );
}

#[test]
fn a_regular_container_restart_policy_must_be_a_known_policy() {
    // ContainerRestartRules is beta and on by default since v1.35, so regular containers may
    // set restartPolicy (validateContainers -> validateContainerRestartPolicy);
    // TestValidateContainerRestartPolicy "invalid restart policy".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "restartPolicy": "Sometimes"}]}),
        &["spec.containers[0].restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\", \"OnFailure\""],
    );
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "restartPolicy": "Always"}]}),
        &[],
    );
}

#[test]
fn an_init_container_restart_policy_may_be_never_with_restart_rules() {
    // validateInitContainerRestartPolicy with AllowContainerRestartPolicyRules: only unknown
    // values are rejected, with the three container policies.
    assert_errors(
        json!({"initContainers": [{"name": "init", "image": "busybox", "restartPolicy": "Never"}],
               "containers": [{"name": "app", "image": "nginx"}]}),
        &[],
    );
    assert_errors(
        json!({"initContainers": [{"name": "init", "image": "busybox", "restartPolicy": "Sometimes"}],
               "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.initContainers[0].restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\", \"OnFailure\""],
    );
}

#[test]
fn init_containers_without_restart_always_may_not_have_probes() {
    // TestValidateInitContainers "livenessProbe set" -> validateInitContainers.
    assert_errors(
        json!({"initContainers": [{"name": "init", "image": "busybox",
                                   "livenessProbe": {"exec": {"command": ["true"]}}}],
               "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always"],
    );
}

#[test]
fn an_unknown_termination_message_policy_lists_the_two_policies() {
    // TestValidateContainers "invalid termination message policy" -> validateContainerCommon.
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "terminationMessagePolicy": "Unknown"}]}),
        &["spec.containers[0].terminationMessagePolicy: Unsupported value: \"Unknown\": supported values: \"File\", \"FallbackToLogsOnError\""],
    );
}

#[test]
fn an_image_with_surrounding_spaces_is_rejected_for_pods() {
    // TestValidatePod "image whitespace" -> validateContainerOnlyForPod.
    assert_errors(
        json!({"containers": [{"name": "app", "image": " nginx"}]}),
        &["spec.containers[0].image: Invalid value: \" nginx\": must not have leading or trailing whitespace"],
    );
}

#[test]
fn a_fully_defaulted_pod_is_valid() {
    // The shape SetDefaults_Pod produces; validation must accept it unchanged.
    let v = validate_pod(&pod(json!({
        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "terminationGracePeriodSeconds": 30,
        "schedulerName": "default-scheduler",
        "containers": [{"name": "app", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "readinessProbe": {"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"},
                                           "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}}]
    })));
    assert_eq!(messages(&v), Vec::<String>::new());
    assert!(v.warnings.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Ports (validation_test.go::TestValidatePorts).

#[test]
fn a_port_name_needs_lowercase_letters_only() {
    // TestValidatePorts "invalid name" (IsValidPortName).
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "ports": [{"name": "INVALID", "containerPort": 80}]}]}),
        &[
            "spec.containers[0].ports[0].name: Invalid value: \"INVALID\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            "spec.containers[0].ports[0].name: Invalid value: \"INVALID\": must contain at least one letter (a-z)",
        ],
    );
}

#[test]
fn a_port_name_is_at_most_fifteen_characters() {
    // TestValidatePorts "name > 15 characters".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "ports": [{"name": "abcdefghijklmnopqrstuvwxyz", "containerPort": 80}]}]}),
        &["spec.containers[0].ports[0].name: Invalid value: \"abcdefghijklmnopqrstuvwxyz\": must be no more than 15 characters"],
    );
}

#[test]
fn port_names_are_unique_within_a_container() {
    // TestValidatePorts "duplicate name".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
                                "ports": [{"name": "web", "containerPort": 80}, {"name": "web", "containerPort": 81}]}]}),
        &["spec.containers[0].ports[1].name: Duplicate value: \"web\""],
    );
}

#[test]
fn a_zero_container_port_is_required() {
    // TestValidatePorts "zero container port".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 0}]}]}),
        &["spec.containers[0].ports[0].containerPort: Required value"],
    );
}

#[test]
fn a_host_port_above_65535_is_out_of_range() {
    // TestValidatePorts "invalid host port".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 65536}]}]}),
        &["spec.containers[0].ports[0].hostPort: Invalid value: 65536: must be between 1 and 65535, inclusive"],
    );
}

#[test]
fn an_unknown_protocol_lists_the_sorted_protocols() {
    // TestValidatePorts "invalid protocol case" / "invalid protocol".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "tcp"}]}]}),
        &["spec.containers[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""],
    );
}

#[test]
fn the_same_host_port_in_two_containers_is_a_duplicate() {
    // TestValidatePodSpec "bad host port conflicts" -> AccumulateUniqueHostPorts.
    assert_errors(
        json!({"containers": [
            {"name": "a", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 8080}]},
            {"name": "b", "image": "nginx", "ports": [{"containerPort": 81, "hostPort": 8080}]}]}),
        &["spec.containers[1].ports[0].hostPort: Duplicate value: \"TCP//8080\""],
    );
}

#[test]
fn with_host_network_the_host_port_must_match_the_container_port() {
    // TestValidatePodSpec "with hostNetwork hostPort not equal to containerPort" -> validatePodHostNetworkDeps.
    assert_errors(
        json!({"hostNetwork": true,
               "containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 81}]}]}),
        &["spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true"],
    );
}

// ---------------------------------------------------------------------------------------------
// Environment (validation_test.go::TestValidateEnv, relaxed names since v1.34).

#[test]
fn an_env_var_name_may_not_contain_an_equals_sign() {
    // TestValidateEnv "illegal character" with AllowRelaxedEnvironmentVariableValidation.
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "env": [{"name": "a=b", "value": "x"}]}]}),
        &["spec.containers[0].env[0].name: Invalid value: \"a=b\": a valid environment variable name must consist only of printable ASCII characters other than '='"],
    );
}

#[test]
fn an_empty_value_from_must_name_a_source() {
    // TestValidateEnv "missing source" -> validateEnvVarValueFrom.
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "env": [{"name": "A", "valueFrom": {}}]}]}),
        &["spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"],
    );
}

#[test]
fn value_and_value_from_are_exclusive() {
    // TestValidateEnv "value and valueFrom".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
               "env": [{"name": "A", "value": "x", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]}),
        &["spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"],
    );
}

#[test]
fn an_unsupported_field_ref_path_is_a_conversion_error() {
    // TestValidateEnv "invalid fieldPath" -> ConvertDownwardAPIFieldLabel.
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
               "env": [{"name": "A", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.whoops"}}}]}]}),
        &["spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: \"metadata.whoops\": error converting fieldPath: field label not supported: metadata.whoops"],
    );
}

// ---------------------------------------------------------------------------------------------
// Volumes and mounts (validation_test.go::TestValidateVolumes, TestValidateVolumeMounts).

#[test]
fn a_volume_without_a_source_must_specify_a_type() {
    // TestValidateVolumes "empty volume source".
    assert_errors(
        json!({"volumes": [{"name": "data"}], "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.volumes[0]: Required value: must specify a volume type"],
    );
}

#[test]
fn a_volume_may_have_only_one_source() {
    // TestValidateVolumes "multiple volume types" -> validateVolumeSource.
    assert_errors(
        json!({"volumes": [{"name": "data", "emptyDir": {}, "hostPath": {"path": "/tmp"}}],
               "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type"],
    );
}

#[test]
fn volume_names_are_unique() {
    // TestValidateVolumes "duplicate names".
    assert_errors(
        json!({"volumes": [{"name": "data", "emptyDir": {}}, {"name": "data", "emptyDir": {}}],
               "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.volumes[1].name: Duplicate value: \"data\""],
    );
}

#[test]
fn a_mount_must_name_a_defined_volume_and_a_path() {
    // TestValidateVolumeMounts "name not found" and "empty mountpath".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "volumeMounts": [{"name": "nope", "mountPath": ""}]}]}),
        &[
            "spec.containers[0].volumeMounts[0].name: Not found: \"nope\"",
            "spec.containers[0].volumeMounts[0].mountPath: Required value",
        ],
    );
}

#[test]
fn a_sub_path_may_not_climb_out_of_the_volume() {
    // TestValidateVolumeMounts "subpath contains .." (errors land on the volumeMounts path).
    assert_errors(
        json!({"volumes": [{"name": "data", "emptyDir": {}}],
               "containers": [{"name": "app", "image": "nginx",
                               "volumeMounts": [{"name": "data", "mountPath": "/d", "subPath": "../etc"}]}]}),
        &["spec.containers[0].volumeMounts.subPath: Invalid value: \"../etc\": must not contain '..'"],
    );
}

#[test]
fn a_secret_volume_needs_a_secret_name() {
    // TestValidateVolumes "secret with no name" -> validateSecretVolumeSource.
    assert_errors(
        json!({"volumes": [{"name": "s", "secret": {}}], "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.volumes[0].secret.secretName: Required value"],
    );
}

// ---------------------------------------------------------------------------------------------
// Probes and lifecycle (validation_test.go::TestValidateProbe, TestValidateHandler,
// TestValidateLifecycle).

#[test]
fn a_liveness_probe_success_threshold_must_be_one() {
    // TestValidateContainers "invalid liveness probe, successThreshold != 1".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
               "livenessProbe": {"tcpSocket": {"port": 80}, "successThreshold": 2}}]}),
        &["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"],
    );
}

#[test]
fn a_readiness_probe_may_not_set_a_grace_period() {
    // TestValidateContainers "invalid readiness probe, terminationGracePeriodSeconds set".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
               "readinessProbe": {"tcpSocket": {"port": 80}, "terminationGracePeriodSeconds": 10}}]}),
        &["spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes"],
    );
}

#[test]
fn a_probe_needs_exactly_one_handler() {
    // TestValidateHandler / TestValidateProbe "no handler" and "multiple handlers".
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "livenessProbe": {"periodSeconds": -1}}]}),
        &[
            "spec.containers[0].livenessProbe: Required value: must specify a handler type",
            "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0",
        ],
    );
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
               "startupProbe": {"exec": {"command": ["true"]}, "httpGet": {"port": 80}}}]}),
        &["spec.containers[0].startupProbe.httpGet: Forbidden: may not specify more than 1 handler type"],
    );
}

#[test]
fn a_probe_level_grace_period_must_be_positive() {
    // TestValidateProbe "terminationGracePeriodSeconds 0" -> validateProbe.
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
               "livenessProbe": {"exec": {"command": ["true"]}, "terminationGracePeriodSeconds": 0}}]}),
        &["spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0"],
    );
}

#[test]
fn a_sleep_hook_may_not_outlast_the_grace_period() {
    // TestValidateLifecycle "invalid sleep action, seconds > terminationGracePeriodSeconds".
    assert_errors(
        json!({"terminationGracePeriodSeconds": 30,
               "containers": [{"name": "app", "image": "nginx", "lifecycle": {"preStop": {"sleep": {"seconds": 40}}}}]}),
        &["spec.containers[0].lifecycle.preStop.sleep: Invalid value: 40: must be non-negative and less than terminationGracePeriodSeconds (30)"],
    );
}

// ---------------------------------------------------------------------------------------------
// Resources (validation_test.go::TestValidateResourceRequirements).

#[test]
fn a_request_above_its_limit_names_the_limit_in_canonical_form() {
    // TestValidateResourceRequirements "requests > limits"; quantities print canonically.
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
               "resources": {"limits": {"cpu": "0.5"}, "requests": {"cpu": "600m"}}}]}),
        &["spec.containers[0].resources.requests: Invalid value: \"600m\": must be less than or equal to cpu limit of 500m"],
    );
}

#[test]
fn a_negative_quantity_is_invalid() {
    // TestValidateResourceRequirements "negative limit" -> ValidateNonnegativeQuantity.
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx", "resources": {"limits": {"memory": "-1"}}}]}),
        &["spec.containers[0].resources.limits[memory]: Invalid value: \"-1\": must be greater than or equal to 0"],
    );
}

#[test]
fn an_extended_resource_request_must_equal_its_limit() {
    // TestValidateResourceRequirements "extended resource requests != limits" (IsOvercommitAllowed).
    assert_errors(
        json!({"containers": [{"name": "app", "image": "nginx",
               "resources": {"limits": {"example.com/gpu": "2"}, "requests": {"example.com/gpu": "1"}}}]}),
        &["spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to example.com/gpu limit of 2"],
    );
}

// ---------------------------------------------------------------------------------------------
// Pod-level fields (validation_test.go::TestValidatePodSpec).

#[test]
fn an_unknown_restart_policy_lists_the_three_policies() {
    assert_errors(
        json!({"restartPolicy": "Sometimes", "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""],
    );
}

#[test]
fn an_unknown_dns_policy_lists_the_four_policies() {
    assert_errors(
        json!({"dnsPolicy": "Cluster", "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""],
    );
}

#[test]
fn an_active_deadline_of_zero_is_out_of_range() {
    // TestValidatePodSpec "bad activeDeadlineSeconds".
    assert_errors(
        json!({"activeDeadlineSeconds": 0, "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"],
    );
}

// ---------------------------------------------------------------------------------------------
// Templates and warnings (validation_test.go::TestValidatePodTemplateSpec; warnings_test.go).

#[test]
fn template_errors_are_reported_under_the_template_path() {
    let t: PodTemplateSpec = serde_json::from_value(json!({
        "metadata": {"labels": {"app": "web!"}},
        "spec": {"containers": [{"image": "nginx"}]}
    }))
    .expect("template JSON");
    let v = validate_pod_template(&t, "spec.template");
    assert_eq!(
        messages(&v),
        [
            "spec.template.labels: Invalid value: \"web!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            "spec.template.spec.containers[0].name: Required value",
        ]
    );
}

#[test]
fn a_redefined_env_var_warns_that_apply_may_drop_it() {
    // warnings_test.go "duplicate env".
    let v = validate_pod(&pod(
        json!({"containers": [{"name": "app", "image": "nginx",
        "env": [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]}]}),
    ));
    assert!(v.is_accepted());
    assert_eq!(
        v.warnings,
        ["spec.containers[0].env[1]: hides previous definition of \"A\", which may be dropped when using apply"]
    );
}

#[test]
fn a_fractional_memory_limit_warns() {
    // warnings_test.go "fractional resources".
    let v = validate_pod(&pod(
        json!({"containers": [{"name": "app", "image": "nginx",
        "resources": {"limits": {"memory": "0.5"}}}]}),
    ));
    assert!(v.is_accepted());
    assert_eq!(
        v.warnings,
        ["spec.containers[0].resources.limits[memory]: fractional byte value \"500m\" is invalid, must be an integer"]
    );
}

#[test]
fn template_warnings_carry_the_template_path() {
    // warnings_test.go "podspec negative terminationGracePeriodSeconds" via GetWarningsForPodTemplate.
    let t: PodTemplateSpec = serde_json::from_value(json!({
        "spec": {"terminationGracePeriodSeconds": -1, "containers": [{"name": "app", "image": "nginx"}]}
    }))
    .expect("template JSON");
    let v = validate_pod_template(&t, "spec.template");
    assert_eq!(
        v.warnings,
        ["spec.template.spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"]
    );
}
