//! Validation of pods and pod templates as the API server does it on create
//! (pkg/apis/core/validation/validation.go: `ValidatePodCreate`, `ValidatePodTemplateSpec`,
//! `ValidatePodSpec`), with the warnings of pkg/api/pod/warnings.go.
//!
//! Start at [`validate_pod`]: it returns every [`FieldError`] in the order Kubernetes finds
//! them, and [`api_server_message`] turns them into the 422 text kubectl shows
//! (`The Pod "x" is invalid: ...`).
//!
//! Validation runs on the object as the API server sees it after defaulting, so callers run
//! defaulting first. The validators also accept undefaulted input: a field the API server
//! always defaults (`restartPolicy`, `dnsPolicy`, `terminationGracePeriodSeconds`,
//! `imagePullPolicy`, `terminationMessagePolicy`, port protocols, probe timings) is read through
//! its default when absent instead of being reported as Required, which Kubernetes never does.
//! For the same reason an absent namespace is taken to be the request's namespace.
//!
//! [`validate_object`] dispatches any object podplay accepts: workloads (workloads.rs:
//! Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs) and the other kinds (objects.rs).
//!
//! Features follow the v1.36 defaults: relaxed environment variable names, zero-second sleep
//! hooks allowed, sidecar resize policies allowed, container restart rules on
//! (ContainerRestartRules, beta since v1.35) without the `RestartAllContainers` action
//! (RestartAllContainersOnContainerExits, alpha), toleration `Lt`/`Gt` off
//! (TaintTolerationComparisonOperators, alpha).
//! Go ranges over maps in random order; here map entries (labels, annotations, resources) go in
//! sorted key order.
//!
//! Not mirrored: pod affinity `matchLabelKeys`/`mismatchLabelKeys`,
//! OS-specific (`spec.os`, Windows) rules, volume devices, ephemeral-container contents, CSI and
//! cluster trust bundle volume details, DNS nameserver formats, image pull secrets, pod-level
//! resources, seccomp and AppArmor annotations.

mod container;
mod field;
mod names;
mod objects;
mod scheduling;
mod security;
mod selector;
mod volumes;
mod warnings;
mod workloads;

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub use field::{api_server_message, go_quote, BadValue, ErrorType, FieldError};
pub use objects::{
    validate_config_map, validate_namespace, validate_node, validate_secret, validate_service,
};
pub use workloads::{
    validate_daemon_set, validate_deployment, validate_job, validate_replica_set,
    validate_stateful_set,
};

use container::{validate_containers, validate_init_containers, SpecContext};
use field::Path;
use names::{
    inclusive_range_error, name_is_dns1035_label, name_is_dns_label, name_is_dns_subdomain,
    validate_annotations, validate_dns1123_label, validate_labels, validate_qualified_name,
};

/// The outcome of validating one object: the errors that make the API server reject it (422),
/// and the warnings it returns when it accepts it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validation {
    /// Field errors, in the order Kubernetes reports them. Empty means accepted.
    pub errors: Vec<FieldError>,
    /// Warning texts, without kubectl's `Warning: ` prefix.
    pub warnings: Vec<String>,
}

impl Validation {
    /// Whether the API server accepts the object.
    pub fn is_accepted(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Whether the spec is for a Pod itself or a template inside another object (`opts.ResourceIsPod`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Resource {
    Pod,
    Template,
}

/// Validates a pod on create, mirroring `ValidatePodCreate` (which calls
/// `validatePodMetadataAndSpec`), and collects `GetWarningsForPod`'s warnings.
///
/// The pod's name must already be generated from `generateName`, as the API server does before
/// validating.
pub fn validate_pod(pod: &Pod) -> Validation {
    let meta = &pod.metadata;
    let default_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&default_spec);
    let meta_path = Path::new("metadata");
    let spec_path = Path::new("spec");

    let mut errors = validate_object_meta(meta, &meta_path);
    errors.extend(validate_pod_specific_annotations(
        meta,
        spec,
        &meta_path.child("annotations"),
    ));
    errors.extend(validate_pod_spec(
        spec,
        meta.name.as_deref(),
        &spec_path,
        Resource::Pod,
    ));
    // A pod without a service account may not project its token.
    if spec
        .service_account_name
        .as_deref()
        .unwrap_or("")
        .is_empty()
    {
        for (vi, vol) in spec.volumes.iter().flatten().enumerate() {
            let Some(projected) = &vol.projected else {
                continue;
            };
            for (si, source) in projected.sources.iter().flatten().enumerate() {
                if source.service_account_token.is_some() {
                    errors.push(FieldError::forbidden(
                        &spec_path
                            .child("volumes")
                            .index(vi)
                            .child("projected")
                            .child("sources")
                            .index(si)
                            .child("serviceAccountToken"),
                        "must not be specified when serviceAccountName is not set",
                    ));
                }
            }
        }
    }
    // validateContainersOnlyForPod
    for (list, child) in [
        (Some(&spec.containers), "containers"),
        (spec.init_containers.as_ref(), "initContainers"),
    ] {
        for (i, c) in list.into_iter().flatten().enumerate() {
            let image = c.image.as_deref().unwrap_or("");
            if image.len() != image.trim().len() {
                errors.push(FieldError::invalid(
                    &spec_path.child(child).index(i).child("image"),
                    BadValue::Str(image.to_string()),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    if spec
        .ephemeral_containers
        .as_ref()
        .is_some_and(|e| !e.is_empty())
    {
        errors.push(FieldError::forbidden(
            &spec_path.child("ephemeralContainers"),
            "cannot be set on create",
        ));
    }
    if !spec.node_name.as_deref().unwrap_or("").is_empty()
        && spec
            .scheduling_gates
            .as_ref()
            .is_some_and(|g| !g.is_empty())
    {
        errors.push(FieldError::forbidden(
            &spec_path.child("nodeName"),
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    let warnings = warnings::pod_warnings(&Path::default(), spec, meta);
    Validation { errors, warnings }
}

/// Validates the pod template of a workload (a Deployment's `spec.template`, say), mirroring
/// `ValidatePodTemplateSpec` with `path` as the template's field path, and collects
/// `GetWarningsForPodTemplate`'s warnings. Note Go reports template labels at `<path>.labels`,
/// not `<path>.metadata.labels`.
pub fn validate_pod_template(template: &PodTemplateSpec, path: &str) -> Validation {
    let path = Path::new(path);
    let default_meta = ObjectMeta::default();
    let meta = template.metadata.as_ref().unwrap_or(&default_meta);
    let default_spec = PodSpec::default();
    let spec = template.spec.as_ref().unwrap_or(&default_spec);

    let mut errors = validate_labels(meta.labels.as_ref(), &path.child("labels"));
    errors.extend(validate_annotations(
        meta.annotations.as_ref(),
        &path.child("annotations"),
    ));
    errors.extend(validate_pod_specific_annotations(
        meta,
        spec,
        &path.child("annotations"),
    ));
    errors.extend(validate_pod_spec(
        spec,
        None,
        &path.child("spec"),
        Resource::Template,
    ));
    if spec
        .ephemeral_containers
        .as_ref()
        .is_some_and(|e| !e.is_empty())
    {
        errors.push(FieldError::forbidden(
            &path.child("spec").child("ephemeralContainers"),
            "ephemeral containers not allowed in pod template",
        ));
    }
    let warnings = warnings::pod_warnings(&path, spec, meta);
    Validation { errors, warnings }
}

/// The `ValidateNameFunc` an object kind's names are checked with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameRule {
    /// `NameIsDNSSubdomain` (pods, workloads other than StatefulSets, config maps, secrets,
    /// nodes).
    DnsSubdomain,
    /// `NameIsDNSLabel` (namespaces, StatefulSets).
    DnsLabel,
    /// `NameIsDNS1035Label` (services).
    Dns1035Label,
}

impl NameRule {
    fn check(self, name: &str, prefix: bool) -> Vec<String> {
        match self {
            NameRule::DnsSubdomain => name_is_dns_subdomain(name, prefix),
            NameRule::DnsLabel => name_is_dns_label(name, prefix),
            NameRule::Dns1035Label => name_is_dns1035_label(name, prefix),
        }
    }
}

/// The template metadata checks of `ValidatePodTemplateSpec` (labels, annotations,
/// pod-specific annotations), which `ValidatePodTemplateSpecForStatefulSet` runs without the
/// spec's.
pub(crate) fn template_metadata_errors(template: &PodTemplateSpec, path: &Path) -> Vec<FieldError> {
    let default_meta = ObjectMeta::default();
    let meta = template.metadata.as_ref().unwrap_or(&default_meta);
    let default_spec = PodSpec::default();
    let spec = template.spec.as_ref().unwrap_or(&default_spec);
    let mut errors = validate_labels(meta.labels.as_ref(), &path.child("labels"));
    errors.extend(validate_annotations(
        meta.annotations.as_ref(),
        &path.child("annotations"),
    ));
    errors.extend(validate_pod_specific_annotations(
        meta,
        spec,
        &path.child("annotations"),
    ));
    errors
}

/// Validates any object podplay accepts, as the API server does on create: returns the
/// qualified kind as `schema.GroupKind.String()` prints it in the 422 message (`Pod`,
/// `Deployment.apps`, `Job.batch`) and the outcome, or `None` for a kind not validated.
///
/// Objects are validated as given; callers default them first, as the API server does.
pub fn validate_object(object: &crate::api::Object) -> Option<(String, Validation)> {
    use crate::api::Object;
    let (kind, v) = match object {
        Object::Pod(p) => ("Pod", validate_pod(p)),
        Object::Deployment(d) => ("Deployment.apps", workloads::validate_deployment(d)),
        Object::ReplicaSet(r) => ("ReplicaSet.apps", workloads::validate_replica_set(r)),
        Object::StatefulSet(s) => ("StatefulSet.apps", workloads::validate_stateful_set(s)),
        Object::DaemonSet(d) => ("DaemonSet.apps", workloads::validate_daemon_set(d)),
        Object::Job(j) => ("Job.batch", workloads::validate_job(j)),
        Object::Service(s) => ("Service", objects::validate_service(s)),
        Object::ConfigMap(c) => ("ConfigMap", objects::validate_config_map(c)),
        Object::Secret(s) => ("Secret", objects::validate_secret(s)),
        Object::Namespace(n) => ("Namespace", objects::validate_namespace(n)),
        Object::Node(n) => ("Node", objects::validate_node(n)),
    };
    Some((kind.to_string(), v))
}

/// Mirrors `ValidateObjectMeta` for a namespaced object named as a DNS subdomain (pods):
/// generateName, name, namespace, labels, annotations, finalizers.
fn validate_object_meta(meta: &ObjectMeta, path: &Path) -> Vec<FieldError> {
    validate_object_meta_with(meta, path, NameRule::DnsSubdomain, true)
}

/// Mirrors `ValidateObjectMeta` with the kind's name rule. For a cluster-scoped kind
/// (`namespaced == false`) the namespace is ignored: the API server clears it before validating
/// (`EnsureObjectNamespaceMatchesRequestNamespace`).
pub(crate) fn validate_object_meta_with(
    meta: &ObjectMeta,
    path: &Path,
    rule: NameRule,
    namespaced: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(gn) = meta.generate_name.as_deref().filter(|g| !g.is_empty()) {
        for msg in rule.check(gn, true) {
            errs.push(FieldError::invalid(
                &path.child("generateName"),
                BadValue::Str(gn.to_string()),
                &msg,
            ));
        }
    }
    match meta.name.as_deref().filter(|n| !n.is_empty()) {
        None => errs.push(FieldError::required(
            &path.child("name"),
            "name or generateName is required",
        )),
        Some(name) => {
            for msg in rule.check(name, false) {
                errs.push(FieldError::invalid(
                    &path.child("name"),
                    BadValue::Str(name.to_string()),
                    &msg,
                ));
            }
        }
    }
    let namespace = meta
        .namespace
        .as_deref()
        .filter(|n| namespaced && !n.is_empty());
    if let Some(ns) = namespace {
        for msg in name_is_dns_label(ns, false) {
            errs.push(FieldError::invalid(
                &path.child("namespace"),
                BadValue::Str(ns.to_string()),
                &msg,
            ));
        }
    }
    if let Some(g) = meta.generation.filter(|&g| g < 0) {
        errs.push(FieldError::invalid(
            &path.child("generation"),
            BadValue::Int(g),
            container::IS_NEGATIVE_ERROR_MSG,
        ));
    }
    errs.extend(validate_labels(meta.labels.as_ref(), &path.child("labels")));
    errs.extend(validate_annotations(
        meta.annotations.as_ref(),
        &path.child("annotations"),
    ));
    // ValidateFinalizers, then the core group's validateKubeFinalizerName per finalizer.
    let finalizers = meta.finalizers.as_deref().unwrap_or_default();
    let fin_path = path.child("finalizers");
    for f in finalizers {
        errs.extend(validate_qualified_name(f, &fin_path));
    }
    for (i, f) in finalizers.iter().enumerate() {
        let p = fin_path.index(i);
        errs.extend(validate_qualified_name(f, &p));
        if !f.contains('/') && !matches!(f.as_str(), "kubernetes" | "orphan" | "foregroundDeletion")
        {
            errs.push(FieldError::invalid(
                &p,
                BadValue::Str(f.clone()),
                "name is neither a standard finalizer name nor is it fully qualified",
            ));
        }
    }
    errs
}

/// Mirrors `ValidatePodSpecificAnnotations`: the mirror-pod annotation needs a node, and
/// `controller.kubernetes.io/pod-deletion-cost` must be a 32-bit integer.
fn validate_pod_specific_annotations(
    meta: &ObjectMeta,
    spec: &PodSpec,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let empty = BTreeMap::new();
    let annotations = meta.annotations.as_ref().unwrap_or(&empty);
    const MIRROR: &str = "kubernetes.io/config.mirror";
    if let Some(v) = annotations.get(MIRROR) {
        if spec.node_name.as_deref().unwrap_or("").is_empty() {
            errs.push(FieldError::invalid(
                &path.key(MIRROR),
                BadValue::Str(v.clone()),
                "must set spec.nodeName if mirror pod annotation is set",
            ));
        }
    }
    const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";
    if let Some(v) = annotations.get(DELETION_COST) {
        // helper.GetDeletionCostFromPodAnnotations: no "+", no leading zeros, fits in int32.
        let first_ok = match v.as_bytes().first() {
            Some(b'-') => true,
            Some(b'0') => v == "0",
            Some(c) => c.is_ascii_digit(),
            None => false,
        };
        if !first_ok || v.parse::<i32>().is_err() {
            errs.push(FieldError::invalid(
                &path.key(DELETION_COST),
                BadValue::Str(v.clone()),
                "must be a 32bit integer",
            ));
        }
    }
    errs
}

/// Mirrors `ValidatePodSpec`, in Go's order.
fn validate_pod_spec(
    spec: &PodSpec,
    pod_name: Option<&str>,
    path: &Path,
    resource: Resource,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    // terminationGracePeriodSeconds is Required in Go but always defaulted (to 30).
    let grace_period_s = Some(spec.termination_grace_period_seconds.unwrap_or(30));
    let restart_policy = spec
        .restart_policy
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("Always");

    let (volumes, vol_errs) = volumes::validate_volumes(
        spec.volumes.as_deref().unwrap_or_default(),
        pod_name,
        &path.child("volumes"),
    );
    errs.extend(vol_errs);

    let pod_claim_names: BTreeSet<String> = spec
        .resource_claims
        .iter()
        .flatten()
        .map(|c| c.name.clone())
        .filter(|n| !n.is_empty())
        .collect();
    let mut claim_names: BTreeSet<&str> = BTreeSet::new();
    for (i, claim) in spec.resource_claims.iter().flatten().enumerate() {
        let p = path.child("resourceClaims").index(i);
        if claim.name.is_empty() {
            errs.push(FieldError::required(&p.child("name"), ""));
        } else if !claim_names.insert(claim.name.as_str()) {
            errs.push(FieldError::duplicate(
                &p.child("name"),
                BadValue::Str(claim.name.clone()),
            ));
        } else {
            errs.extend(validate_dns1123_label(&claim.name, &p.child("name")));
        }
    }

    let ctx = SpecContext {
        volumes,
        pod_claim_names,
        grace_period_s,
        pod_restart_policy: restart_policy,
        host_users: spec.host_users.unwrap_or(true),
    };
    errs.extend(validate_containers(
        &spec.containers,
        &ctx,
        &path.child("containers"),
    ));
    errs.extend(validate_init_containers(
        spec.init_containers.as_deref().unwrap_or_default(),
        &spec.containers,
        &ctx,
        &path.child("initContainers"),
    ));

    // validatePodHostNetworkDeps: with hostNetwork, hostPort must equal containerPort (a pod's
    // hostPort defaults to its containerPort; a template may leave it 0).
    if spec.host_network == Some(true) {
        for (i, c) in spec.containers.iter().enumerate() {
            for (j, port) in c.ports.iter().flatten().enumerate() {
                let hp = match (port.host_port, resource) {
                    (Some(hp), _) => hp,
                    (None, Resource::Pod) => port.container_port,
                    (None, Resource::Template) => 0,
                };
                if (resource == Resource::Pod || hp != 0) && hp != port.container_port {
                    errs.push(FieldError::invalid(
                        &path
                            .child("containers")
                            .index(i)
                            .child("ports")
                            .index(j)
                            .child("hostPort"),
                        BadValue::Int(i64::from(hp)),
                        "must match `containerPort` when `hostNetwork` is true",
                    ));
                }
            }
        }
    }

    // validateRestartPolicy
    if let Some(rp) = spec.restart_policy.as_deref().filter(|p| !p.is_empty()) {
        if !matches!(rp, "Always" | "OnFailure" | "Never") {
            errs.push(FieldError::not_supported(
                &path.child("restartPolicy"),
                BadValue::Str(rp.to_string()),
                &["Always", "OnFailure", "Never"],
            ));
        }
    }
    // validateDNSPolicy
    if let Some(dp) = spec.dns_policy.as_deref().filter(|p| !p.is_empty()) {
        if !matches!(
            dp,
            "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None"
        ) {
            errs.push(FieldError::not_supported(
                &path.child("dnsPolicy"),
                BadValue::Str(dp.to_string()),
                &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
            ));
        }
    }
    errs.extend(validate_labels(
        spec.node_selector.as_ref(),
        &path.child("nodeSelector"),
    ));
    errs.extend(security::validate_pod_security_context(
        spec,
        &path.child("securityContext"),
    ));
    errs.extend(scheduling::validate_affinity(
        spec.affinity.as_ref(),
        &path.child("affinity"),
    ));

    // validatePodDNSConfig (nameserver IP formats aside)
    let dns_config_path = path.child("dnsConfig");
    if spec.dns_policy.as_deref() == Some("None") {
        match &spec.dns_config {
            None => errs.push(FieldError::required(
                &dns_config_path,
                "must provide `dnsConfig` when `dnsPolicy` is None",
            )),
            Some(c) if c.nameservers.as_ref().is_none_or(|n| n.is_empty()) => {
                errs.push(FieldError::required(
                    &dns_config_path.child("nameservers"),
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                ))
            }
            Some(_) => {}
        }
    }

    for (i, gate) in spec.readiness_gates.iter().flatten().enumerate() {
        errs.extend(validate_qualified_name(
            &gate.condition_type,
            &path.child("readinessGates").index(i).child("conditionType"),
        ));
    }
    let mut seen_gates: BTreeSet<&str> = BTreeSet::new();
    for (i, gate) in spec.scheduling_gates.iter().flatten().enumerate() {
        let p = path.child("schedulingGates").index(i);
        errs.extend(validate_qualified_name(&gate.name, &p));
        if !seen_gates.insert(gate.name.as_str()) {
            errs.push(FieldError::duplicate(&p, BadValue::Str(gate.name.clone())));
        }
    }

    errs.extend(scheduling::validate_topology_spread_constraints(
        spec.topology_spread_constraints
            .as_deref()
            .unwrap_or_default(),
        &path.child("topologySpreadConstraints"),
    ));

    let subdomain_names = [
        (spec.service_account_name.as_deref(), "serviceAccountName"),
        (spec.node_name.as_deref(), "nodeName"),
    ];
    for (value, child) in subdomain_names {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            for msg in name_is_dns_subdomain(v, false) {
                errs.push(FieldError::invalid(
                    &path.child(child),
                    BadValue::Str(v.to_string()),
                    &msg,
                ));
            }
        }
    }
    if let Some(ads) = spec.active_deadline_seconds {
        if ads < 1 || ads > i64::from(i32::MAX) {
            errs.push(FieldError::invalid(
                &path.child("activeDeadlineSeconds"),
                BadValue::Int(ads),
                &inclusive_range_error(1, i64::from(i32::MAX)),
            ));
        }
    }
    for (value, child) in [
        (spec.hostname.as_deref(), "hostname"),
        (spec.subdomain.as_deref(), "subdomain"),
    ] {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            errs.extend(validate_dns1123_label(v, &path.child(child)));
        }
    }
    if let Some(t) = spec.tolerations.as_deref().filter(|t| !t.is_empty()) {
        errs.extend(scheduling::validate_tolerations(
            t,
            &path.child("tolerations"),
        ));
    }
    if let Some(h) = spec.host_aliases.as_deref().filter(|h| !h.is_empty()) {
        errs.extend(scheduling::validate_host_aliases(
            h,
            &path.child("hostAliases"),
        ));
    }
    if let Some(v) = spec
        .priority_class_name
        .as_deref()
        .filter(|v| !v.is_empty())
    {
        for msg in name_is_dns_subdomain(v, false) {
            errs.push(FieldError::invalid(
                &path.child("priorityClassName"),
                BadValue::Str(v.to_string()),
                &msg,
            ));
        }
    }
    if let Some(v) = spec.runtime_class_name.as_deref() {
        for msg in name_is_dns_subdomain(v, false) {
            errs.push(FieldError::invalid(
                &path.child("runtimeClassName"),
                BadValue::Str(v.to_string()),
                &msg,
            ));
        }
    }
    if let Some(v) = spec.preemption_policy.as_deref() {
        match v {
            "PreemptLowerPriority" | "Never" => {}
            "" => errs.push(FieldError::required(&path.child("preemptionPolicy"), "")),
            other => errs.push(FieldError::not_supported(
                &path.child("preemptionPolicy"),
                BadValue::Str(other.to_string()),
                &["PreemptLowerPriority", "Never"],
            )),
        }
    }
    errs
}
