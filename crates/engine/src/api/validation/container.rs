//! Containers, mirroring pkg/apis/core/validation/validation.go: `validateContainers`,
//! `validateInitContainers`, `validateContainerCommon` and everything they call (ports, env,
//! envFrom, volume mounts, pull policy, resources, resize policy, probes, lifecycle handlers,
//! host-port conflicts).
//!
//! Fields the API server always defaults (`terminationMessagePolicy`, `imagePullPolicy`, a
//! port's `protocol`, probe thresholds and timings, an HTTP probe's `path` and `scheme`, a field
//! selector's `apiVersion`) are read through their API default when absent, so these checks give
//! the same answer before and after defaulting.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerRestartRule, EnvFromSource, EnvVar, HTTPGetAction,
    Lifecycle, LifecycleHandler, Probe, ResourceRequirements, Volume,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::field::{BadValue, FieldError, Path};
use super::names::{
    is_config_map_key, is_http_header_name, is_qualified_name, is_relaxed_env_var_name,
    is_valid_port_name, is_valid_port_num, name_is_dns_subdomain, validate_dns1123_label,
    validate_qualified_name,
};
use super::security::validate_container_security_context;
use super::volumes::validate_local_descending_path;
use crate::quantity::Quantity;

/// `IsNegativeErrorMsg` (apimachinery pkg/api/validation/generic.go).
pub(crate) const IS_NEGATIVE_ERROR_MSG: &str = "must be greater than or equal to 0";

/// What the containers of one pod spec share.
pub(crate) struct SpecContext<'a> {
    /// Volumes that validated cleanly, by name (`ValidateVolumes`' result).
    pub volumes: BTreeMap<String, &'a Volume>,
    /// Names in `spec.resourceClaims`.
    pub pod_claim_names: BTreeSet<String>,
    /// `spec.terminationGracePeriodSeconds`, or its default of 30 when absent.
    pub grace_period_s: Option<i64>,
    /// `spec.restartPolicy`, or its default `Always` when absent.
    pub pod_restart_policy: &'a str,
    /// `spec.hostUsers`, or its default `true` when absent.
    pub host_users: bool,
}

/// Mirrors `validateContainers`: regular containers.
pub(crate) fn validate_containers(
    containers: &[Container],
    ctx: &SpecContext<'_>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if containers.is_empty() {
        errs.push(FieldError::required(path, ""));
        return errs;
    }
    let mut all_names: BTreeSet<&str> = BTreeSet::new();
    for (i, ctr) in containers.iter().enumerate() {
        let p = path.index(i);
        errs.extend(validate_container_common(ctr, ctx, &p));
        if !all_names.insert(ctr.name.as_str()) {
            errs.push(FieldError::duplicate(
                &p.child("name"),
                BadValue::Str(ctr.name.clone()),
            ));
        }
        if let Some(lc) = &ctr.lifecycle {
            errs.extend(validate_lifecycle(
                lc,
                ctx.grace_period_s,
                &p.child("lifecycle"),
            ));
        }
        errs.extend(validate_liveness_or_startup_probe(
            ctr.liveness_probe.as_ref(),
            &p.child("livenessProbe"),
        ));
        errs.extend(validate_readiness_probe(
            ctr.readiness_probe.as_ref(),
            &p.child("readinessProbe"),
        ));
        errs.extend(validate_liveness_or_startup_probe(
            ctr.startup_probe.as_ref(),
            &p.child("startupProbe"),
        ));
        // ContainerRestartRules is beta and on by default since v1.35, so
        // AllowContainerRestartPolicyRules is true.
        errs.extend(validate_container_restart_policy(
            ctr.restart_policy.as_deref(),
            ctr.restart_policy_rules.as_deref().unwrap_or_default(),
            &p,
        ));
    }
    errs.extend(check_host_port_conflicts(
        containers.iter().enumerate(),
        path,
    ));
    errs
}

/// Mirrors `validateInitContainers`: names must be unique across init and regular containers;
/// only `restartPolicy: Always` (sidecars) may have probes and lifecycle hooks.
pub(crate) fn validate_init_containers(
    containers: &[Container],
    regular: &[Container],
    ctx: &SpecContext<'_>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut all_names: BTreeSet<&str> = regular.iter().map(|c| c.name.as_str()).collect();
    for (i, ctr) in containers.iter().enumerate() {
        let p = path.index(i);
        errs.extend(validate_container_common(ctr, ctx, &p));
        errs.extend(validate_init_container_restart_policy(
            ctr.restart_policy.as_deref(),
            ctr.restart_policy_rules.as_deref().unwrap_or_default(),
            &p,
        ));
        let restart_always = ctr.restart_policy.as_deref() == Some("Always");
        if all_names.contains(ctr.name.as_str()) {
            errs.push(FieldError::duplicate(
                &p.child("name"),
                BadValue::Str(ctr.name.clone()),
            ));
        } else if !ctr.name.is_empty() {
            all_names.insert(ctr.name.as_str());
        }
        // Go checks each init container on its own, and always at index 0 of the list path.
        errs.extend(check_host_port_conflicts(std::iter::once((0, ctr)), path));
        if restart_always {
            if let Some(lc) = &ctr.lifecycle {
                errs.extend(validate_lifecycle(
                    lc,
                    ctx.grace_period_s,
                    &p.child("lifecycle"),
                ));
            }
            errs.extend(validate_liveness_or_startup_probe(
                ctr.liveness_probe.as_ref(),
                &p.child("livenessProbe"),
            ));
            errs.extend(validate_readiness_probe(
                ctr.readiness_probe.as_ref(),
                &p.child("readinessProbe"),
            ));
            errs.extend(validate_liveness_or_startup_probe(
                ctr.startup_probe.as_ref(),
                &p.child("startupProbe"),
            ));
        } else {
            const WHY: &str = "may not be set for init containers without restartPolicy=Always";
            if ctr.lifecycle.is_some() {
                errs.push(FieldError::forbidden(&p.child("lifecycle"), WHY));
            }
            if ctr.liveness_probe.is_some() {
                errs.push(FieldError::forbidden(&p.child("livenessProbe"), WHY));
            }
            if ctr.readiness_probe.is_some() {
                errs.push(FieldError::forbidden(&p.child("readinessProbe"), WHY));
            }
            if ctr.startup_probe.is_some() {
                errs.push(FieldError::forbidden(&p.child("startupProbe"), WHY));
            }
        }
        // AllowSidecarResizePolicy is true; AllowExistingRestartContainerForNonSidecarInitContainer
        // is false on create.
        if !restart_always {
            for (j, rp) in ctr.resize_policy.iter().flatten().enumerate() {
                if rp.restart_policy == "RestartContainer" {
                    errs.push(FieldError::invalid(
                        &p.child("resizePolicy").index(j).child("restartPolicy"),
                        BadValue::Str(rp.restart_policy.clone()),
                        "must not be set to 'RestartContainer' for non-sidecar initContainers",
                    ));
                }
            }
        }
    }
    errs
}

/// `supportedContainerRestartPolicies`, sorted.
const CONTAINER_RESTART_POLICIES: [&str; 3] = ["Always", "Never", "OnFailure"];

/// Mirrors `validateContainerRestartPolicy` with `AllowContainerRestartPolicyRules` on (the
/// ContainerRestartRules gate, beta and on by default since v1.35) and
/// `AllowRestartAllContainers` off (RestartAllContainersOnContainerExits is alpha, off by
/// default), so the only rule action is `Restart`. `path` is the container's path.
fn validate_container_restart_policy(
    policy: Option<&str>,
    rules: &[ContainerRestartRule],
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let policy_path = path.child("restartPolicy");
    match policy {
        None if rules.is_empty() => return errs,
        None => errs.push(FieldError::required(
            &policy_path,
            "must specify restartPolicy when restart rules are used",
        )),
        Some(p) if !CONTAINER_RESTART_POLICIES.contains(&p) => {
            errs.push(FieldError::not_supported(
                &policy_path,
                BadValue::Str(p.to_string()),
                &CONTAINER_RESTART_POLICIES,
            ))
        }
        Some(_) => {}
    }
    let rules_path = path.child("restartPolicyRules");
    if rules.len() > 20 {
        errs.push(FieldError::too_many(&rules_path, rules.len(), 20));
    }
    for (i, rule) in rules.iter().enumerate() {
        let rule_path = rules_path.index(i);
        if rule.action != "Restart" {
            errs.push(FieldError::not_supported(
                &rule_path.child("action"),
                BadValue::Str(rule.action.clone()),
                &["Restart"],
            ));
        }
        match &rule.exit_codes {
            Some(codes) => {
                let codes_path = rule_path.child("exitCodes");
                if !matches!(codes.operator.as_str(), "In" | "NotIn") {
                    errs.push(FieldError::not_supported(
                        &codes_path.child("operator"),
                        BadValue::Str(codes.operator.clone()),
                        &["In", "NotIn"],
                    ));
                }
                let n = codes.values.as_ref().map_or(0, Vec::len);
                if n > 255 {
                    errs.push(FieldError::too_many(&codes_path.child("values"), n, 255));
                }
            }
            None => errs.push(FieldError::required(
                &rule_path.child("exitCodes"),
                "must be specified",
            )),
        }
    }
    errs
}

/// Mirrors `validateInitContainerRestartPolicy` with `AllowContainerRestartPolicyRules` on and
/// `AllowRestartAllContainers` off: a sidecar (`Always`) may not have rules; `Never` and
/// `OnFailure` are allowed, with rules. `path` is the container's path.
fn validate_init_container_restart_policy(
    policy: Option<&str>,
    rules: &[ContainerRestartRule],
    path: &Path,
) -> Vec<FieldError> {
    match policy {
        None if rules.is_empty() => Vec::new(),
        None => vec![FieldError::required(
            &path.child("restartPolicy"),
            "must specify restartPolicy when restart rules are used",
        )],
        Some("Always") if rules.is_empty() => Vec::new(),
        Some("Always") => vec![FieldError::forbidden(
            &path.child("restartPolicyRules"),
            "restartPolicyRules are not allowed for init containers with restart policy Always",
        )],
        Some(p) => validate_container_restart_policy(Some(p), rules, path),
    }
}

/// Mirrors `validateContainerCommon`.
fn validate_container_common(
    ctr: &Container,
    ctx: &SpecContext<'_>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name_path = path.child("name");
    if ctr.name.is_empty() {
        errs.push(FieldError::required(&name_path, ""));
    } else {
        errs.extend(validate_dns1123_label(&ctr.name, &name_path));
    }
    if ctr.image.as_deref().unwrap_or("").is_empty() {
        errs.push(FieldError::required(&path.child("image"), ""));
    }
    match ctr.termination_message_policy.as_deref() {
        None | Some("") | Some("File") | Some("FallbackToLogsOnError") => {}
        Some(other) => errs.push(FieldError::not_supported(
            &path.child("terminationMessagePolicy"),
            BadValue::Str(other.to_string()),
            &["File", "FallbackToLogsOnError"],
        )),
    }
    errs.extend(validate_container_ports(
        ctr.ports.as_deref().unwrap_or_default(),
        &path.child("ports"),
    ));
    errs.extend(validate_env(
        ctr.env.as_deref().unwrap_or_default(),
        &path.child("env"),
    ));
    errs.extend(validate_env_from(
        ctr.env_from.as_deref().unwrap_or_default(),
        &path.child("envFrom"),
    ));
    errs.extend(validate_volume_mounts(
        ctr,
        ctx,
        &path.child("volumeMounts"),
    ));
    match ctr.image_pull_policy.as_deref() {
        None | Some("") | Some("Always") | Some("IfNotPresent") | Some("Never") => {}
        Some(other) => errs.push(FieldError::not_supported(
            &path.child("imagePullPolicy"),
            BadValue::Str(other.to_string()),
            &["Always", "IfNotPresent", "Never"],
        )),
    }
    if let Some(res) = &ctr.resources {
        errs.extend(validate_resource_requirements(
            res,
            &ctx.pod_claim_names,
            &path.child("resources"),
        ));
    }
    errs.extend(validate_resize_policy(
        ctr,
        ctx.pod_restart_policy,
        &path.child("resizePolicy"),
    ));
    errs.extend(validate_container_security_context(
        ctr.security_context.as_ref(),
        ctx.host_users,
        &path.child("securityContext"),
    ));
    errs
}

/// Mirrors `validateContainerPorts`.
fn validate_container_ports(ports: &[ContainerPort], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut all_names: BTreeSet<&str> = BTreeSet::new();
    for (i, port) in ports.iter().enumerate() {
        let idx = path.index(i);
        if let Some(name) = port.name.as_deref().filter(|n| !n.is_empty()) {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                for msg in msgs {
                    errs.push(FieldError::invalid(
                        &idx.child("name"),
                        BadValue::Str(name.to_string()),
                        &msg,
                    ));
                }
            } else if !all_names.insert(name) {
                errs.push(FieldError::duplicate(
                    &idx.child("name"),
                    BadValue::Str(name.to_string()),
                ));
            }
        }
        if port.container_port == 0 {
            errs.push(FieldError::required(&idx.child("containerPort"), ""));
        } else {
            for msg in is_valid_port_num(i64::from(port.container_port)) {
                errs.push(FieldError::invalid(
                    &idx.child("containerPort"),
                    BadValue::Int(i64::from(port.container_port)),
                    &msg,
                ));
            }
        }
        if let Some(hp) = port.host_port.filter(|&hp| hp != 0) {
            for msg in is_valid_port_num(i64::from(hp)) {
                errs.push(FieldError::invalid(
                    &idx.child("hostPort"),
                    BadValue::Int(i64::from(hp)),
                    &msg,
                ));
            }
        }
        match port.protocol.as_deref() {
            None | Some("") | Some("TCP") | Some("UDP") | Some("SCTP") => {}
            Some(other) => errs.push(FieldError::not_supported(
                &idx.child("protocol"),
                BadValue::Str(other.to_string()),
                &["SCTP", "TCP", "UDP"],
            )),
        }
    }
    errs
}

/// A port's protocol as the API server stores it (default `TCP`).
pub(crate) fn effective_protocol(port: &ContainerPort) -> &str {
    port.protocol
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("TCP")
}

/// Mirrors `checkHostPortConflicts` / `AccumulateUniqueHostPorts`: the same
/// `protocol/hostIP/hostPort` twice is a duplicate.
fn check_host_port_conflicts<'a>(
    containers: impl Iterator<Item = (usize, &'a Container)>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (ci, ctr) in containers {
        let ports_path = path.index(ci).child("ports");
        for (pi, port) in ctr.ports.iter().flatten().enumerate() {
            let host_port = port.host_port.unwrap_or(0);
            if host_port == 0 {
                continue;
            }
            let key = format!(
                "{}/{}/{}",
                effective_protocol(port),
                port.host_ip.as_deref().unwrap_or(""),
                host_port
            );
            if seen.contains(&key) {
                errs.push(FieldError::duplicate(
                    &ports_path.index(pi).child("hostPort"),
                    BadValue::Str(key),
                ));
            } else {
                seen.insert(key);
            }
        }
    }
    errs
}

/// Mirrors `ValidateEnv` with relaxed environment variable names (GA in v1.34).
fn validate_env(vars: &[EnvVar], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, ev) in vars.iter().enumerate() {
        let idx = path.index(i);
        if ev.name.is_empty() {
            errs.push(FieldError::required(&idx.child("name"), ""));
        } else {
            for msg in is_relaxed_env_var_name(&ev.name) {
                errs.push(FieldError::invalid(
                    &idx.child("name"),
                    BadValue::Str(ev.name.clone()),
                    &msg,
                ));
            }
        }
        errs.extend(validate_env_var_value_from(ev, &idx.child("valueFrom")));
    }
    errs
}

/// `validEnvDownwardAPIFieldPathExpressions`, sorted as `sets.List` returns them.
const ENV_FIELD_PATHS: [&str; 9] = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

/// `validContainerResourceFieldPathExpressions`, sorted.
pub(crate) const RESOURCE_FIELD_PATHS: [&str; 6] = [
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

/// Mirrors `validateEnvVarValueFrom`.
fn validate_env_var_value_from(ev: &EnvVar, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(from) = &ev.value_from else {
        return errs;
    };
    let mut num = 0;
    if let Some(fr) = &from.field_ref {
        num += 1;
        errs.extend(validate_object_field_selector(
            fr.api_version.as_deref(),
            &fr.field_path,
            &ENV_FIELD_PATHS,
            &path.child("fieldRef"),
        ));
    }
    if let Some(rf) = &from.resource_field_ref {
        num += 1;
        let p = path.child("resourceFieldRef");
        if rf.resource.is_empty() {
            errs.push(FieldError::required(&p.child("resource"), ""));
        } else if !RESOURCE_FIELD_PATHS.contains(&rf.resource.as_str())
            && !rf.resource.starts_with("limits.hugepages-")
            && !rf.resource.starts_with("requests.hugepages-")
        {
            errs.push(FieldError::not_supported(
                &p.child("resource"),
                BadValue::Str(rf.resource.clone()),
                &RESOURCE_FIELD_PATHS,
            ));
        }
        errs.extend(validate_container_resource_divisor(
            &rf.resource,
            rf.divisor.as_ref(),
            &p,
        ));
    }
    if let Some(s) = &from.config_map_key_ref {
        num += 1;
        errs.extend(validate_key_selector(
            &s.name,
            &s.key,
            &path.child("configMapKeyRef"),
        ));
    }
    if let Some(s) = &from.secret_key_ref {
        num += 1;
        errs.extend(validate_key_selector(
            &s.name,
            &s.key,
            &path.child("secretKeyRef"),
        ));
    }
    let value_set = !ev.value.as_deref().unwrap_or("").is_empty();
    if num == 0 {
        errs.push(FieldError::invalid(
            path,
            BadValue::Str(String::new()),
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
        ));
    } else if value_set {
        errs.push(FieldError::invalid(
            path,
            BadValue::Str(String::new()),
            "may not be specified when `value` is not empty",
        ));
    } else if num > 1 {
        errs.push(FieldError::invalid(
            path,
            BadValue::Str(String::new()),
            "may not have more than one field specified at a time",
        ));
    }
    errs
}

/// Mirrors `fieldpath.SplitMaybeSubscriptedPath`: `metadata.labels['key']`.
fn split_subscripted(field_path: &str) -> Option<(&str, &str)> {
    let s = field_path.strip_suffix("']")?;
    let (path, sub) = s.split_once("['")?;
    (!path.is_empty()).then_some((path, sub))
}

/// Mirrors `validateObjectFieldSelector` with the given valid expressions (sorted, as
/// `sets.List` gives them), including `ConvertDownwardAPIFieldLabel`'s errors.
pub(crate) fn validate_object_field_selector(
    api_version: Option<&str>,
    field_path: &str,
    expressions: &[&str],
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    // apiVersion defaults to "v1".
    let version = api_version.filter(|v| !v.is_empty()).unwrap_or("v1");
    if field_path.is_empty() {
        errs.push(FieldError::required(&path.child("fieldPath"), ""));
        return errs;
    }
    let conversion_error = if version != "v1" {
        Some(format!("unsupported pod version: {version}"))
    } else if let Some((p, _)) = split_subscripted(field_path) {
        (!matches!(p, "metadata.annotations" | "metadata.labels"))
            .then(|| format!("field label does not support subscript: {field_path}"))
    } else {
        const SUPPORTED: [&str; 15] = [
            "metadata.annotations",
            "metadata.labels",
            "metadata.name",
            "metadata.namespace",
            "metadata.uid",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.serviceAccountName",
            "spec.schedulerName",
            "status.phase",
            "status.hostIP",
            "status.hostIPs",
            "status.podIP",
            "status.podIPs",
            "spec.host",
        ];
        (!SUPPORTED.contains(&field_path))
            .then(|| format!("field label not supported: {field_path}"))
    };
    if let Some(e) = conversion_error {
        errs.push(FieldError::invalid(
            &path.child("fieldPath"),
            BadValue::Str(field_path.to_string()),
            &format!("error converting fieldPath: {e}"),
        ));
        return errs;
    }
    // The legacy "spec.host" converts to "spec.nodeName".
    let internal = if field_path == "spec.host" {
        "spec.nodeName"
    } else {
        field_path
    };
    if let Some((p, sub)) = split_subscripted(internal) {
        match p {
            "metadata.annotations" => {
                errs.extend(validate_qualified_name(&sub.to_lowercase(), path))
            }
            _ => errs.extend(validate_qualified_name(sub, path)),
        }
    } else if !expressions.contains(&internal) {
        errs.push(FieldError::not_supported(
            &path.child("fieldPath"),
            BadValue::Str(internal.to_string()),
            expressions,
        ));
    }
    errs
}

/// Mirrors `validateContainerResourceDivisor`.
pub(crate) fn validate_container_resource_divisor(
    resource: &str,
    divisor: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(d) = divisor.and_then(|d| Quantity::parse(&d.0)) else {
        return errs;
    };
    let s = d.canonical();
    if s == "0" {
        return errs;
    }
    const BYTES: [&str; 13] = [
        "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
    ];
    let bad = |what: &str| {
        FieldError::invalid(
            &path.child("divisor"),
            BadValue::Str(resource.to_string()),
            &format!("only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the {what}"),
        )
    };
    match resource {
        "limits.cpu" | "requests.cpu" if s != "1m" && s != "1" => {
            errs.push(FieldError::invalid(
                &path.child("divisor"),
                BadValue::Str(resource.to_string()),
                "only divisor's values 1m and 1 are supported with the cpu resource",
            ));
        }
        "limits.memory" | "requests.memory" if !BYTES.contains(&s.as_str()) => {
            errs.push(bad("memory resource"))
        }
        "limits.ephemeral-storage" | "requests.ephemeral-storage"
            if !BYTES.contains(&s.as_str()) =>
        {
            errs.push(bad("local ephemeral storage resource"))
        }
        _ => {}
    }
    if (resource.starts_with("requests.hugepages-") || resource.starts_with("limits.hugepages-"))
        && !BYTES.contains(&s.as_str())
    {
        errs.push(bad("hugepages resource"));
    }
    errs
}

/// Mirrors `validateConfigMapKeySelector` / `validateSecretKeySelector`.
fn validate_key_selector(name: &str, key: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for msg in name_is_dns_subdomain(name, false) {
        errs.push(FieldError::invalid(
            &path.child("name"),
            BadValue::Str(name.to_string()),
            &msg,
        ));
    }
    if key.is_empty() {
        errs.push(FieldError::required(&path.child("key"), ""));
    } else {
        for msg in is_config_map_key(key) {
            errs.push(FieldError::invalid(
                &path.child("key"),
                BadValue::Str(key.to_string()),
                &msg,
            ));
        }
    }
    errs
}

/// Mirrors `ValidateEnvFrom`.
fn validate_env_from(sources: &[EnvFromSource], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, ev) in sources.iter().enumerate() {
        let idx = path.index(i);
        if let Some(prefix) = ev.prefix.as_deref().filter(|p| !p.is_empty()) {
            for msg in is_relaxed_env_var_name(prefix) {
                errs.push(FieldError::invalid(
                    &idx.child("prefix"),
                    BadValue::Str(prefix.to_string()),
                    &msg,
                ));
            }
        }
        let mut num = 0;
        let refs = [
            (
                ev.config_map_ref.as_ref().map(|r| r.name.as_str()),
                "configMapRef",
            ),
            (ev.secret_ref.as_ref().map(|r| r.name.as_str()), "secretRef"),
        ];
        for (name, child) in refs {
            let Some(name) = name else { continue };
            num += 1;
            let p = idx.child(child).child("name");
            if name.is_empty() {
                errs.push(FieldError::required(&p, ""));
            } else {
                for msg in name_is_dns_subdomain(name, true) {
                    errs.push(FieldError::invalid(
                        &p,
                        BadValue::Str(name.to_string()),
                        &msg,
                    ));
                }
            }
        }
        if num == 0 {
            errs.push(FieldError::invalid(
                path,
                BadValue::Str(String::new()),
                "must specify one of: `configMapRef` or `secretRef`",
            ));
        } else if num > 1 {
            errs.push(FieldError::invalid(
                path,
                BadValue::Str(String::new()),
                "may not have more than one field specified at a time",
            ));
        }
    }
    errs
}

/// Mirrors `ValidateVolumeMounts` (volume devices, recursiveReadOnly and the image-volume
/// subPath rules aside). Note Go puts the subPath and mountPropagation errors on the
/// `volumeMounts` path itself, not on the mount's index.
fn validate_volume_mounts(ctr: &Container, ctx: &SpecContext<'_>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut mount_points: BTreeSet<&str> = BTreeSet::new();
    for (i, mnt) in ctr.volume_mounts.iter().flatten().enumerate() {
        let idx = path.index(i);
        if mnt.name.is_empty() {
            errs.push(FieldError::required(&idx.child("name"), ""));
        }
        if !ctx.volumes.contains_key(&mnt.name) {
            errs.push(FieldError::not_found(
                &idx.child("name"),
                BadValue::Str(mnt.name.clone()),
            ));
        }
        if mnt.mount_path.is_empty() {
            errs.push(FieldError::required(&idx.child("mountPath"), ""));
        }
        if !mount_points.insert(mnt.mount_path.as_str()) {
            errs.push(FieldError::invalid(
                &idx.child("mountPath"),
                BadValue::Str(mnt.mount_path.clone()),
                "must be unique",
            ));
        }
        let sub_path = mnt.sub_path.as_deref().unwrap_or("");
        let sub_path_expr = mnt.sub_path_expr.as_deref().unwrap_or("");
        if ctx
            .volumes
            .get(&mnt.name)
            .is_some_and(|v| v.image.is_some())
        {
            if !sub_path.is_empty() {
                errs.push(FieldError::invalid(
                    &idx.child("subPath"),
                    BadValue::Str(sub_path.to_string()),
                    "not allowed in image volume sources",
                ));
            }
            if !sub_path_expr.is_empty() {
                errs.push(FieldError::invalid(
                    &idx.child("subPathExpr"),
                    BadValue::Str(sub_path_expr.to_string()),
                    "not allowed in image volume sources",
                ));
            }
        }
        if !sub_path.is_empty() {
            errs.extend(validate_local_descending_path(
                sub_path,
                &path.child("subPath"),
            ));
        }
        if !sub_path_expr.is_empty() {
            if !sub_path.is_empty() {
                errs.push(FieldError::invalid(
                    &idx.child("subPathExpr"),
                    BadValue::Str(sub_path_expr.to_string()),
                    "subPathExpr and subPath are mutually exclusive",
                ));
            }
            errs.extend(validate_local_descending_path(
                sub_path_expr,
                &path.child("subPathExpr"),
            ));
        }
        if let Some(mp) = &mnt.mount_propagation {
            let p = path.child("mountPropagation");
            const MODES: [&str; 3] = ["Bidirectional", "HostToContainer", "None"];
            if !MODES.contains(&mp.as_str()) {
                errs.push(FieldError::not_supported(
                    &p,
                    BadValue::Str(mp.clone()),
                    &MODES,
                ));
            }
            let privileged = ctr
                .security_context
                .as_ref()
                .and_then(|s| s.privileged)
                .unwrap_or(false);
            if mp == "Bidirectional" && !privileged {
                errs.push(FieldError::forbidden(
                    &p,
                    "Bidirectional mount propagation is available only to privileged containers",
                ));
            }
        }
    }
    errs
}

/// Whether a resource name has a `/` in it (Go: `len(strings.Split(name, "/")) == 1`).
fn has_slash(name: &str) -> bool {
    name.contains('/')
}

fn is_huge_page_resource_name(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `helper.IsNativeResource`.
fn is_native_resource(name: &str) -> bool {
    !has_slash(name) || name.contains("kubernetes.io/")
}

/// `helper.IsExtendedResourceName`.
fn is_extended_resource_name(name: &str) -> bool {
    if is_native_resource(name) || name.starts_with("requests.") {
        return false;
    }
    is_qualified_name(&format!("requests.{name}")).is_empty()
}

/// `helper.IsStandardResourceName`.
fn is_standard_resource_name(name: &str) -> bool {
    const STANDARD: [&str; 18] = [
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "persistentvolumeclaims",
        "configmaps",
        "services.nodeports",
        "services.loadbalancers",
    ];
    STANDARD.contains(&name)
        || is_huge_page_resource_name(name)
        || name.starts_with("requests.hugepages-")
}

/// `helper.IsIntegerResourceName`.
fn is_integer_resource_name(name: &str) -> bool {
    const INTEGER: [&str; 9] = [
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "persistentvolumeclaims",
        "configmaps",
        "services.nodeports",
        "services.loadbalancers",
    ];
    INTEGER.contains(&name) || is_extended_resource_name(name)
}

/// `helper.IsOvercommitAllowed`: native, non-hugepage resources may request less than their limit.
fn is_overcommit_allowed(name: &str) -> bool {
    is_native_resource(name) && !is_huge_page_resource_name(name)
}

/// Mirrors `validateContainerResourceName` (and `validateResourceName`). `core.ResourceName`
/// has a `String()` method, so Go prints these bad values without quotes.
fn validate_container_resource_name(name: &str, path: &Path) -> Vec<FieldError> {
    let bad = || BadValue::Stringer(name.to_string());
    let mut errs: Vec<FieldError> = is_qualified_name(name)
        .into_iter()
        .map(|msg| FieldError::invalid(path, bad(), &msg))
        .collect();
    if errs.is_empty() && !has_slash(name) && !is_standard_resource_name(name) {
        errs.push(FieldError::invalid(
            path,
            bad(),
            "must be a standard resource type or fully qualified",
        ));
        // Go returns here from validateResourceName, then goes on in the caller.
    }
    if !has_slash(name) {
        if !(matches!(name, "cpu" | "memory" | "ephemeral-storage")
            || is_huge_page_resource_name(name))
        {
            errs.push(FieldError::invalid(
                path,
                bad(),
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native_resource(name) && !is_extended_resource_name(name) {
        errs.push(FieldError::invalid(
            path,
            bad(),
            "doesn't follow extended resource name standard",
        ));
    }
    errs
}

/// Mirrors `ValidateResourceQuantityValue`.
fn validate_resource_quantity_value(name: &str, q: &Quantity, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if q.is_negative() {
        errs.push(FieldError::invalid(
            path,
            BadValue::Str(q.canonical()),
            IS_NEGATIVE_ERROR_MSG,
        ));
    }
    if is_integer_resource_name(name) && q.milli_value() % 1000 != 0 {
        errs.push(FieldError::invalid(
            path,
            BadValue::Stringer(q.canonical()),
            "must be an integer",
        ));
    }
    errs
}

/// Mirrors `validateResourceQuantityHugePageValue`: the amount must be a whole multiple of the
/// page size named in the resource (`hugepages-2Mi`).
fn validate_huge_page_value(name: &str, q: &Quantity, path: &Path) -> Option<FieldError> {
    let size = Quantity::parse(name.strip_prefix("hugepages-")?)?;
    let (Some(page), Some(amount)) = (size.whole_units(), q.whole_units()) else {
        return Some(FieldError::invalid(
            path,
            BadValue::Str(q.canonical()),
            &format!(
                "{} is not positive integer multiple of {name}",
                q.canonical()
            ),
        ));
    };
    (page <= 0 || amount % page != 0).then(|| {
        FieldError::invalid(
            path,
            BadValue::Str(q.canonical()),
            &format!(
                "{} is not positive integer multiple of {name}",
                q.canonical()
            ),
        )
    })
}

/// Mirrors `validateResourceRequirements` for containers. Go ranges over maps in random order;
/// here resources go in sorted order. Quantities that do not parse are skipped: the API server
/// rejects those when decoding the request, before validation.
pub(crate) fn validate_resource_requirements(
    req: &ResourceRequirements,
    pod_claim_names: &BTreeSet<String>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let lim_path = path.child("limits");
    let req_path = path.child("requests");
    let empty = BTreeMap::new();
    let limits = req.limits.as_ref().unwrap_or(&empty);
    let requests = req.requests.as_ref().unwrap_or(&empty);
    let (mut lim_cpu_mem, mut req_cpu_mem, mut lim_huge, mut req_huge) =
        (false, false, false, false);
    for (name, raw) in limits {
        let p = lim_path.key(name);
        errs.extend(validate_container_resource_name(name, &p));
        let Some(q) = Quantity::parse(&raw.0) else {
            continue;
        };
        errs.extend(validate_resource_quantity_value(name, &q, &p));
        if is_huge_page_resource_name(name) {
            lim_huge = true;
            errs.extend(validate_huge_page_value(name, &q, &p));
        }
        if name == "cpu" || name == "memory" {
            lim_cpu_mem = true;
        }
    }
    for (name, raw) in requests {
        let p = req_path.key(name);
        errs.extend(validate_container_resource_name(name, &p));
        let Some(q) = Quantity::parse(&raw.0) else {
            continue;
        };
        errs.extend(validate_resource_quantity_value(name, &q, &p));
        match limits.get(name).and_then(|l| Quantity::parse(&l.0)) {
            Some(limit) => {
                let ord = q.cmp_value(&limit);
                if ord != std::cmp::Ordering::Equal && !is_overcommit_allowed(name) {
                    errs.push(FieldError::invalid(
                        &req_path,
                        BadValue::Str(q.canonical()),
                        &format!("must be equal to {name} limit of {}", limit.canonical()),
                    ));
                } else if ord == std::cmp::Ordering::Greater {
                    errs.push(FieldError::invalid(
                        &req_path,
                        BadValue::Str(q.canonical()),
                        &format!(
                            "must be less than or equal to {name} limit of {}",
                            limit.canonical()
                        ),
                    ));
                }
            }
            None if !limits.contains_key(name) && !is_overcommit_allowed(name) => {
                errs.push(FieldError::required(
                    &lim_path,
                    "Limit must be set for non overcommitable resources",
                ));
            }
            None => {}
        }
        if is_huge_page_resource_name(name) {
            req_huge = true;
            errs.extend(validate_huge_page_value(name, &q, &p));
        }
        if name == "cpu" || name == "memory" {
            req_cpu_mem = true;
        }
    }
    if !lim_cpu_mem && !req_cpu_mem && (req_huge || lim_huge) {
        errs.push(FieldError::forbidden(
            path,
            "HugePages require cpu or memory",
        ));
    }
    errs.extend(validate_resource_claim_names(
        req,
        pod_claim_names,
        &path.child("claims"),
    ));
    errs
}

/// Mirrors `validateResourceClaimNames`.
fn validate_resource_claim_names(
    req: &ResourceRequirements,
    pod_claim_names: &BTreeSet<String>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    for (i, claim) in req.claims.iter().flatten().enumerate() {
        let p = path.index(i);
        let name = &claim.name;
        if name.is_empty() {
            errs.push(FieldError::required(&p, ""));
            continue;
        }
        if names.contains(name) {
            errs.push(FieldError::duplicate(&p, BadValue::Str(name.clone())));
        } else {
            let request = claim.request.as_deref().unwrap_or("");
            let mut key = name.clone();
            if !request.is_empty() {
                errs.extend(validate_dns1123_label(request, &p.child("request")));
                key = format!("{name}/{request}");
            }
            if names.contains(&key) {
                errs.push(FieldError::duplicate(&p, BadValue::Str(key.clone())));
            } else if request.is_empty() {
                for existing in &names {
                    if existing.split_once('/').is_some_and(|(n, _)| n == name) {
                        errs.push(FieldError::duplicate(&p, BadValue::Str(name.clone())));
                    }
                }
            }
            names.insert(key);
        }
        if !pod_claim_names.contains(name) {
            let mut e = FieldError::not_found(&p, BadValue::Str(name.clone()));
            e.detail = "must be one of the names in pod.spec.resourceClaims".to_string();
            if pod_claim_names.is_empty() {
                e.detail.push_str(" which is empty");
            } else {
                let list: Vec<&str> = pod_claim_names.iter().map(String::as_str).collect();
                e.detail.push_str(&format!(": {}", list.join(", ")));
            }
            errs.push(e);
        }
    }
    errs
}

/// Mirrors `validateResizePolicy`.
fn validate_resize_policy(
    ctr: &Container,
    pod_restart_policy: &str,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for (i, p) in ctr.resize_policy.iter().flatten().enumerate() {
        if !seen.insert(p.resource_name.as_str()) {
            errs.push(FieldError::duplicate(
                &path.index(i),
                BadValue::Str(p.resource_name.clone()),
            ));
        }
        match p.resource_name.as_str() {
            "cpu" | "memory" => {}
            "" => errs.push(FieldError::required(path, "")),
            other => errs.push(FieldError::not_supported(
                path,
                BadValue::Str(other.to_string()),
                &["cpu", "memory"],
            )),
        }
        match p.restart_policy.as_str() {
            "NotRequired" | "RestartContainer" => {}
            "" => errs.push(FieldError::required(path, "")),
            other => errs.push(FieldError::not_supported(
                path,
                BadValue::Str(other.to_string()),
                &["NotRequired", "RestartContainer"],
            )),
        }
        if pod_restart_policy == "Never" && p.restart_policy != "NotRequired" {
            errs.push(FieldError::invalid(
                path,
                BadValue::Str(p.restart_policy.clone()),
                "must be 'NotRequired' when pod `restartPolicy` is 'Never'",
            ));
        }
    }
    errs
}

/// Mirrors `validateLivenessProbe` and `validateStartupProbe`: `successThreshold` must be 1.
fn validate_liveness_or_startup_probe(probe: Option<&Probe>, path: &Path) -> Vec<FieldError> {
    let Some(probe) = probe else {
        return Vec::new();
    };
    let mut errs = validate_probe(probe, path);
    let success = probe.success_threshold.unwrap_or(1);
    if success != 1 {
        errs.push(FieldError::invalid(
            &path.child("successThreshold"),
            BadValue::Int(i64::from(success)),
            "must be 1",
        ));
    }
    errs
}

/// Mirrors `validateReadinessProbe`: no `terminationGracePeriodSeconds`.
fn validate_readiness_probe(probe: Option<&Probe>, path: &Path) -> Vec<FieldError> {
    let Some(probe) = probe else {
        return Vec::new();
    };
    let mut errs = validate_probe(probe, path);
    if let Some(tgps) = probe.termination_grace_period_seconds {
        errs.push(FieldError::invalid(
            &path.child("terminationGracePeriodSeconds"),
            BadValue::Int(tgps),
            "must not be set for readinessProbes",
        ));
    }
    errs
}

/// Mirrors `validateProbe`: exactly one handler, non-negative timings (read through their
/// defaults: 0, 1, 10, 1, 3), a positive probe-level grace period.
fn validate_probe(probe: &Probe, path: &Path) -> Vec<FieldError> {
    let handler = Handler {
        exec: probe
            .exec
            .as_ref()
            .map(|e| e.command.as_deref().unwrap_or_default().len()),
        http_get: probe.http_get.as_ref(),
        tcp_socket: probe.tcp_socket.as_ref().map(|t| &t.port),
        grpc: probe.grpc.as_ref().map(|g| g.port),
        sleep: None,
    };
    let mut errs = validate_handler(&handler, None, path);
    let fields = [
        (
            probe.initial_delay_seconds.unwrap_or(0),
            "initialDelaySeconds",
        ),
        (probe.timeout_seconds.unwrap_or(1), "timeoutSeconds"),
        (probe.period_seconds.unwrap_or(10), "periodSeconds"),
        (probe.success_threshold.unwrap_or(1), "successThreshold"),
        (probe.failure_threshold.unwrap_or(3), "failureThreshold"),
    ];
    for (value, child) in fields {
        if value < 0 {
            errs.push(FieldError::invalid(
                &path.child(child),
                BadValue::Int(i64::from(value)),
                IS_NEGATIVE_ERROR_MSG,
            ));
        }
    }
    if let Some(t) = probe.termination_grace_period_seconds.filter(|&t| t <= 0) {
        errs.push(FieldError::invalid(
            &path.child("terminationGracePeriodSeconds"),
            BadValue::Int(t),
            "must be greater than 0",
        ));
    }
    errs
}

/// Mirrors `commonHandler`: the exec command count, the HTTP action, the TCP port, the gRPC
/// port and the sleep seconds, whichever are set.
struct Handler<'a> {
    exec: Option<usize>,
    http_get: Option<&'a HTTPGetAction>,
    tcp_socket: Option<&'a IntOrString>,
    grpc: Option<i32>,
    sleep: Option<i64>,
}

/// Mirrors `validateHandler`: the first handler set is validated, each later one is Forbidden,
/// none is Required.
fn validate_handler(h: &Handler<'_>, grace_period_s: Option<i64>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut num = 0;
    const MORE: &str = "may not specify more than 1 handler type";
    if let Some(n) = h.exec {
        num += 1;
        if n == 0 {
            errs.push(FieldError::required(
                &path.child("exec").child("command"),
                "",
            ));
        }
    }
    if let Some(http) = h.http_get {
        if num > 0 {
            errs.push(FieldError::forbidden(&path.child("httpGet"), MORE));
        } else {
            num += 1;
            errs.extend(validate_http_get_action(http, &path.child("httpGet")));
        }
    }
    if let Some(port) = h.tcp_socket {
        if num > 0 {
            errs.push(FieldError::forbidden(&path.child("tcpSocket"), MORE));
        } else {
            num += 1;
            errs.extend(validate_port_num_or_name(
                port,
                &path.child("tcpSocket").child("port"),
            ));
        }
    }
    if let Some(port) = h.grpc {
        if num > 0 {
            errs.push(FieldError::forbidden(&path.child("grpc"), MORE));
        } else {
            num += 1;
            errs.extend(validate_port_num_or_name(
                &IntOrString::Int(port),
                &path.child("grpc").child("port"),
            ));
        }
    }
    if let Some(seconds) = h.sleep {
        if num > 0 {
            errs.push(FieldError::forbidden(&path.child("sleep"), MORE));
        } else {
            num += 1;
            // PodLifecycleSleepActionAllowZero is GA (v1.34): zero is allowed.
            if let Some(grace) = grace_period_s {
                if seconds < 0 || seconds > grace {
                    errs.push(FieldError::invalid(
                        &path.child("sleep"),
                        BadValue::Int(seconds),
                        &format!("must be non-negative and less than terminationGracePeriodSeconds ({grace})"),
                    ));
                }
            }
        }
    }
    if num == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
    errs
}

/// Mirrors `validateHTTPGetAction` (`path` defaults to `/`, `scheme` to `HTTP`).
fn validate_http_get_action(http: &HTTPGetAction, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_port_num_or_name(&http.port, &path.child("port"));
    let scheme = http
        .scheme
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or("HTTP");
    if scheme != "HTTP" && scheme != "HTTPS" {
        errs.push(FieldError::not_supported(
            &path.child("scheme"),
            BadValue::Str(scheme.to_string()),
            &["HTTP", "HTTPS"],
        ));
    }
    for header in http.http_headers.iter().flatten() {
        for msg in is_http_header_name(&header.name) {
            errs.push(FieldError::invalid(
                &path.child("httpHeaders"),
                BadValue::Str(header.name.clone()),
                &msg,
            ));
        }
    }
    errs
}

/// Mirrors `ValidatePortNumOrName`.
fn validate_port_num_or_name(port: &IntOrString, path: &Path) -> Vec<FieldError> {
    match port {
        IntOrString::Int(n) => is_valid_port_num(i64::from(*n))
            .into_iter()
            .map(|msg| FieldError::invalid(path, BadValue::Int(i64::from(*n)), &msg))
            .collect(),
        IntOrString::String(s) => is_valid_port_name(s)
            .into_iter()
            .map(|msg| FieldError::invalid(path, BadValue::Str(s.clone()), &msg))
            .collect(),
    }
}

/// Mirrors `validateLifecycle`: postStart then preStop.
fn validate_lifecycle(lc: &Lifecycle, grace_period_s: Option<i64>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let hooks: [(&Option<LifecycleHandler>, &str); 2] =
        [(&lc.post_start, "postStart"), (&lc.pre_stop, "preStop")];
    for (hook, child) in hooks {
        if let Some(h) = hook {
            let handler = Handler {
                exec: h
                    .exec
                    .as_ref()
                    .map(|e| e.command.as_deref().unwrap_or_default().len()),
                http_get: h.http_get.as_ref(),
                tcp_socket: h.tcp_socket.as_ref().map(|t| &t.port),
                grpc: None,
                sleep: h.sleep.as_ref().map(|s| s.seconds),
            };
            errs.extend(validate_handler(
                &handler,
                grace_period_s,
                &path.child(child),
            ));
        }
    }
    errs
}
