//! Pod spec rules of validation round 2, each case taken from the tables of
//! pkg/apis/core/validation/validation_test.go (named in the comment) and checked against the
//! message validation.go builds: container restart rules (ContainerRestartRules, beta and on
//! since v1.35), tolerations, affinity, security contexts, sysctls, host aliases, and
//! downwardAPI/projected/secret volume items.

use k8s_openapi::api::core::v1::Pod;
use podplay_engine::api::validation::{validate_pod, Validation};
use serde_json::{json, Value};

/// A pod named `test` in `default` with the given spec.
fn pod(spec: Value) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "test", "namespace": "default"},
        "spec": spec,
    }))
    .expect("test pod is valid Kubernetes JSON")
}

fn messages(v: &Validation) -> Vec<String> {
    v.errors.iter().map(ToString::to_string).collect()
}

#[track_caller]
fn assert_errors(spec: Value, expected: &[&str]) {
    assert_eq!(messages(&validate_pod(&pod(spec))), expected);
}

/// A pod spec whose only container gets the given extra fields.
fn with_container(extra: Value) -> Value {
    let mut c = json!({"name": "app", "image": "nginx"});
    for (k, v) in extra.as_object().expect("object").iter() {
        c[k] = v.clone();
    }
    json!({"containers": [c]})
}

/// A pod spec with the given extra top-level fields.
fn with_spec(extra: Value) -> Value {
    let mut s = json!({"containers": [{"name": "app", "image": "nginx"}]});
    for (k, v) in extra.as_object().expect("object").iter() {
        s[k] = v.clone();
    }
    s
}

const LABEL_KEY_REGEX: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_REGEX: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const DNS_LABEL_REGEX: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN_REGEX: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

// ---------------------------------------------------------------------------------------------
// Container restart rules: TestValidateContainerRestartPolicy, validateContainerRestartPolicy
// and validateInitContainerRestartPolicy with AllowContainerRestartPolicyRules on and
// AllowRestartAllContainers off (RestartAllContainersOnContainerExits is alpha).

fn rule(action: &str, operator: &str, values: Value) -> Value {
    json!({"action": action, "exitCodes": {"operator": operator, "values": values}})
}

#[test]
fn restart_rules_on_a_regular_container_are_accepted_with_a_policy() {
    // "valid restart-policy-rules".
    assert_errors(
        with_container(json!({"restartPolicy": "Never",
            "restartPolicyRules": [rule("Restart", "In", json!([42]))]})),
        &[],
    );
}

#[test]
fn restart_rules_need_a_container_restart_policy() {
    // "restart-policy-rules without restart-policy".
    assert_errors(
        with_container(json!({"restartPolicyRules": [rule("Restart", "In", json!([42]))]})),
        &["spec.containers[0].restartPolicy: Required value: must specify restartPolicy when restart rules are used"],
    );
}

#[test]
fn a_restart_rule_action_can_only_be_restart() {
    // "restart-policy-rules with invalid action"; RestartAllContainers needs an alpha gate.
    assert_errors(
        with_container(json!({"restartPolicy": "Never",
            "restartPolicyRules": [rule("RestartAllContainers", "In", json!([42]))]})),
        &["spec.containers[0].restartPolicyRules[0].action: Unsupported value: \"RestartAllContainers\": supported values: \"Restart\""],
    );
}

#[test]
fn a_restart_rule_needs_exit_codes_with_a_known_operator() {
    // "restart-policy-rules with no exit codes", "... with invalid operator".
    assert_errors(
        with_container(json!({"restartPolicy": "Never",
            "restartPolicyRules": [{"action": "Restart"}, rule("Restart", "", json!([1]))]})),
        &[
            "spec.containers[0].restartPolicyRules[0].exitCodes: Required value: must be specified",
            "spec.containers[0].restartPolicyRules[1].exitCodes.operator: Unsupported value: \"\": supported values: \"In\", \"NotIn\"",
        ],
    );
}

#[test]
fn restart_rules_and_exit_codes_are_capped() {
    // "restart-policy-rules with too many exit codes" and "... with too many rules" (TooMany,
    // whose value is the count).
    let codes: Vec<i32> = (0..256).collect();
    assert_errors(
        with_container(json!({"restartPolicy": "Never",
            "restartPolicyRules": [rule("Restart", "In", json!(codes))]})),
        &["spec.containers[0].restartPolicyRules[0].exitCodes.values: Too many: 256: must have at most 255 items"],
    );
    let rules: Vec<Value> = (0..21)
        .map(|_| rule("Restart", "In", json!([42])))
        .collect();
    assert_errors(
        with_container(json!({"restartPolicy": "Never", "restartPolicyRules": rules})),
        &["spec.containers[0].restartPolicyRules: Too many: 21: must have at most 20 items"],
    );
}

#[test]
fn a_sidecar_may_not_have_restart_rules_but_an_init_container_may() {
    // validateInitContainerRestartPolicy: Always forbids rules without RestartAllContainers.
    let spec = |policy: &str| {
        json!({"initContainers": [{"name": "init", "image": "busybox", "restartPolicy": policy,
                  "restartPolicyRules": [rule("Restart", "NotIn", json!([0]))]}],
               "containers": [{"name": "app", "image": "nginx"}]})
    };
    assert_errors(
        spec("Always"),
        &["spec.initContainers[0].restartPolicyRules: Forbidden: restartPolicyRules are not allowed for init containers with restart policy Always"],
    );
    assert_errors(spec("OnFailure"), &[]);
}

#[test]
fn a_non_sidecar_init_container_may_not_restart_to_resize() {
    // validateInitContainers: RestartContainer resize policies only for sidecars (on create,
    // AllowExistingRestartContainerForNonSidecarInitContainer is false).
    assert_errors(
        json!({"initContainers": [{"name": "init", "image": "busybox",
                  "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "RestartContainer"}]}],
               "containers": [{"name": "app", "image": "nginx"}]}),
        &["spec.initContainers[0].resizePolicy[0].restartPolicy: Invalid value: \"RestartContainer\": must not be set to 'RestartContainer' for non-sidecar initContainers"],
    );
}

#[test]
fn a_never_restarting_pod_may_only_resize_without_restart() {
    // TestValidateResizePolicy "invalid RestartContainer with pod RestartPolicy Never".
    let mut spec = with_container(
        json!({"resizePolicy": [{"resourceName": "cpu", "restartPolicy": "RestartContainer"}]}),
    );
    spec["restartPolicy"] = json!("Never");
    assert_errors(
        spec,
        &["spec.containers[0].resizePolicy: Invalid value: \"RestartContainer\": must be 'NotRequired' when pod `restartPolicy` is 'Never'"],
    );
}

// ---------------------------------------------------------------------------------------------
// Tolerations: TestValidateTolerations error cases (ValidateTolerations).

#[track_caller]
fn assert_toleration(t: Value, expected: &[&str]) {
    assert_errors(with_spec(json!({"tolerations": [t]})), expected);
}

#[test]
fn a_toleration_key_must_be_a_label_name() {
    // "invalid key".
    assert_toleration(
        json!({"key": "nospecialchars^=@", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}),
        &[&format!(
            "spec.tolerations[0].key: Invalid value: \"nospecialchars^=@\": {LABEL_KEY_REGEX}"
        )],
    );
}

#[test]
fn an_empty_toleration_key_needs_the_exists_operator() {
    // "operator must be Exists when key is empty".
    assert_toleration(
        json!({"operator": "Equal", "value": "bar"}),
        &["spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\""],
    );
}

#[test]
fn an_exists_toleration_has_no_value() {
    // "value must be empty when `operator` is 'Exists'".
    assert_toleration(
        json!({"key": "foo", "operator": "Exists", "value": "bar"}),
        &["spec.tolerations[0].operator: Invalid value: \"bar\": value must be empty when `operator` is 'Exists'"],
    );
}

#[test]
fn toleration_seconds_need_the_no_execute_effect() {
    // "effect must be 'NoExecute' when `TolerationSeconds` is set".
    assert_toleration(
        json!({"key": "foo", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 20}),
        &["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"],
    );
}

#[test]
fn a_toleration_value_must_be_a_label_value_and_its_effect_known() {
    // "invalid value" / validateTaintEffect.
    assert_toleration(
        json!({"key": "foo", "operator": "Equal", "value": "bad value!", "effect": "NoScheduleNoAdmit"}),
        &[
            &format!("spec.tolerations[0].operator: Invalid value: \"bad value!\": {LABEL_VALUE_REGEX}"),
            "spec.tolerations[0].effect: Unsupported value: \"NoScheduleNoAdmit\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
        ],
    );
}

#[test]
fn comparison_toleration_operators_need_an_alpha_gate() {
    // TaintTolerationComparisonOperators is alpha (off): Go lists all four operators.
    assert_toleration(
        json!({"key": "foo", "operator": "Lt", "value": "5"}),
        &["spec.tolerations[0].operator: Unsupported value: \"Lt\": supported values: \"Equal\", \"Exists\", \"Lt\", \"Gt\""],
    );
    assert_toleration(
        json!({"key": "foo", "operator": "Matches", "value": "5"}),
        &["spec.tolerations[0].operator: Unsupported value: \"Matches\": supported values: \"Equal\", \"Exists\""],
    );
}

// ---------------------------------------------------------------------------------------------
// Node selector and affinity: TestValidateAffinity / TestValidatePod "invalid ... affinity"
// cases (ValidateNodeSelector, ValidatePreferredSchedulingTerms, validatePodAffinityTerm).

const NODE_AFFINITY: &str =
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";

#[test]
fn a_node_selector_key_must_be_a_label_name() {
    // TestValidatePodSpec "bad nodeSelector" (ValidateLabels on spec.nodeSelector).
    assert_errors(
        with_spec(json!({"nodeSelector": {"bad key": "v"}})),
        &[&format!(
            "spec.nodeSelector: Invalid value: \"bad key\": {LABEL_KEY_REGEX}"
        )],
    );
}

#[test]
fn required_node_affinity_needs_a_term() {
    // "invalid requiredDuringSchedulingIgnoredDuringExecution node selector, nodeSelectorTerms
    // must have at least one term".
    assert_errors(
        with_spec(json!({"affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}})),
        &[&format!(
            "{NODE_AFFINITY}: Required value: must have at least one node selector term"
        )],
    );
}

#[test]
fn node_selector_requirements_check_operator_values_and_fields() {
    // "invalid node selector requirement, ... operator", "... values must be non-empty",
    // "invalid node field selector requirement, key".
    assert_errors(
        with_spec(json!({"affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{
                "matchExpressions": [
                    {"key": "key1", "operator": "invalid", "values": ["value1"]},
                    {"key": "key2", "operator": "In"},
                    {"key": "key3", "operator": "Gt", "values": ["1", "2"]}],
                "matchFields": [{"key": "metadata.namespace", "operator": "In", "values": ["ns"]}]
            }]}}}})),
        &[
            &format!("{NODE_AFFINITY}[0].matchExpressions[0].operator: Invalid value: \"invalid\": not a valid selector operator"),
            &format!("{NODE_AFFINITY}[0].matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"),
            &format!("{NODE_AFFINITY}[0].matchExpressions[2].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"),
            &format!("{NODE_AFFINITY}[0].matchFields[0].key: Invalid value: \"metadata.namespace\": not a valid field selector key"),
        ],
    );
}

#[test]
fn required_node_affinity_values_must_be_label_values_but_preferred_ones_need_not() {
    // ValidateNodeSelectorRequirement with AllowInvalidLabelValueInRequiredNodeAffinity off;
    // ValidatePreferredSchedulingTerms always allows them, and checks the weight.
    let expr = json!([{"key": "zone", "operator": "In", "values": ["bad value"]}]);
    assert_errors(
        with_spec(json!({"affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": expr}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 0, "preference": {"matchExpressions": expr}}]
        }}})),
        &[
            &format!("{NODE_AFFINITY}[0].matchExpressions[0].values[0]: Invalid value: \"bad value\": {LABEL_VALUE_REGEX}"),
            "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
        ],
    );
}

#[test]
fn pod_affinity_terms_check_selectors_namespaces_and_topology_key() {
    // "invalid labelSelector in podAffinity", "invalid namespace in podAntiAffinity", "empty
    // topologyKey" (reported as Required, then by ValidateLabelName). Go reports namespaces at
    // `namespace`.
    let anti = "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]";
    let pref = "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]";
    assert_errors(
        with_spec(json!({"affinity": {
            "podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 101,
                "podAffinityTerm": {"topologyKey": "zone", "labelSelector": {
                    "matchExpressions": [{"key": "app", "operator": "Exists", "values": ["x"]}]}}}]},
            "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
                "topologyKey": "", "namespaces": ["BAD"], "labelSelector": {"matchLabels": {"app": "web"}}}]}
        }})),
        &[
            &format!("{pref}.weight: Invalid value: 101: must be in the range 1-100"),
            &format!("{pref}.podAffinityTerm.labelSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
            &format!("{anti}.namespace: Invalid value: \"BAD\": {DNS_LABEL_REGEX}"),
            &format!("{anti}.topologyKey: Required value: can not be empty"),
            &format!("{anti}.topologyKey: Invalid value: \"\": name part must be non-empty"),
            &format!("{anti}.topologyKey: Invalid value: \"\": {LABEL_KEY_REGEX}"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Security contexts: TestValidatePodSecurityContext / TestValidateSecurityContext,
// TestValidateSeccompProfileField, TestValidateAppArmorProfileField.

#[test]
fn user_and_group_ids_are_at_most_max_int32() {
    // IsValidUserID / IsValidGroupID: 0 to math.MaxInt32.
    let mut spec = with_container(json!({"securityContext": {"runAsUser": 2147483648_i64}}));
    spec["securityContext"] = json!({"runAsGroup": -1, "fsGroup": 2147483647});
    assert_errors(
        spec,
        &[
            "spec.containers[0].securityContext.runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive",
            "spec.securityContext.runAsGroup: Invalid value: -1: must be between 0 and 2147483647, inclusive",
        ],
    );
}

#[test]
fn a_seccomp_profile_needs_a_known_type_and_a_local_profile_only_for_localhost() {
    // TestValidateSeccompProfileField: "invalid type", "missing type", "Localhost without
    // profile", "localhost profile with a parent path".
    let sp = |p: Value| with_spec(json!({"securityContext": {"seccompProfile": p}}));
    let path = "spec.securityContext.seccompProfile";
    assert_errors(
        sp(json!({"type": "Bogus"})),
        &[&format!("{path}.type: Unsupported value: \"Bogus\": supported values: \"Localhost\", \"RuntimeDefault\", \"Unconfined\"")],
    );
    assert_errors(
        sp(json!({"type": ""})),
        &[&format!(
            "{path}.type: Required value: type is required when seccompProfile is set"
        )],
    );
    assert_errors(
        sp(json!({"type": "Localhost"})),
        &[&format!(
            "{path}.localhostProfile: Required value: must be set when seccomp type is Localhost"
        )],
    );
    assert_errors(
        sp(json!({"type": "Localhost", "localhostProfile": "../etc/profile.json"})),
        &[&format!("{path}.localhostProfile: Invalid value: \"../etc/profile.json\": must not contain '..'")],
    );
}

#[test]
fn an_app_armor_local_profile_must_be_trimmed_and_only_for_localhost() {
    // TestValidateAppArmorProfileField: "localhost with padded profile", "RuntimeDefault with
    // localhost profile".
    let ap = |p: Value| with_container(json!({"securityContext": {"appArmorProfile": p}}));
    let path = "spec.containers[0].securityContext.appArmorProfile";
    assert_errors(
        ap(json!({"type": "Localhost", "localhostProfile": " foo "})),
        &[&format!(
            "{path}.localhostProfile: Invalid value: \" foo \": must not be padded with whitespace"
        )],
    );
    assert_errors(
        ap(json!({"type": "RuntimeDefault", "localhostProfile": "foo"})),
        &[&format!("{path}.localhostProfile: Invalid value: \"foo\": can only be set when AppArmor type is Localhost")],
    );
}

#[test]
fn an_unmasked_proc_mount_needs_a_user_namespace() {
    // TestValidateSecurityContext / ValidateProcMountType.
    let pm = |v: &str| with_container(json!({"securityContext": {"procMount": v}}));
    assert_errors(
        pm("Unmasked"),
        &["spec.containers[0].securityContext.procMount: Invalid value: \"Unmasked\": `hostUsers` must be false to use `Unmasked`"],
    );
    assert_errors(
        pm("Weird"),
        &["spec.containers[0].securityContext.procMount: Unsupported value: \"Weird\": supported values: \"Default\", \"Unmasked\""],
    );
    let mut spec = pm("Unmasked");
    spec["hostUsers"] = json!(false);
    assert_errors(spec, &[]);
}

#[test]
fn an_unknown_fs_group_change_policy_lists_the_sorted_policies() {
    // validateFSGroupChangePolicy.
    assert_errors(
        with_spec(json!({"securityContext": {"fsGroupChangePolicy": "Sometimes"}})),
        &["spec.securityContext.fsGroupChangePolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnRootMismatch\""],
    );
}

// ---------------------------------------------------------------------------------------------
// Sysctls: TestValidateSysctls (validateSysctls, ValidateHostSysctl).

#[test]
fn sysctl_names_must_match_the_sysctl_regex_and_be_unique() {
    let sysctls = json!([
        {"name": "kernel.Bad", "value": "1"},
        {"name": "", "value": "1"},
        {"name": "kernel.shm_rmid_forced", "value": "1"},
        {"name": "kernel.shm_rmid_forced", "value": "0"}]);
    assert_errors(
        with_spec(json!({"securityContext": {"sysctls": sysctls}})),
        &[
            "spec.securityContext.sysctls[0].name: Invalid value: \"kernel.Bad\": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$",
            "spec.securityContext.sysctls[1].name: Required value",
            "spec.securityContext.sysctls[3].name: Duplicate value: \"kernel.shm_rmid_forced\"",
        ],
    );
}

#[test]
fn namespaced_sysctls_are_refused_when_the_namespace_is_the_hosts() {
    // "namespaced sysctls in hostNetwork/hostIPC pods"; slash-separated names are normalised.
    let mut spec = with_spec(json!({"securityContext": {"sysctls": [
        {"name": "net/core/somaxconn", "value": "1024"},
        {"name": "kernel.msgmax", "value": "1"}]}}));
    spec["hostNetwork"] = json!(true);
    spec["hostIPC"] = json!(true);
    assert_errors(
        spec,
        &[
            "spec.securityContext.sysctls[0].name: Invalid value: \"net/core/somaxconn\": may not be specified when 'hostNetwork' is true",
            "spec.securityContext.sysctls[1].name: Invalid value: \"kernel.msgmax\": may not be specified when 'hostIPC' is true",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Host aliases: TestValidateHostAliases / ValidateHostAliases.

#[test]
fn host_aliases_need_an_ip_and_subdomain_hostnames() {
    assert_errors(
        with_spec(json!({"hostAliases": [
            {"ip": "999.1.1.1", "hostnames": ["Bad_Host"]},
            {"ip": "010.0.0.1", "hostnames": ["ok.example"]}]})),
        &[
            "spec.hostAliases[0].ip: Invalid value: \"999.1.1.1\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            &format!("spec.hostAliases[0].hostnames[0]: Invalid value: \"Bad_Host\": {DNS_SUBDOMAIN_REGEX}"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Volume items: TestValidateVolumes downwardAPI, projected and secret cases.

fn volume(source: Value) -> Value {
    let mut v = json!({"name": "vol"});
    for (k, val) in source.as_object().expect("object").iter() {
        v[k] = val.clone();
    }
    with_spec(json!({"volumes": [v], "serviceAccountName": "default"}))
}

#[test]
fn downward_api_items_are_checked_at_the_source_path() {
    // "downapi invalid fieldpath", "downapi fieldRef with unsupported path", "downapi
    // resourceFieldRef without containerName", "downapi absolute path", "downapi empty
    // metatada path" (Go reports items without their index).
    let p = "spec.volumes[0].downwardAPI";
    assert_errors(
        volume(json!({"downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labelz"}},
            {"path": "node", "fieldRef": {"fieldPath": "spec.nodeName"}},
            {"path": "cpu", "resourceFieldRef": {"resource": "limits.cpu"}},
            {"path": "/etc/name", "fieldRef": {"fieldPath": "metadata.name"}},
            {"path": "nothing"}]}})),
        &[
            &format!("{p}.fieldRef.fieldPath: Invalid value: \"metadata.labelz\": error converting fieldPath: field label not supported: metadata.labelz"),
            &format!("{p}.fieldRef.fieldPath: Unsupported value: \"spec.nodeName\": supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", \"metadata.uid\""),
            &format!("{p}.resourceFieldRef.containerName: Required value"),
            &format!("{p}.path: Invalid value: \"/etc/name\": must be a relative path"),
            &format!("{p}: Required value: one of fieldRef and resourceFieldRef is required"),
        ],
    );
}

#[test]
fn projected_sources_are_one_type_each_with_unique_paths() {
    // "ProjectedVolumeSource more than one projection in a source", "... duplicate paths".
    let p = "spec.volumes[0].projected";
    assert_errors(
        volume(json!({"projected": {"sources": [
            {"secret": {"name": "s", "items": [{"key": "k", "path": "same"}]},
             "configMap": {"name": "cm", "items": [{"key": "k", "path": "same"}]}}]}})),
        &[
            &format!("{p}: Invalid value: \"cm\": conflicting duplicate paths"),
            &format!(
                "{p}.sources[0]: Forbidden: may not specify more than 1 volume type per source"
            ),
        ],
    );
}

#[test]
fn a_projected_token_lives_at_least_ten_minutes_and_needs_a_service_account() {
    // "ServiceAccountToken with expirationSeconds too short"; validatePodMetadataAndSpec
    // forbids token projections without serviceAccountName.
    let src = json!({"projected": {"sources": [
        {"serviceAccountToken": {"path": "token", "expirationSeconds": 60}}]}});
    assert_errors(
        volume(src.clone()),
        &["spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes"],
    );
    let mut spec = volume(src);
    spec.as_object_mut()
        .expect("object")
        .remove("serviceAccountName");
    assert_eq!(
        messages(&validate_pod(&pod(spec))).last().map(String::as_str),
        Some("spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set")
    );
}

#[test]
fn secret_and_config_map_items_check_paths_and_modes() {
    // "secret with invalid item mode", "configmap with leading .. in item path".
    assert_errors(
        volume(json!({"secret": {"secretName": "s", "items": [{"key": "k", "path": "p", "mode": 512}]}})),
        &["spec.volumes[0].secret.items[0].mode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive"],
    );
    assert_errors(
        volume(json!({"configMap": {"name": "c", "items": [{"key": "k", "path": "..p"}]}})),
        &["spec.volumes[0].configMap.items[0].path: Invalid value: \"..p\": must not start with '..'"],
    );
}

// ---------------------------------------------------------------------------------------------
// Topology spread constraints: TestValidateTopologySpreadConstraints.

fn spread(constraints: Value) -> Value {
    with_spec(json!({"topologySpreadConstraints": constraints}))
}

#[test]
fn a_spread_constraint_needs_a_positive_skew_a_key_and_a_known_action() {
    // "negative maxSkew", "empty topologyKey", "unsupported whenUnsatisfiable".
    let p = "spec.topologySpreadConstraints[0]";
    assert_errors(
        spread(json!([{"maxSkew": -1, "topologyKey": "", "whenUnsatisfiable": "N/A"}])),
        &[
            &format!("{p}.maxSkew: Invalid value: -1: must be greater than zero"),
            &format!("{p}.topologyKey: Required value: can not be empty"),
            &format!("{p}.whenUnsatisfiable: Unsupported value: \"N/A\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\""),
        ],
    );
}

#[test]
fn spread_constraints_may_not_repeat_a_key_and_action() {
    // "duplicate constraints": reported on the first, at Go's composite path.
    let c =
        json!({"maxSkew": 1, "topologyKey": "k8s.io/zone", "whenUnsatisfiable": "DoNotSchedule"});
    assert_errors(
        spread(json!([c.clone(), c])),
        &["spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: \"{k8s.io/zone, DoNotSchedule}\""],
    );
}

#[test]
fn min_domains_need_do_not_schedule_and_policies_are_honor_or_ignore() {
    // "minDomains with ScheduleAnyway", "invalid nodeAffinityPolicy".
    let p = "spec.topologySpreadConstraints[0]";
    assert_errors(
        spread(json!([{"maxSkew": 1, "topologyKey": "k8s.io/zone", "whenUnsatisfiable": "ScheduleAnyway",
                        "minDomains": 3, "nodeAffinityPolicy": "Sometimes"}])),
        &[
            &format!("{p}.minDomains: Invalid value: 3: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"),
            &format!("{p}.nodeAffinityPolicy: Unsupported value: \"Sometimes\": supported values: \"Honor\", \"Ignore\""),
        ],
    );
}

#[test]
fn spread_match_label_keys_need_a_label_selector() {
    // validateLabelKeys: "matchLabelKeys without labelSelector".
    assert_errors(
        spread(json!([{"maxSkew": 1, "topologyKey": "k8s.io/zone", "whenUnsatisfiable": "DoNotSchedule",
                        "matchLabelKeys": ["app"]}])),
        &["spec.topologySpreadConstraints[0].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set"],
    );
}
