//! Workload validation as the API server does it on create, mirroring
//! pkg/apis/apps/validation/validation.go (`ValidateDeployment`, `ValidateReplicaSet`,
//! `ValidateStatefulSet`, `ValidateDaemonSet`) and pkg/apis/batch/validation/validation.go
//! (`ValidateJob`), with the template's `GetWarningsForPodTemplate` warnings.
//!
//! Start at [`validate_deployment`]; each `validate_*` returns a [`Validation`] whose errors
//! are in Go's order. Like the pod validators, these read absent defaulted fields through their
//! `SetDefaults_*` values (replicas 1, strategy RollingUpdate with 25%/25%, DaemonSet
//! maxUnavailable 1 / maxSurge 0, StatefulSet OrderedReady and partition 0, template
//! restartPolicy Always, revisionHistoryLimit 10, progressDeadlineSeconds 600).
//!
//! Quirks kept from Go: a Deployment's template errors say "ReplicaSet" (it shares
//! `ValidatePodTemplateSpecForReplicaSet`), a ReplicaSet's empty selector is "invalid for
//! deployment", and a StatefulSet's pod spec is not validated at all (only its template
//! metadata: `ValidatePodTemplateSpecForStatefulSet` leaves `ValidatePodTemplateSpec` as a
//! TODO), though its warnings are still collected.
//!
//! Jobs: unless `manualSelector: true`, the registry generates the selector
//! (`batch.kubernetes.io/controller-uid=<uid>`) and the template's `controller-uid`/`job-name`
//! labels before validating (`generateSelector`); that is modelled here, with the object's
//! `metadata.uid` as the uid. Not mirrored: `podFailurePolicy` rules, `successPolicy` and
//! `managedBy` contents.
//!
//! Feature gates: MaxUnavailableStatefulSet is taken as on (a user-set `maxUnavailable` is
//! validated rather than dropped).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::container::IS_NEGATIVE_ERROR_MSG;
use super::field::{BadValue, FieldError, Path};
use super::names::{is_dns1123_label, regex_error, validate_dns1123_label};
use super::selector::{
    as_selector, go_label_selector, go_string_map, validate_label_selector, Selector,
};
use super::{
    template_metadata_errors, validate_object_meta_with, validate_pod_template, NameRule,
    Validation,
};
use crate::go::quote;

/// `ValidateNonnegativeField`.
fn nonnegative(value: i64, path: &Path) -> Option<FieldError> {
    (value < 0).then(|| FieldError::invalid(path, BadValue::Int(value), IS_NEGATIVE_ERROR_MSG))
}

/// A template's `restartPolicy` as stored: absent means the default `Always`.
fn template_restart_policy(t: &PodTemplateSpec) -> &str {
    t.spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .filter(|p| !p.is_empty())
        .unwrap_or("Always")
}

fn template_labels(t: &PodTemplateSpec) -> Option<&BTreeMap<String, String>> {
    t.metadata.as_ref().and_then(|m| m.labels.as_ref())
}

/// The "`selector` does not match template `labels`" error, with the labels as Go's `%#v`.
fn selector_mismatch(labels: Option<&BTreeMap<String, String>>, path: &Path) -> FieldError {
    FieldError::invalid(
        path,
        BadValue::GoSyntax(go_string_map(labels)),
        "`selector` does not match template `labels`",
    )
}

/// Go's `%#v` of an `intstr.IntOrString` value (`Type` 0 for Int, 1 for String).
fn go_int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(n) => format!("intstr.IntOrString{{Type:0, IntVal:{n}, StrVal:\"\"}}"),
        IntOrString::String(s) => {
            format!(
                "intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
                quote(s)
            )
        }
    }
}

/// The address Go prints for a non-nil pointer field in `%#v` differs on every run; this
/// stands in for it.
const GO_POINTER: &str = "0xc000000000";

fn go_pointer(type_name: &str, set: bool) -> String {
    if set {
        format!("(*{type_name})({GO_POINTER})")
    } else {
        format!("(*{type_name})(nil)")
    }
}

/// `validation.IsValidPercent`.
fn percent_errors(s: &str) -> Vec<String> {
    let ok = s
        .strip_suffix('%')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if ok {
        Vec::new()
    } else {
        vec![regex_error(
            "a valid percent string must be a numeric string followed by an ending '%'",
            "[0-9]+%",
            &["1%", "93%"],
        )]
    }
}

/// `getPercentValue`: the number of a valid percent string.
fn percent_value(v: &IntOrString) -> Option<i64> {
    match v {
        IntOrString::String(s) if percent_errors(s).is_empty() => s
            .trim_end_matches('%')
            .parse::<i64>()
            .ok()
            .or(Some(i64::MAX)),
        _ => None,
    }
}

/// `getIntOrPercentValue` (`IntValue()` of a non-percent string is its `Atoi`, or 0).
fn int_or_percent_value(v: &IntOrString) -> i64 {
    match (percent_value(v), v) {
        (Some(p), _) => p,
        (None, IntOrString::Int(n)) => i64::from(*n),
        (None, IntOrString::String(s)) => s.parse::<i64>().unwrap_or(0),
    }
}

/// Mirrors `ValidatePositiveIntOrPercent`.
fn validate_positive_int_or_percent(v: &IntOrString, path: &Path) -> Vec<FieldError> {
    match v {
        IntOrString::String(s) => percent_errors(s)
            .into_iter()
            .map(|msg| FieldError::invalid(path, BadValue::GoSyntax(go_int_or_string(v)), &msg))
            .collect(),
        IntOrString::Int(n) => nonnegative(i64::from(*n), path).into_iter().collect(),
    }
}

/// Mirrors `IsNotMoreThan100Percent`.
fn not_more_than_100_percent(v: &IntOrString, path: &Path) -> Option<FieldError> {
    let p = percent_value(v)?;
    (p > 100).then(|| {
        FieldError::invalid(
            path,
            BadValue::GoSyntax(go_int_or_string(v)),
            "must not be greater than 100%",
        )
    })
}

/// The selector checks shared by Deployments, ReplicaSets and StatefulSets: strict label
/// selector validation and the "empty selector" error.
fn validate_required_selector(sel: &LabelSelector, kind: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_label_selector(Some(sel), false, path);
    let n = sel.match_labels.as_ref().map_or(0, BTreeMap::len)
        + sel.match_expressions.as_ref().map_or(0, Vec::len);
    if n == 0 {
        errs.push(FieldError::invalid(
            path,
            BadValue::GoSyntax(go_label_selector(sel)),
            &format!("empty selector is invalid for {kind}"),
        ));
    }
    errs
}

/// Mirrors `ValidatePodTemplateSpecForReplicaSet` (used by Deployments too).
fn validate_template_for_replica_set(
    template: &PodTemplateSpec,
    selector: &Selector,
    path: &Path,
    out: &mut Validation,
) {
    let labels = template_labels(template);
    if !selector.is_empty() && !selector.matches(labels) {
        out.errors.push(selector_mismatch(
            labels,
            &path.child("metadata").child("labels"),
        ));
    }
    let v = validate_pod_template(template, &path.to_string());
    out.errors.extend(v.errors);
    out.warnings.extend(v.warnings);
    let rp = template_restart_policy(template);
    if rp != "Always" {
        out.errors.push(FieldError::not_supported(
            &path.child("spec").child("restartPolicy"),
            BadValue::Str(rp.to_string()),
            &["Always"],
        ));
    }
    if template
        .spec
        .as_ref()
        .is_some_and(|s| s.active_deadline_seconds.is_some())
    {
        out.errors.push(FieldError::forbidden(
            &path.child("spec").child("activeDeadlineSeconds"),
            "activeDeadlineSeconds in ReplicaSet is not Supported",
        ));
    }
}

/// The selector, its conversion and the template, as `ValidateDeploymentSpec` and
/// `ValidateReplicaSetSpec` do them.
fn validate_replica_set_selector_and_template(
    selector: &LabelSelector,
    template: &PodTemplateSpec,
    path: &Path,
    out: &mut Validation,
) {
    let sel_path = path.child("selector");
    out.errors.extend(validate_required_selector(
        selector,
        "deployment",
        &sel_path,
    ));
    match as_selector(Some(selector)) {
        None => out.errors.push(FieldError::invalid(
            &sel_path,
            BadValue::GoSyntax(go_label_selector(selector)),
            "invalid label selector",
        )),
        Some(sel) => {
            validate_template_for_replica_set(template, &sel, &path.child("template"), out)
        }
    }
}

/// Validates a Deployment on create, mirroring `ValidateDeployment`.
pub fn validate_deployment(d: &Deployment) -> Validation {
    let mut out = Validation {
        errors: validate_object_meta_with(
            &d.metadata,
            &Path::new("metadata"),
            NameRule::DnsSubdomain,
            true,
        ),
        warnings: Vec::new(),
    };
    let spec = d.spec.clone().unwrap_or_default();
    let path = Path::new("spec");
    out.errors.extend(nonnegative(
        i64::from(spec.replicas.unwrap_or(1)),
        &path.child("replicas"),
    ));
    validate_replica_set_selector_and_template(&spec.selector, &spec.template, &path, &mut out);

    // ValidateDeploymentStrategy
    let strategy = spec.strategy.clone().unwrap_or_default();
    let sp = path.child("strategy");
    let strategy_type = strategy
        .type_
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or("RollingUpdate");
    match strategy_type {
        "Recreate" => {
            if strategy.rolling_update.is_some() {
                out.errors.push(FieldError::forbidden(
                    &sp.child("rollingUpdate"),
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
        }
        "RollingUpdate" => {
            let ru = strategy.rolling_update.clone().unwrap_or_default();
            let pct = || IntOrString::String("25%".to_string());
            let max_unavailable = ru.max_unavailable.unwrap_or_else(pct);
            let max_surge = ru.max_surge.unwrap_or_else(pct);
            let rp = sp.child("rollingUpdate");
            let mu_path = rp.child("maxUnavailable");
            out.errors
                .extend(validate_positive_int_or_percent(&max_unavailable, &mu_path));
            out.errors.extend(validate_positive_int_or_percent(
                &max_surge,
                &rp.child("maxSurge"),
            ));
            if int_or_percent_value(&max_unavailable) == 0 && int_or_percent_value(&max_surge) == 0
            {
                out.errors.push(FieldError::invalid(
                    &mu_path,
                    BadValue::GoSyntax(go_int_or_string(&max_unavailable)),
                    "may not be 0 when `maxSurge` is 0",
                ));
            }
            out.errors
                .extend(not_more_than_100_percent(&max_unavailable, &mu_path));
        }
        other => out.errors.push(FieldError::not_supported(
            &sp,
            BadValue::GoSyntax(format!(
                "apps.DeploymentStrategy{{Type:{}, RollingUpdate:{}}}",
                quote(other),
                go_pointer(
                    "apps.RollingUpdateDeployment",
                    strategy.rolling_update.is_some()
                )
            )),
            &["Recreate", "RollingUpdate"],
        )),
    }
    let min_ready = i64::from(spec.min_ready_seconds.unwrap_or(0));
    out.errors
        .extend(nonnegative(min_ready, &path.child("minReadySeconds")));
    out.errors.extend(nonnegative(
        i64::from(spec.revision_history_limit.unwrap_or(10)),
        &path.child("revisionHistoryLimit"),
    ));
    let pds = i64::from(spec.progress_deadline_seconds.unwrap_or(600));
    let pds_path = path.child("progressDeadlineSeconds");
    out.errors.extend(nonnegative(pds, &pds_path));
    if pds <= min_ready {
        out.errors.push(FieldError::invalid(
            &pds_path,
            BadValue::Int(pds),
            "must be greater than minReadySeconds",
        ));
    }
    out
}

/// Validates a ReplicaSet on create, mirroring `ValidateReplicaSet`.
pub fn validate_replica_set(rs: &ReplicaSet) -> Validation {
    let mut out = Validation {
        errors: validate_object_meta_with(
            &rs.metadata,
            &Path::new("metadata"),
            NameRule::DnsSubdomain,
            true,
        ),
        warnings: Vec::new(),
    };
    let spec = rs.spec.clone().unwrap_or_default();
    let path = Path::new("spec");
    out.errors.extend(nonnegative(
        i64::from(spec.replicas.unwrap_or(1)),
        &path.child("replicas"),
    ));
    out.errors.extend(nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        &path.child("minReadySeconds"),
    ));
    let template = spec.template.clone().unwrap_or_default();
    validate_replica_set_selector_and_template(&spec.selector, &template, &path, &mut out);
    out
}

/// Validates a StatefulSet on create, mirroring `ValidateStatefulSet` (names are DNS labels;
/// `AllowDNS1123ServiceName` is false on create, so `serviceName` must be a DNS-1123 label).
pub fn validate_stateful_set(s: &StatefulSet) -> Validation {
    let mut out = Validation {
        errors: validate_object_meta_with(
            &s.metadata,
            &Path::new("metadata"),
            NameRule::DnsLabel,
            true,
        ),
        warnings: Vec::new(),
    };
    let spec = s.spec.clone().unwrap_or_default();
    let path = Path::new("spec");
    let errs = &mut out.errors;
    let pmp = spec
        .pod_management_policy
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("OrderedReady");
    if !matches!(pmp, "OrderedReady" | "Parallel") {
        errs.push(FieldError::invalid(
            &path.child("podManagementPolicy"),
            BadValue::Str(pmp.to_string()),
            "must be 'OrderedReady' or 'Parallel'",
        ));
    }
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let up = path.child("updateStrategy");
    let st = strategy
        .type_
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or("RollingUpdate");
    match st {
        "OnDelete" => {
            if let Some(ru) = &strategy.rolling_update {
                errs.push(FieldError::invalid(
                    &up.child("rollingUpdate"),
                    BadValue::GoSyntax(format!(
                        "apps.RollingUpdateStatefulSetStrategy{{Partition:{}, MaxUnavailable:{}}}",
                        ru.partition.unwrap_or(0),
                        go_pointer("intstr.IntOrString", ru.max_unavailable.is_some())
                    )),
                    "only allowed for updateStrategy 'RollingUpdate'",
                ));
            }
        }
        "RollingUpdate" => {
            // SetDefaults_StatefulSet gives RollingUpdate a partition of 0.
            let ru = strategy.rolling_update.clone().unwrap_or_default();
            let rp = up.child("rollingUpdate");
            errs.extend(nonnegative(
                i64::from(ru.partition.unwrap_or(0)),
                &rp.child("partition"),
            ));
            if let Some(mu) = &ru.max_unavailable {
                let mp = rp.child("maxUnavailable");
                errs.extend(validate_positive_int_or_percent(mu, &mp));
                if int_or_percent_value(mu) == 0 {
                    errs.push(FieldError::invalid(
                        &mp,
                        BadValue::GoSyntax(go_int_or_string(mu)),
                        "cannot be 0",
                    ));
                }
                errs.extend(not_more_than_100_percent(mu, &mp));
            }
        }
        other => errs.push(FieldError::invalid(
            &up,
            BadValue::GoSyntax(format!(
                "apps.StatefulSetUpdateStrategy{{Type:{}, RollingUpdate:{}}}",
                quote(other),
                go_pointer(
                    "apps.RollingUpdateStatefulSetStrategy",
                    strategy.rolling_update.is_some()
                )
            )),
            "must be 'RollingUpdate' or 'OnDelete'",
        )),
    }
    if let Some(policy) = &spec.persistent_volume_claim_retention_policy {
        let pp = path.child("persistentVolumeClaimRetentionPolicy");
        for (value, child) in [
            (policy.when_deleted.as_deref(), "whenDeleted"),
            (policy.when_scaled.as_deref(), "whenScaled"),
        ] {
            // Empty values are defaulted to Retain.
            let v = value.filter(|v| !v.is_empty()).unwrap_or("Retain");
            if !matches!(v, "Retain" | "Delete") {
                errs.push(FieldError::not_supported(
                    &pp.child(child),
                    BadValue::Str(v.to_string()),
                    &["Retain", "Delete"],
                ));
            }
        }
    }
    errs.extend(nonnegative(
        i64::from(spec.replicas.unwrap_or(1)),
        &path.child("replicas"),
    ));
    errs.extend(nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        &path.child("minReadySeconds"),
    ));
    if let Some(o) = &spec.ordinals {
        errs.extend(nonnegative(
            i64::from(o.start.unwrap_or(0)),
            &path.child("ordinals.start"),
        ));
    }
    if let Some(name) = spec.service_name.as_deref().filter(|n| !n.is_empty()) {
        errs.extend(validate_dns1123_label(name, &path.child("serviceName")));
    }
    let sel_path = path.child("selector");
    errs.extend(validate_required_selector(
        &spec.selector,
        "statefulset",
        &sel_path,
    ));
    let tpath = path.child("template");
    match as_selector(Some(&spec.selector)) {
        None => errs.push(FieldError::invalid(
            &sel_path,
            BadValue::GoSyntax(go_label_selector(&spec.selector)),
            "",
        )),
        Some(sel) => {
            // ValidatePodTemplateSpecForStatefulSet: selector match and template metadata only.
            let labels = template_labels(&spec.template);
            if !sel.is_empty() && !sel.matches(labels) {
                errs.push(selector_mismatch(
                    labels,
                    &tpath.child("metadata").child("labels"),
                ));
            }
            errs.extend(template_metadata_errors(&spec.template, &tpath));
        }
    }
    let rp = template_restart_policy(&spec.template);
    if rp != "Always" {
        errs.push(FieldError::not_supported(
            &tpath.child("spec").child("restartPolicy"),
            BadValue::Str(rp.to_string()),
            &["Always"],
        ));
    }
    if spec
        .template
        .spec
        .as_ref()
        .is_some_and(|s| s.active_deadline_seconds.is_some())
    {
        errs.push(FieldError::forbidden(
            &tpath.child("spec").child("activeDeadlineSeconds"),
            "activeDeadlineSeconds in StatefulSet is not Supported",
        ));
    }
    out.warnings = validate_pod_template(&spec.template, "spec.template").warnings;
    out
}

/// Validates a DaemonSet on create, mirroring `ValidateDaemonSet`.
pub fn validate_daemon_set(ds: &DaemonSet) -> Validation {
    let mut out = Validation {
        errors: validate_object_meta_with(
            &ds.metadata,
            &Path::new("metadata"),
            NameRule::DnsSubdomain,
            true,
        ),
        warnings: Vec::new(),
    };
    let spec = ds.spec.clone().unwrap_or_default();
    let path = Path::new("spec");
    let sel_path = path.child("selector");
    out.errors.extend(validate_label_selector(
        Some(&spec.selector),
        false,
        &sel_path,
    ));
    let labels = template_labels(&spec.template);
    if as_selector(Some(&spec.selector)).is_some_and(|s| !s.matches(labels)) {
        out.errors.push(selector_mismatch(
            labels,
            &path.child("template").child("metadata").child("labels"),
        ));
    }
    let n = spec.selector.match_labels.as_ref().map_or(0, BTreeMap::len)
        + spec.selector.match_expressions.as_ref().map_or(0, Vec::len);
    if n == 0 {
        out.errors.push(FieldError::invalid(
            &sel_path,
            BadValue::GoSyntax(go_label_selector(&spec.selector)),
            "empty selector is invalid for daemonset",
        ));
    }
    let tpath = path.child("template");
    let v = validate_pod_template(&spec.template, "spec.template");
    out.errors.extend(v.errors);
    out.warnings.extend(v.warnings);
    let rp = template_restart_policy(&spec.template);
    if rp != "Always" {
        out.errors.push(FieldError::not_supported(
            &tpath.child("spec").child("restartPolicy"),
            BadValue::Str(rp.to_string()),
            &["Always"],
        ));
    }
    if spec
        .template
        .spec
        .as_ref()
        .is_some_and(|s| s.active_deadline_seconds.is_some())
    {
        out.errors.push(FieldError::forbidden(
            &tpath.child("spec").child("activeDeadlineSeconds"),
            "activeDeadlineSeconds in DaemonSet is not Supported",
        ));
    }
    out.errors.extend(nonnegative(
        i64::from(spec.min_ready_seconds.unwrap_or(0)),
        &path.child("minReadySeconds"),
    ));
    // ValidateDaemonSetUpdateStrategy
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let up = path.child("updateStrategy");
    match strategy
        .type_
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or("RollingUpdate")
    {
        "OnDelete" => {}
        "RollingUpdate" => {
            let ru = strategy.rolling_update.clone().unwrap_or_default();
            let max_unavailable = ru.max_unavailable.unwrap_or(IntOrString::Int(1));
            let max_surge = ru.max_surge.unwrap_or(IntOrString::Int(0));
            let rp = up.child("rollingUpdate");
            let (mu_path, ms_path) = (rp.child("maxUnavailable"), rp.child("maxSurge"));
            out.errors
                .extend(validate_positive_int_or_percent(&max_unavailable, &mu_path));
            out.errors
                .extend(validate_positive_int_or_percent(&max_surge, &ms_path));
            out.errors
                .extend(not_more_than_100_percent(&max_unavailable, &mu_path));
            out.errors
                .extend(not_more_than_100_percent(&max_surge, &ms_path));
            let has_unavailable = int_or_percent_value(&max_unavailable) != 0;
            let has_surge = int_or_percent_value(&max_surge) != 0;
            if has_unavailable && has_surge {
                out.errors.push(FieldError::invalid(
                    &ms_path,
                    BadValue::GoSyntax(go_int_or_string(&max_surge)),
                    "may not be set when maxUnavailable is non-zero",
                ));
            } else if !has_unavailable && !has_surge {
                out.errors.push(FieldError::required(
                    &mu_path,
                    "cannot be 0 when maxSurge is 0",
                ));
            }
        }
        other => out.errors.push(FieldError::not_supported(
            &up,
            BadValue::GoSyntax(format!(
                "apps.DaemonSetUpdateStrategy{{Type:{}, RollingUpdate:{}}}",
                quote(other),
                go_pointer(
                    "apps.RollingUpdateDaemonSet",
                    strategy.rolling_update.is_some()
                )
            )),
            &["RollingUpdate", "OnDelete"],
        )),
    }
    out.errors.extend(nonnegative(
        i64::from(spec.revision_history_limit.unwrap_or(10)),
        &path.child("revisionHistoryLimit"),
    ));
    out
}

/// `maxParallelismForIndexedJob`.
const MAX_PARALLELISM_FOR_INDEXED_JOB: i32 = 100_000;
/// `maxFailedIndexesForIndexedJob`.
const MAX_FAILED_INDEXES_FOR_INDEXED_JOB: i32 = 100_000;
/// `completionsSoftLimit`.
const COMPLETIONS_SOFT_LIMIT: i32 = 100_000;
/// `parallelismLimitForHighCompletions`.
const PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS: i32 = 10_000;
/// `maxFailedIndexesLimitForHighCompletions`.
const MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS: i32 = 10_000;

/// Validates a Job on create, mirroring `ValidateJob` after the registry's `generateSelector`.
pub fn validate_job(job: &Job) -> Validation {
    let meta_path = Path::new("metadata");
    let mut out = Validation {
        errors: validate_object_meta_with(&job.metadata, &meta_path, NameRule::DnsSubdomain, true),
        warnings: Vec::new(),
    };
    let spec = job.spec.clone().unwrap_or_default();
    let path = Path::new("spec");
    let name = job.metadata.name.clone().unwrap_or_default();
    let uid = job.metadata.uid.clone().unwrap_or_default();
    let manual = spec.manual_selector == Some(true);

    // generateSelector: the template gets the job-name and controller-uid labels (unless the
    // user set them), and the selector gets batch.kubernetes.io/controller-uid.
    let mut template = spec.template.clone();
    let mut selector = spec.selector.clone();
    if !manual {
        let labels = template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(BTreeMap::new);
        for (k, v) in [
            ("controller-uid", &uid),
            ("batch.kubernetes.io/controller-uid", &uid),
            ("job-name", &name),
            ("batch.kubernetes.io/job-name", &name),
        ] {
            labels.entry(k.to_string()).or_insert_with(|| v.clone());
        }
        let sel = selector.get_or_insert_with(Default::default);
        sel.match_labels
            .get_or_insert_with(BTreeMap::new)
            .entry("batch.kubernetes.io/controller-uid".to_string())
            .or_insert_with(|| uid.clone());
        // validateGeneratedSelector: the selector must match the generated labels.
        if spec.selector.is_some() {
            let expected: BTreeMap<String, String> = [
                ("batch.kubernetes.io/controller-uid", &uid),
                ("batch.kubernetes.io/job-name", &name),
                ("controller-uid", &uid),
                ("job-name", &name),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
            if as_selector(Some(sel)).is_some_and(|s| !s.matches(Some(&expected))) {
                out.errors.push(FieldError::invalid(
                    &path.child("selector"),
                    BadValue::GoSyntax(go_label_selector(sel)),
                    "`selector` not auto-generated",
                ));
            }
        }
    }

    // validateJobSpec
    let errs = &mut out.errors;
    for (value, child) in [
        (spec.parallelism.map(i64::from), "parallelism"),
        (spec.completions.map(i64::from), "completions"),
        (spec.active_deadline_seconds, "activeDeadlineSeconds"),
        (
            Some(i64::from(spec.backoff_limit.unwrap_or(6))),
            "backoffLimit",
        ),
        (
            spec.ttl_seconds_after_finished.map(i64::from),
            "ttlSecondsAfterFinished",
        ),
        (
            spec.backoff_limit_per_index.map(i64::from),
            "backoffLimitPerIndex",
        ),
    ] {
        if let Some(v) = value {
            errs.extend(nonnegative(v, &path.child(child)));
        }
    }
    if let Some(m) = spec.max_failed_indexes {
        errs.extend(nonnegative(i64::from(m), &path.child("maxFailedIndexes")));
        if spec.backoff_limit_per_index.is_none() {
            errs.push(FieldError::required(
                &path.child("backoffLimitPerIndex"),
                "when maxFailedIndexes is specified",
            ));
        }
    }
    let mode = spec
        .completion_mode
        .as_deref()
        .filter(|m| !m.is_empty())
        .unwrap_or("NonIndexed");
    if mode != "NonIndexed" && mode != "Indexed" {
        errs.push(FieldError::not_supported(
            &path.child("completionMode"),
            BadValue::Str(mode.to_string()),
            &["NonIndexed", "Indexed"],
        ));
    }
    if mode == "Indexed" {
        if spec.completions.is_none() {
            errs.push(FieldError::required(
                &path.child("completions"),
                "when completion mode is Indexed",
            ));
        }
        if let Some(p) = spec
            .parallelism
            .filter(|&p| p > MAX_PARALLELISM_FOR_INDEXED_JOB)
        {
            errs.push(FieldError::invalid(
                &path.child("parallelism"),
                BadValue::Int(i64::from(p)),
                &format!("must be less than or equal to {MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed"),
            ));
        }
        if let (Some(c), Some(m)) = (spec.completions, spec.max_failed_indexes) {
            if m > c {
                errs.push(FieldError::invalid(
                    &path.child("maxFailedIndexes"),
                    BadValue::Int(i64::from(m)),
                    "must be less than or equal to completions",
                ));
            }
        }
        if let Some(m) = spec
            .max_failed_indexes
            .filter(|&m| m > MAX_FAILED_INDEXES_FOR_INDEXED_JOB)
        {
            errs.push(FieldError::invalid(
                &path.child("maxFailedIndexes"),
                BadValue::Int(i64::from(m)),
                &format!("must be less than or equal to {MAX_FAILED_INDEXES_FOR_INDEXED_JOB}"),
            ));
        }
        if spec.completions.is_some_and(|c| c > COMPLETIONS_SOFT_LIMIT)
            && spec.backoff_limit_per_index.is_some()
        {
            if spec.max_failed_indexes.is_none() {
                errs.push(FieldError::required(
                    &path.child("maxFailedIndexes"),
                    &format!(
                        "must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}"
                    ),
                ));
            }
            if let Some(p) = spec
                .parallelism
                .filter(|&p| p > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS)
            {
                errs.push(FieldError::invalid(
                    &path.child("parallelism"),
                    BadValue::Int(i64::from(p)),
                    &format!("must be less than or equal to {PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"),
                ));
            }
            if let Some(m) = spec
                .max_failed_indexes
                .filter(|&m| m > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS)
            {
                errs.push(FieldError::invalid(
                    &path.child("maxFailedIndexes"),
                    BadValue::Int(i64::from(m)),
                    &format!("must be less than or equal to {MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index"),
                ));
            }
        }
    }
    if mode == "NonIndexed" {
        if let Some(b) = spec.backoff_limit_per_index {
            errs.push(FieldError::invalid(
                &path.child("backoffLimitPerIndex"),
                BadValue::Int(i64::from(b)),
                "requires indexed completion mode",
            ));
        }
        if let Some(m) = spec.max_failed_indexes {
            errs.push(FieldError::invalid(
                &path.child("maxFailedIndexes"),
                BadValue::Int(i64::from(m)),
                "requires indexed completion mode",
            ));
        }
    }
    // validatePodReplacementPolicy
    if let Some(prp) = &spec.pod_replacement_policy {
        let pp = path.child("podReplacementPolicy");
        if spec.pod_failure_policy.is_some() {
            if prp != "Failed" {
                errs.push(FieldError::not_supported(
                    &pp,
                    BadValue::Str(prp.clone()),
                    &["Failed"],
                ));
            }
        } else if !matches!(prp.as_str(), "Failed" | "TerminatingOrFailed") {
            errs.push(FieldError::not_supported(
                &pp,
                BadValue::Str(prp.clone()),
                &["Failed", "TerminatingOrFailed"],
            ));
        }
    }
    let tpath = path.child("template");
    let v = validate_pod_template(&template, "spec.template");
    errs.extend(v.errors);
    out.warnings.extend(v.warnings);
    let rp_path = tpath.child("spec").child("restartPolicy");
    match template_restart_policy(&template) {
        "Always" => errs.push(FieldError::required(
            &rp_path,
            "valid values: \"OnFailure\", \"Never\"",
        )),
        rp @ ("OnFailure" | "Never") => {
            if spec.pod_failure_policy.is_some() && rp != "Never" {
                errs.push(FieldError::invalid(
                    &rp_path,
                    BadValue::Str(rp.to_string()),
                    "only \"Never\" is supported when podFailurePolicy is specified",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            &rp_path,
            BadValue::Str(other.to_string()),
            &["OnFailure", "Never"],
        )),
    }

    // ValidateJobSpec: the selector and the template labels.
    let sel_path = path.child("selector");
    match &selector {
        None => errs.push(FieldError::required(&sel_path, "")),
        Some(sel) => errs.extend(validate_label_selector(Some(sel), false, &sel_path)),
    }
    let labels = template_labels(&template);
    if as_selector(selector.as_ref()).is_some_and(|s| !s.matches(labels)) {
        errs.push(selector_mismatch(
            labels,
            &tpath.child("metadata").child("labels"),
        ));
    }

    // An Indexed Job's last pod hostname, <name>-<completions-1>, must be a DNS label.
    if mode == "Indexed" {
        if let Some(c) = spec.completions.filter(|&c| c > 0) {
            let hostname = format!("{name}-{}", c - 1);
            if !is_dns1123_label(&hostname).is_empty() {
                errs.push(FieldError::invalid(
                    &meta_path.child("name"),
                    BadValue::Str(name.clone()),
                    &format!("will not able to create pod with invalid DNS label: {hostname}"),
                ));
            }
        }
    }
    out
}
