//! Pod Security admission: the `PodSecurity` plugin (staging/src/k8s.io/pod-security-admission)
//! deciding whether a namespace's policy lets a pod in, with the API server's exact words.
//!
//! Start reading at [`admit`]: it reads the [`NamespacePolicy`] (from the namespace's
//! `pod-security.kubernetes.io/*` labels, [`NamespacePolicy::from_labels`]), evaluates the pod
//! against the enforce, audit and warn levels with [`check_pod_at`], and formats the 403 message
//! and the warnings as `EvaluatePod` in admission/admission.go does. Each check is a function
//! below named after its Go file (policy/check_*.go); [`CHECKS`] is the registry, in the order
//! the Go registry runs them (baseline check IDs sorted, then restricted check IDs sorted,
//! policy/registry.go `populate`), which is the order violations appear in messages.
//!
//! The checks are those of a v1.36 API server: `latest` evaluates as policy version v1.35, the
//! newest `MinimumVersion` any check registers, and a pinned version above that is clamped to it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use crate::go::quote as go_quote;
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, Lifecycle, LifecycleHandler, Namespace, Pod, PodSpec, Probe,
    SecurityContext, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// A Pod Security Standards level (`api.Level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    /// `api.ParseLevel`: one of the three names, or `restricted` and an error.
    pub fn parse(s: &str) -> Result<Level, Level> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(Level::Restricted),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy version (`api.Version`): `latest` or `v1.<minor>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyVersion {
    Latest,
    V1(u32),
}

/// The newest `MinimumVersion` registered by any check of a v1.36 API server (`procMount`,
/// `procMount_restricted`, `runAsNonRoot` and `runAsUser` at 1.35): what `latest` evaluates as.
pub const MAX_POLICY_MINOR: u32 = 35;

impl PolicyVersion {
    /// `api.ParseVersion`: `latest` or `v1.x` (`^v1\.([0-9]|[1-9][0-9]*)$`); anything else is
    /// `latest` and an error.
    pub fn parse(s: &str) -> Result<PolicyVersion, PolicyVersion> {
        if s == "latest" {
            return Ok(PolicyVersion::Latest);
        }
        let Some(minor) = s.strip_prefix("v1.") else {
            return Err(PolicyVersion::Latest);
        };
        let digits = !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit());
        if !digits || (minor.len() > 1 && minor.starts_with('0')) {
            return Err(PolicyVersion::Latest);
        }
        minor
            .parse()
            .map(PolicyVersion::V1)
            .map_err(|_| PolicyVersion::Latest)
    }

    /// The minor version the checks run at: `latest` and anything newer than
    /// [`MAX_POLICY_MINOR`] clamp to it (`checkRegistry.EvaluatePod`).
    pub fn effective_minor(self) -> u32 {
        match self {
            PolicyVersion::Latest => MAX_POLICY_MINOR,
            PolicyVersion::V1(m) => m.min(MAX_POLICY_MINOR),
        }
    }
}

impl fmt::Display for PolicyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyVersion::Latest => f.write_str("latest"),
            PolicyVersion::V1(m) => write!(f, "v1.{m}"),
        }
    }
}

/// A level at a version (`api.LevelVersion`); displays as `baseline:latest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    pub level: Level,
    pub version: PolicyVersion,
}

impl LevelVersion {
    pub const PRIVILEGED_LATEST: LevelVersion = LevelVersion {
        level: Level::Privileged,
        version: PolicyVersion::Latest,
    };
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// A namespace's policy (`api.Policy`) and the label errors found reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespacePolicy {
    pub enforce: LevelVersion,
    pub audit: LevelVersion,
    pub warn: LevelVersion,
    /// Field errors for invalid label values, as `field.Invalid` prints them, e.g.
    /// `metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one
    /// of privileged, baseline, restricted`. The policy is usable all the same.
    pub errors: Vec<String>,
}

impl Default for NamespacePolicy {
    /// The plugin's default configuration: `privileged:latest` for all three modes.
    fn default() -> Self {
        NamespacePolicy {
            enforce: LevelVersion::PRIVILEGED_LATEST,
            audit: LevelVersion::PRIVILEGED_LATEST,
            warn: LevelVersion::PRIVILEGED_LATEST,
            errors: Vec::new(),
        }
    }
}

impl NamespacePolicy {
    /// The policy of a namespace object (its labels; no namespace means the defaults).
    pub fn from_namespace(ns: &Namespace) -> Self {
        match ns.metadata.labels.as_ref() {
            Some(labels) => Self::from_labels(labels),
            None => Self::default(),
        }
    }

    /// Mirrors `api.PolicyToEvaluate` over the default policy. An invalid enforce level is read
    /// as `restricted` (fail closed), an invalid audit or warn level as `privileged` (fail open),
    /// an invalid version as `latest`. When the enforce level is set validly and warn is not,
    /// warn follows a stricter enforce level (and its version, unless warn-version is set).
    pub fn from_labels(labels: &BTreeMap<String, String>) -> Self {
        let mut p = Self::default();
        let mut invalid = |label: &str, value: &str, detail: &str| {
            p.errors.push(format!(
                "metadata.labels[{label}]: Invalid value: {}: {detail}",
                go_quote(value)
            ));
        };
        const LEVEL_ERR: &str = "must be one of privileged, baseline, restricted";
        const VERSION_ERR: &str = r#"must be "latest" or "v1.x""#;
        let level = |label: &str, fail: Level, errors: &mut dyn FnMut(&str, &str, &str)| {
            labels.get(label).map(|v| match Level::parse(v) {
                Ok(l) => (l, true),
                Err(_) => {
                    errors(label, v, LEVEL_ERR);
                    (fail, false)
                }
            })
        };
        let version = |label: &str, errors: &mut dyn FnMut(&str, &str, &str)| {
            labels.get(label).map(|v| match PolicyVersion::parse(v) {
                Ok(ver) => ver,
                Err(ver) => {
                    errors(label, v, VERSION_ERR);
                    ver
                }
            })
        };
        let enforce_level = level(ENFORCE_LEVEL_LABEL, Level::Restricted, &mut invalid);
        let enforce_version = version(ENFORCE_VERSION_LABEL, &mut invalid);
        let audit_level = level(AUDIT_LEVEL_LABEL, Level::Privileged, &mut invalid);
        let audit_version = version(AUDIT_VERSION_LABEL, &mut invalid);
        let warn_level = level(WARN_LEVEL_LABEL, Level::Privileged, &mut invalid);
        let warn_version = version(WARN_VERSION_LABEL, &mut invalid);

        if let Some((l, _)) = enforce_level {
            p.enforce.level = l;
        }
        if let Some(v) = enforce_version {
            p.enforce.version = v;
        }
        if let Some((l, _)) = audit_level {
            p.audit.level = l;
        }
        if let Some(v) = audit_version {
            p.audit.version = v;
        }
        if let Some((l, _)) = warn_level {
            p.warn.level = l;
        }
        if let Some(v) = warn_version {
            p.warn.version = v;
        }
        let enforce_valid = matches!(enforce_level, Some((_, true)));
        if warn_level.is_none() && enforce_valid && p.enforce.level > p.warn.level {
            p.warn.level = p.enforce.level;
            if warn_version.is_none() {
                p.warn.version = p.enforce.version;
            }
        }
        p
    }
}

/// One failed check: its ID, its `ForbiddenReason` and its `ForbiddenDetail`, worded exactly as
/// the Go check words them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub check: &'static str,
    pub reason: String,
    pub detail: String,
}

impl fmt::Display for Violation {
    /// `reason (detail)`, or just the reason when the detail is empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{} ({})", self.reason, self.detail)
        }
    }
}

/// Mirrors `AggregateCheckResult.ForbiddenDetail`: each violation as `reason (detail)`, joined
/// with `, `.
pub fn forbidden_detail(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(Violation::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The outcome of creating a pod under a namespace policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Admission {
    /// The 403 message when enforce rejects the pod, e.g. `pods "x" is forbidden: violates
    /// PodSecurity "baseline:latest": privileged (container "c" must not set
    /// securityContext.privileged=true)`.
    pub rejected: Option<String>,
    /// Warnings returned to the client (kubectl prints each as `Warning: <text>`), e.g.
    /// `would violate PodSecurity "restricted:latest": ...`. Never given with a rejection.
    pub warnings: Vec<String>,
    /// The `pod-security.kubernetes.io/audit-violations` audit annotation, when audit fails.
    pub audit_violations: Option<String>,
}

/// Mirrors `Admission.EvaluatePod` for a pod being created: enforce, then audit, then (only if
/// the pod is allowed) warn, on the pod as decoding leaves it: after scheme defaulting
/// ([`set_object_defaults_pod`](crate::api::defaults::set_object_defaults_pod)), so a volume
/// with no source is an `emptyDir` by then.
pub fn admit(policy: &NamespacePolicy, pod: &Pod) -> Admission {
    // Admission sees the decoded, defaulted object.
    let mut pod = pod.clone();
    crate::api::defaults::set_object_defaults_pod(&mut pod);
    admit_defaulted(policy, &pod)
}

/// [`admit`] for a pod that has been through scheme defaulting already (the API server's
/// create path has it in hand).
pub fn admit_defaulted(policy: &NamespacePolicy, pod: &Pod) -> Admission {
    let empty = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty);
    let meta = &pod.metadata;
    let mut out = Admission::default();
    let enforce = check_pod_at(policy.enforce, spec, meta);
    if !enforce.is_empty() {
        let name = meta.name.as_deref().unwrap_or("");
        let err = format!(
            "violates PodSecurity {}: {}",
            go_quote(&policy.enforce.to_string()),
            forbidden_detail(&enforce)
        );
        // apierrors.NewForbidden(pods, attrs.GetName(), err)
        out.rejected = Some(if name.is_empty() {
            format!("pods is forbidden: {err}")
        } else {
            format!("pods {} is forbidden: {err}", go_quote(name))
        });
    }
    let would_violate = |lv: LevelVersion, v: &[Violation]| {
        format!(
            "would violate PodSecurity {}: {}",
            go_quote(&lv.to_string()),
            forbidden_detail(v)
        )
    };
    let audit = check_pod_at(policy.audit, spec, meta);
    if !audit.is_empty() {
        out.audit_violations = Some(would_violate(policy.audit, &audit));
    }
    if out.rejected.is_none() {
        let warn = check_pod_at(policy.warn, spec, meta);
        if !warn.is_empty() {
            out.warnings.push(would_violate(policy.warn, &warn));
        }
    }
    out
}

/// Mirrors `Admission.ValidatePodController` then `EvaluatePod` with `enforce=false`: a
/// workload (Deployment, Job, ...) is never refused for its pod template; the template is
/// checked against the namespace's `warn` policy and each failure comes back as a warning
/// (`would violate PodSecurity "restricted:latest": ...`). Namespaces whose warn and audit
/// levels are both privileged are skipped outright, as the plugin short-circuits them.
pub fn admit_pod_controller(
    policy: &NamespacePolicy,
    template_meta: &ObjectMeta,
    template_spec: &PodSpec,
) -> Vec<String> {
    if policy.warn.level == Level::Privileged && policy.audit.level == Level::Privileged {
        return Vec::new();
    }
    let warn = check_pod_at(policy.warn, template_spec, template_meta);
    if warn.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "would violate PodSecurity {}: {}",
        go_quote(&policy.warn.to_string()),
        forbidden_detail(&warn)
    )]
}

/// The checks of `level` at `latest`, in message order; empty when the pod is allowed.
pub fn check_pod(level: Level, pod_spec: &PodSpec, pod_meta: &ObjectMeta) -> Vec<Violation> {
    check_pod_at(
        LevelVersion {
            level,
            version: PolicyVersion::Latest,
        },
        pod_spec,
        pod_meta,
    )
}

/// Mirrors `checkRegistry.EvaluatePod` and keeps the failures: every check registered for the
/// level at the (clamped) version, baseline checks overridden by a restricted check left out.
pub fn check_pod_at(lv: LevelVersion, pod_spec: &PodSpec, pod_meta: &ObjectMeta) -> Vec<Violation> {
    if lv.level == Level::Privileged {
        return Vec::new();
    }
    let minor = lv.version.effective_minor();
    let active = |c: &Check| c.versions.iter().any(|(min, _)| *min <= minor);
    let overridden: BTreeSet<&str> = CHECKS
        .iter()
        .filter(|c| c.level == Level::Restricted && lv.level == Level::Restricted && active(c))
        .flat_map(|c| c.overrides.iter().copied())
        .collect();
    let pod = PodView::new(pod_spec, pod_meta);
    CHECKS
        .iter()
        .filter(|c| c.level <= lv.level && active(c) && !overridden.contains(c.id))
        .filter_map(|c| {
            let f = c
                .versions
                .iter()
                .rev()
                .find(|(min, _)| *min <= minor)
                .map(|(_, f)| *f)?;
            f(&pod).map(|(reason, detail)| Violation {
                check: c.id,
                reason,
                detail,
            })
        })
        .collect()
}

/// A check's verdict: `None` when allowed, else `(ForbiddenReason, ForbiddenDetail)`.
type Verdict = Option<(String, String)>;
type CheckFn = fn(&PodView) -> Verdict;

/// A registered check (policy/checks.go `Check`): ID, level, versions (minimum minor version
/// and the function from then on), and the baseline checks it replaces under restricted.
pub struct Check {
    pub id: &'static str,
    pub level: Level,
    versions: &'static [(u32, CheckFn)],
    overrides: &'static [&'static str],
}

const fn check(
    id: &'static str,
    level: Level,
    versions: &'static [(u32, CheckFn)],
    overrides: &'static [&'static str],
) -> Check {
    Check {
        id,
        level,
        versions,
        overrides,
    }
}

/// Every check, in registry order: baseline IDs sorted bytewise, then restricted IDs sorted.
pub static CHECKS: &[Check] = &[
    check(
        "appArmorProfile",
        Level::Baseline,
        &[(0, app_armor_profile_1_0)],
        &[],
    ),
    check(
        "capabilities_baseline",
        Level::Baseline,
        &[(0, capabilities_baseline_1_0)],
        &[],
    ),
    check(
        "hostNamespaces",
        Level::Baseline,
        &[(0, host_namespaces_1_0)],
        &[],
    ),
    check(
        "hostPathVolumes",
        Level::Baseline,
        &[(0, host_path_volumes_1_0)],
        &[],
    ),
    check("hostPorts", Level::Baseline, &[(0, host_ports_1_0)], &[]),
    check(
        "hostProbesAndHostLifecycle",
        Level::Baseline,
        &[(34, host_probes_and_host_lifecycle_1_34)],
        &[],
    ),
    check("privileged", Level::Baseline, &[(0, privileged_1_0)], &[]),
    check(
        "procMount",
        Level::Baseline,
        &[(0, proc_mount_restricted), (35, proc_mount_1_35_baseline)],
        &[],
    ),
    check(
        "seLinuxOptions",
        Level::Baseline,
        &[(0, se_linux_options_1_0), (31, se_linux_options_1_31)],
        &[],
    ),
    check(
        "seccompProfile_baseline",
        Level::Baseline,
        &[
            (0, seccomp_profile_baseline_1_0),
            (19, seccomp_profile_baseline_1_19),
        ],
        &[],
    ),
    check(
        "sysctls",
        Level::Baseline,
        &[
            (0, sysctls_1_0),
            (27, sysctls_1_27),
            (29, sysctls_1_29),
            (32, sysctls_1_32),
        ],
        &[],
    ),
    check(
        "windowsHostProcess",
        Level::Baseline,
        &[(0, windows_host_process_1_0)],
        &[],
    ),
    check(
        "allowPrivilegeEscalation",
        Level::Restricted,
        &[
            (8, allow_privilege_escalation_1_8),
            (25, allow_privilege_escalation_1_25),
        ],
        &[],
    ),
    check(
        "capabilities_restricted",
        Level::Restricted,
        &[
            (22, capabilities_restricted_1_22),
            (25, capabilities_restricted_1_25),
        ],
        &["capabilities_baseline"],
    ),
    check(
        "procMount_restricted",
        Level::Restricted,
        &[(35, proc_mount_restricted)],
        &["procMount"],
    ),
    check(
        "restrictedVolumes",
        Level::Restricted,
        &[(0, restricted_volumes_1_0)],
        &["hostPathVolumes"],
    ),
    check(
        "runAsNonRoot",
        Level::Restricted,
        &[(0, run_as_non_root_1_0), (35, run_as_non_root_1_35)],
        &[],
    ),
    check(
        "runAsUser",
        Level::Restricted,
        &[(23, run_as_user_1_23), (35, run_as_user_1_35)],
        &[],
    ),
    check(
        "seccompProfile_restricted",
        Level::Restricted,
        &[
            (19, seccomp_profile_restricted_1_19),
            (25, seccomp_profile_restricted_1_25),
        ],
        &["seccompProfile_baseline"],
    ),
];

/// A container as `visitContainers` hands it over: init containers, containers, then ephemeral
/// containers, with the fields the checks read.
struct ContainerView<'a> {
    name: &'a str,
    sc: Option<&'a SecurityContext>,
    ports: &'a [ContainerPort],
    probes: [Option<&'a Probe>; 3],
    lifecycle: Option<&'a Lifecycle>,
}

impl<'a> ContainerView<'a> {
    fn of(c: &'a Container) -> Self {
        ContainerView {
            name: &c.name,
            sc: c.security_context.as_ref(),
            ports: c.ports.as_deref().unwrap_or(&[]),
            probes: [
                c.liveness_probe.as_ref(),
                c.readiness_probe.as_ref(),
                c.startup_probe.as_ref(),
            ],
            lifecycle: c.lifecycle.as_ref(),
        }
    }
}

struct PodView<'a> {
    spec: &'a PodSpec,
    annotations: Option<&'a BTreeMap<String, String>>,
    containers: Vec<ContainerView<'a>>,
}

impl<'a> PodView<'a> {
    fn new(spec: &'a PodSpec, meta: &'a ObjectMeta) -> Self {
        let mut containers: Vec<ContainerView<'a>> = Vec::new();
        containers.extend(spec.init_containers.iter().flatten().map(ContainerView::of));
        containers.extend(spec.containers.iter().map(ContainerView::of));
        for e in spec.ephemeral_containers.iter().flatten() {
            containers.push(ContainerView {
                name: &e.name,
                sc: e.security_context.as_ref(),
                ports: e.ports.as_deref().unwrap_or(&[]),
                probes: [
                    e.liveness_probe.as_ref(),
                    e.readiness_probe.as_ref(),
                    e.startup_probe.as_ref(),
                ],
                lifecycle: e.lifecycle.as_ref(),
            });
        }
        PodView {
            spec,
            annotations: meta.annotations.as_ref(),
            containers,
        }
    }

    fn pod_sc(&self) -> Option<&'a k8s_openapi::api::core::v1::PodSecurityContext> {
        self.spec.security_context.as_ref()
    }

    fn is_windows(&self) -> bool {
        self.spec.os.as_ref().is_some_and(|os| os.name == "windows")
    }

    /// `relaxPolicyForUserNamespacePod`: `hostUsers: false`.
    fn user_namespaced(&self) -> bool {
        self.spec.host_users == Some(false)
    }

    /// Names of the containers for which `bad` holds, in visiting order.
    fn bad_containers(&self, bad: impl Fn(&ContainerView) -> bool) -> Vec<String> {
        self.containers
            .iter()
            .filter(|c| bad(c))
            .map(|c| c.name.to_string())
            .collect()
    }
}

/// `joinQuote`: `"a", "b"`.
fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let inner: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("\"{}\"", inner.join("\", \""))
}

/// `pluralize`.
fn pluralize<'s>(singular: &'s str, plural: &'s str, count: usize) -> &'s str {
    if count == 1 {
        singular
    } else {
        plural
    }
}

/// `container "a"` / `containers "a", "b"`.
fn containers_phrase(names: &[String]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

fn sorted(set: BTreeSet<String>) -> Vec<String> {
    set.into_iter().collect()
}

fn deny(reason: impl Into<String>, detail: impl Into<String>) -> Verdict {
    Some((reason.into(), detail.into()))
}

/// check_appArmorProfile.go `appArmorProfile_1_0`: the pod's and containers'
/// `appArmorProfile.type` must be `RuntimeDefault` or `Localhost`, and the deprecated
/// `container.apparmor.security.beta.kubernetes.io/*` annotations `runtime/default`,
/// `localhost/*` or empty.
fn app_armor_profile_1_0(p: &PodView) -> Verdict {
    let allowed = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    let mut bad_setters = Vec::new();
    let mut bad_values = BTreeSet::new();
    if let Some(profile) = p.pod_sc().and_then(|sc| sc.app_armor_profile.as_ref()) {
        if !allowed(&profile.type_) {
            bad_setters.push("pod".to_string());
            bad_values.insert(profile.type_.clone());
        }
    }
    let bad = p.bad_containers(|c| {
        let t = c.sc.and_then(|sc| sc.app_armor_profile.as_ref());
        t.is_some_and(|t| !allowed(&t.type_))
    });
    for c in &p.containers {
        if let Some(t) = c.sc.and_then(|sc| sc.app_armor_profile.as_ref()) {
            if !allowed(&t.type_) {
                bad_values.insert(t.type_.clone());
            }
        }
    }
    if !bad.is_empty() {
        bad_setters.push(containers_phrase(&bad));
    }
    let mut annotations: Vec<String> = p
        .annotations
        .into_iter()
        .flatten()
        .filter(|(k, v)| {
            k.starts_with("container.apparmor.security.beta.kubernetes.io/")
                && !(v.is_empty() || v.as_str() == "runtime/default" || v.starts_with("localhost/"))
        })
        .map(|(k, v)| format!("{k}={}", go_quote(v)))
        .collect();
    let mut values = sorted(bad_values);
    if !annotations.is_empty() {
        annotations.sort();
        bad_setters.push(pluralize("annotation", "annotations", annotations.len()).to_string());
        values.extend(annotations);
    }
    if bad_setters.is_empty() {
        return None;
    }
    deny(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            values.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            bad_setters.join(" and "),
            join_quote(&values)
        ),
    )
}

/// The capabilities a baseline container may add (`capabilities_allowed_1_0`).
const CAPABILITIES_ALLOWED_1_0: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn capabilities_add<'a>(c: &ContainerView<'a>) -> &'a [String] {
    c.sc.and_then(|sc| sc.capabilities.as_ref())
        .and_then(|caps| caps.add.as_deref())
        .unwrap_or(&[])
}

/// check_capabilities_baseline.go `capabilitiesBaseline_1_0`: only the default capability set
/// may be added.
fn capabilities_baseline_1_0(p: &PodView) -> Verdict {
    let mut forbidden = BTreeSet::new();
    let bad = p.bad_containers(|c| {
        capabilities_add(c)
            .iter()
            .any(|cap| !CAPABILITIES_ALLOWED_1_0.contains(&cap.as_str()))
    });
    for c in &p.containers {
        for cap in capabilities_add(c) {
            if !CAPABILITIES_ALLOWED_1_0.contains(&cap.as_str()) {
                forbidden.insert(cap.clone());
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    deny(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad),
            join_quote(&sorted(forbidden))
        ),
    )
}

/// check_hostNamespaces.go `hostNamespaces_1_0`: no hostNetwork, hostPID or hostIPC (listed
/// sorted).
fn host_namespaces_1_0(p: &PodView) -> Verdict {
    let mut set = BTreeSet::new();
    if p.spec.host_network == Some(true) {
        set.insert("hostNetwork");
    }
    if p.spec.host_pid == Some(true) {
        set.insert("hostPID");
    }
    if p.spec.host_ipc == Some(true) {
        set.insert("hostIPC");
    }
    if set.is_empty() {
        return None;
    }
    deny(
        "host namespaces",
        set.into_iter().collect::<Vec<_>>().join(", "),
    )
}

/// check_hostPathVolumes.go `hostPathVolumes_1_0`: no hostPath volumes.
fn host_path_volumes_1_0(p: &PodView) -> Verdict {
    let names: Vec<&str> = p
        .spec
        .volumes
        .iter()
        .flatten()
        .filter(|v| v.host_path.is_some())
        .map(|v| v.name.as_str())
        .collect();
    if names.is_empty() {
        return None;
    }
    deny(
        "hostPath volumes",
        format!(
            "{} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names)
        ),
    )
}

/// check_hostPorts.go `hostPorts_1_0`: no hostPort (ports listed as sorted strings).
fn host_ports_1_0(p: &PodView) -> Verdict {
    let mut ports = BTreeSet::new();
    let bad = p.bad_containers(|c| c.ports.iter().any(|port| port.host_port.unwrap_or(0) != 0));
    for c in &p.containers {
        for port in c.ports {
            let hp = port.host_port.unwrap_or(0);
            if hp != 0 {
                ports.insert(hp.to_string());
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    deny(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            sorted(ports).join(", ")
        ),
    )
}

/// check_hostProbesAndhostLifecycle.go `hostProbesAndHostLifecycleV1Dot34`: probes and
/// lifecycle handlers must not set `httpGet.host` or `tcpSocket.host`.
fn host_probes_and_host_lifecycle_1_34(p: &PodView) -> Verdict {
    let mut bad = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    for c in &p.containers {
        let mut found = Vec::new();
        for probe in c.probes.iter().flatten() {
            found.extend(probe.http_get.as_ref().and_then(|h| h.host.clone()));
            found.extend(probe.tcp_socket.as_ref().and_then(|t| t.host.clone()));
        }
        if let Some(l) = c.lifecycle {
            let handlers: [Option<&LifecycleHandler>; 2] =
                [l.post_start.as_ref(), l.pre_stop.as_ref()];
            for h in handlers.into_iter().flatten() {
                found.extend(h.http_get.as_ref().and_then(|g| g.host.clone()));
                found.extend(h.tcp_socket.as_ref().and_then(|t| t.host.clone()));
            }
        }
        found.retain(|h| !h.is_empty());
        if !found.is_empty() {
            bad.insert(c.name.to_string());
            hosts.extend(found);
        }
    }
    if bad.is_empty() {
        return None;
    }
    let bad = sorted(bad);
    deny(
        "probe or lifecycle host",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&sorted(hosts))
        ),
    )
}

/// check_privileged.go `privileged_1_0`: no `securityContext.privileged=true`.
fn privileged_1_0(p: &PodView) -> Verdict {
    let bad = p.bad_containers(|c| c.sc.and_then(|sc| sc.privileged) == Some(true));
    if bad.is_empty() {
        return None;
    }
    deny(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad)
        ),
    )
}

/// check_procMount_restricted.go `procMount_1_35_restricted` (also the baseline check before
/// v1.35): `securityContext.procMount` unset or `Default`.
fn proc_mount_restricted(p: &PodView) -> Verdict {
    let mount = |c: &ContainerView| c.sc.and_then(|sc| sc.proc_mount.clone());
    let bad = p.bad_containers(|c| mount(c).is_some_and(|m| m != "Default"));
    if bad.is_empty() {
        return None;
    }
    let types: BTreeSet<String> = p
        .containers
        .iter()
        .filter_map(mount)
        .filter(|m| m != "Default")
        .collect();
    deny(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad),
            join_quote(&sorted(types))
        ),
    )
}

/// check_procMount_baseline.go `procMount_1_35_baseline`: as restricted, except that a pod in a
/// user namespace (`hostUsers: false`) may use any procMount.
fn proc_mount_1_35_baseline(p: &PodView) -> Verdict {
    if p.user_namespaced() {
        return None;
    }
    proc_mount_restricted(p)
}

const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// check_seLinuxOptions.go: the SELinux type must be one of `allowed`; user and role must not
/// be set, on the pod or any container.
fn se_linux_options(p: &PodView, allowed: &[&str]) -> Verdict {
    let mut bad_types = BTreeSet::new();
    let (mut set_user, mut set_role) = (false, false);
    let mut valid = |o: &k8s_openapi::api::core::v1::SELinuxOptions| {
        let mut ok = true;
        let t = o.type_.clone().unwrap_or_default();
        if !allowed.contains(&t.as_str()) {
            ok = false;
            bad_types.insert(t);
        }
        if o.user.as_deref().is_some_and(|u| !u.is_empty()) {
            ok = false;
            set_user = true;
        }
        if o.role.as_deref().is_some_and(|r| !r.is_empty()) {
            ok = false;
            set_role = true;
        }
        ok
    };
    let mut bad_setters = Vec::new();
    if let Some(o) = p.pod_sc().and_then(|sc| sc.se_linux_options.as_ref()) {
        if !valid(o) {
            bad_setters.push("pod".to_string());
        }
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if let Some(o) = c.sc.and_then(|sc| sc.se_linux_options.as_ref()) {
            if !valid(o) {
                bad.push(c.name.to_string());
            }
        }
    }
    if !bad.is_empty() {
        bad_setters.push(containers_phrase(&bad));
    }
    if bad_setters.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    if !bad_types.is_empty() {
        let types = sorted(bad_types);
        data.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if set_user {
        data.push("user may not be set".to_string());
    }
    if set_role {
        data.push("role may not be set".to_string());
    }
    deny(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            bad_setters.join(" and "),
            data.join("; ")
        ),
    )
}

fn se_linux_options_1_0(p: &PodView) -> Verdict {
    se_linux_options(p, SELINUX_TYPES_1_0)
}

fn se_linux_options_1_31(p: &PodView) -> Verdict {
    se_linux_options(p, SELINUX_TYPES_1_31)
}

fn valid_seccomp(t: &str) -> bool {
    t == "Localhost" || t == "RuntimeDefault"
}

/// check_seccompProfile_baseline.go `seccompProfileBaseline_1_0`: the alpha seccomp annotations
/// (`seccomp.security.alpha.kubernetes.io/pod`, `container.seccomp.security.alpha.kubernetes.io/
/// <name>`) must be `runtime/default`, `docker/default` or `localhost/*`.
fn seccomp_profile_baseline_1_0(p: &PodView) -> Verdict {
    let valid =
        |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let mut forbidden = BTreeSet::new();
    let annotations = p.annotations;
    let mut look = |key: String| {
        if let Some(v) = annotations.and_then(|a| a.get(&key)) {
            if !valid(v) {
                forbidden.insert(format!("{key}={}", go_quote(v)));
            }
        }
    };
    look("seccomp.security.alpha.kubernetes.io/pod".to_string());
    for c in &p.containers {
        look(format!(
            "container.seccomp.security.alpha.kubernetes.io/{}",
            c.name
        ));
    }
    if forbidden.is_empty() {
        return None;
    }
    deny(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", forbidden.len()),
            sorted(forbidden).join(", ")
        ),
    )
}

/// The setters that explicitly set `seccompProfile.type` to something other than
/// `RuntimeDefault`/`Localhost`, the bad values, and whether the pod level is valid and set.
fn seccomp_explicit(p: &PodView) -> (Vec<String>, BTreeSet<String>, bool) {
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    let mut pod_set = false;
    if let Some(sp) = p.pod_sc().and_then(|sc| sc.seccomp_profile.as_ref()) {
        if valid_seccomp(&sp.type_) {
            pod_set = true;
        } else {
            setters.push("pod".to_string());
            values.insert(sp.type_.clone());
        }
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if let Some(sp) = c.sc.and_then(|sc| sc.seccomp_profile.as_ref()) {
            if !valid_seccomp(&sp.type_) {
                bad.push(c.name.to_string());
                values.insert(sp.type_.clone());
            }
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    (setters, values, pod_set)
}

/// check_seccompProfile_baseline.go `seccompProfileBaseline_1_19`: an explicit
/// `seccompProfile.type` must be `RuntimeDefault` or `Localhost`.
fn seccomp_profile_baseline_1_19(p: &PodView) -> Verdict {
    let (setters, values, _) = seccomp_explicit(p);
    if setters.is_empty() {
        return None;
    }
    deny(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&sorted(values))
        ),
    )
}

const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_ADDED_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_ADDED_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_ADDED_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];

/// check_sysctls.go: pod sysctls must be on the safe list of the policy version (listed in the
/// pod's order).
fn sysctls(p: &PodView, allowed: &[&[&str]]) -> Verdict {
    let forbidden: Vec<&str> = p
        .pod_sc()
        .and_then(|sc| sc.sysctls.as_ref())
        .into_iter()
        .flatten()
        .map(|s| s.name.as_str())
        .filter(|n| !allowed.iter().any(|set| set.contains(n)))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    deny("forbidden sysctls", forbidden.join(", "))
}

fn sysctls_1_0(p: &PodView) -> Verdict {
    sysctls(p, &[SYSCTLS_1_0])
}
fn sysctls_1_27(p: &PodView) -> Verdict {
    sysctls(p, &[SYSCTLS_1_0, SYSCTLS_ADDED_1_27])
}
fn sysctls_1_29(p: &PodView) -> Verdict {
    sysctls(p, &[SYSCTLS_1_0, SYSCTLS_ADDED_1_27, SYSCTLS_ADDED_1_29])
}
fn sysctls_1_32(p: &PodView) -> Verdict {
    sysctls(
        p,
        &[
            SYSCTLS_1_0,
            SYSCTLS_ADDED_1_27,
            SYSCTLS_ADDED_1_29,
            SYSCTLS_ADDED_1_32,
        ],
    )
}

/// check_windowsHostProcess.go `windowsHostProcess_1_0`: no
/// `windowsOptions.hostProcess=true` on the pod or a container.
fn windows_host_process_1_0(p: &PodView) -> Verdict {
    let host_process = |o: Option<&k8s_openapi::api::core::v1::WindowsSecurityContextOptions>| {
        o.and_then(|o| o.host_process) == Some(true)
    };
    let bad = p.bad_containers(|c| host_process(c.sc.and_then(|sc| sc.windows_options.as_ref())));
    let mut setters = Vec::new();
    if host_process(p.pod_sc().and_then(|sc| sc.windows_options.as_ref())) {
        setters.push("pod".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    deny(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
    )
}

/// check_allowPrivilegeEscalation.go `allowPrivilegeEscalation_1_8`: every container must set
/// `allowPrivilegeEscalation: false`.
fn allow_privilege_escalation_1_8(p: &PodView) -> Verdict {
    let bad =
        p.bad_containers(|c| c.sc.and_then(|sc| sc.allow_privilege_escalation) != Some(false));
    if bad.is_empty() {
        return None;
    }
    deny(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        ),
    )
}

/// `allowPrivilegeEscalation_1_25`: Windows pods (`spec.os.name: windows`) are exempt.
fn allow_privilege_escalation_1_25(p: &PodView) -> Verdict {
    if p.is_windows() {
        return None;
    }
    allow_privilege_escalation_1_8(p)
}

/// check_capabilities_restricted.go `capabilitiesRestricted_1_22`: every container must drop
/// `ALL` and may add only `NET_BIND_SERVICE`.
fn capabilities_restricted_1_22(p: &PodView) -> Verdict {
    let mut missing_drop_all = Vec::new();
    let mut adding = Vec::new();
    let mut forbidden = BTreeSet::new();
    for c in &p.containers {
        let Some(caps) = c.sc.and_then(|sc| sc.capabilities.as_ref()) else {
            missing_drop_all.push(c.name.to_string());
            continue;
        };
        if !caps.drop.iter().flatten().any(|d| d == "ALL") {
            missing_drop_all.push(c.name.to_string());
        }
        let mut added_forbidden = false;
        for a in caps.add.iter().flatten() {
            if a != "NET_BIND_SERVICE" {
                added_forbidden = true;
                forbidden.insert(a.clone());
            }
        }
        if added_forbidden {
            adding.push(c.name.to_string());
        }
    }
    let mut details = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(format!(
            r#"{} must set securityContext.capabilities.drop=["ALL"]"#,
            containers_phrase(&missing_drop_all)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&sorted(forbidden))
        ));
    }
    if details.is_empty() {
        return None;
    }
    deny("unrestricted capabilities", details.join("; "))
}

/// `capabilitiesRestricted_1_25`: Windows pods are exempt.
fn capabilities_restricted_1_25(p: &PodView) -> Verdict {
    if p.is_windows() {
        return None;
    }
    capabilities_restricted_1_22(p)
}

/// The restricted volume type name of a volume the restricted check refuses, or `None` when the
/// type is allowed (configMap, csi, downwardAPI, emptyDir, ephemeral, image,
/// persistentVolumeClaim, projected, secret). A volume with no source at all is `unknown`
/// (defaulting has made it an `emptyDir` by the time [`admit`] sees it).
fn restricted_volume_type(v: &Volume) -> Option<&'static str> {
    let allowed = v.config_map.is_some()
        || v.csi.is_some()
        || v.downward_api.is_some()
        || v.empty_dir.is_some()
        || v.ephemeral.is_some()
        || v.image.is_some()
        || v.persistent_volume_claim.is_some()
        || v.projected.is_some()
        || v.secret.is_some();
    if allowed {
        return None;
    }
    let kinds: [(bool, &'static str); 21] = [
        (v.host_path.is_some(), "hostPath"),
        (v.gce_persistent_disk.is_some(), "gcePersistentDisk"),
        (v.aws_elastic_block_store.is_some(), "awsElasticBlockStore"),
        (v.git_repo.is_some(), "gitRepo"),
        (v.nfs.is_some(), "nfs"),
        (v.iscsi.is_some(), "iscsi"),
        (v.glusterfs.is_some(), "glusterfs"),
        (v.rbd.is_some(), "rbd"),
        (v.flex_volume.is_some(), "flexVolume"),
        (v.cinder.is_some(), "cinder"),
        (v.cephfs.is_some(), "cephfs"),
        (v.flocker.is_some(), "flocker"),
        (v.fc.is_some(), "fc"),
        (v.azure_file.is_some(), "azureFile"),
        (v.vsphere_volume.is_some(), "vsphereVolume"),
        (v.quobyte.is_some(), "quobyte"),
        (v.azure_disk.is_some(), "azureDisk"),
        (v.photon_persistent_disk.is_some(), "photonPersistentDisk"),
        (v.portworx_volume.is_some(), "portworxVolume"),
        (v.scale_io.is_some(), "scaleIO"),
        (v.storageos.is_some(), "storageos"),
    ];
    Some(
        kinds
            .iter()
            .find(|(set, _)| *set)
            .map_or("unknown", |(_, n)| n),
    )
}

/// check_restrictedVolumes.go `restrictedVolumes_1_0`: only the allowed volume types.
fn restricted_volumes_1_0(p: &PodView) -> Verdict {
    let mut names = Vec::new();
    let mut types = BTreeSet::new();
    for v in p.spec.volumes.iter().flatten() {
        if let Some(t) = restricted_volume_type(v) {
            names.push(v.name.clone());
            types.insert(t.to_string());
        }
    }
    if names.is_empty() {
        return None;
    }
    deny(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names),
            pluralize("uses", "use", names.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&sorted(types))
        ),
    )
}

/// check_runAsNonRoot.go `runAsNonRoot_1_0`: `runAsNonRoot: true` on the pod or on every
/// container, and never `false`.
fn run_as_non_root_1_0(p: &PodView) -> Verdict {
    let mut setters = Vec::new();
    let mut pod_non_root = false;
    match p.pod_sc().and_then(|sc| sc.run_as_non_root) {
        Some(false) => setters.push("pod".to_string()),
        Some(true) => pod_non_root = true,
        None => {}
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in &p.containers {
        match c.sc.and_then(|sc| sc.run_as_non_root) {
            Some(false) => explicit.push(c.name.to_string()),
            Some(true) => {}
            None if !pod_non_root => implicit.push(c.name.to_string()),
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        return deny(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
        );
    }
    if !implicit.is_empty() {
        return deny(
            "runAsNonRoot != true",
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicit)
            ),
        );
    }
    None
}

/// `runAsNonRoot_1_35`: a pod in a user namespace (`hostUsers: false`) is exempt.
fn run_as_non_root_1_35(p: &PodView) -> Verdict {
    if p.user_namespaced() {
        return None;
    }
    run_as_non_root_1_0(p)
}

/// check_runAsUser.go `runAsUser_1_23`: nothing may set `runAsUser: 0`.
fn run_as_user_1_23(p: &PodView) -> Verdict {
    let mut setters = Vec::new();
    if p.pod_sc().and_then(|sc| sc.run_as_user) == Some(0) {
        setters.push("pod".to_string());
    }
    let bad = p.bad_containers(|c| c.sc.and_then(|sc| sc.run_as_user) == Some(0));
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    deny(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", setters.join(" and ")),
    )
}

/// `runAsUser_1_35`: a pod in a user namespace is exempt.
fn run_as_user_1_35(p: &PodView) -> Verdict {
    if p.user_namespaced() {
        return None;
    }
    run_as_user_1_23(p)
}

/// check_seccompProfile_restricted.go `seccompProfileRestricted_1_19`: `seccompProfile.type`
/// must be `RuntimeDefault` or `Localhost` on the pod, or on every container.
fn seccomp_profile_restricted_1_19(p: &PodView) -> Verdict {
    let (setters, values, pod_set) = seccomp_explicit(p);
    if !setters.is_empty() {
        return deny(
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&sorted(values))
            ),
        );
    }
    let implicit =
        p.bad_containers(|c| !pod_set && c.sc.and_then(|sc| sc.seccomp_profile.as_ref()).is_none());
    if implicit.is_empty() {
        return None;
    }
    deny(
        "seccompProfile",
        format!(
            r#"pod or {} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
            containers_phrase(&implicit)
        ),
    )
}

/// `seccompProfileRestricted_1_25`: Windows pods are exempt.
fn seccomp_profile_restricted_1_25(p: &PodView) -> Verdict {
    if p.is_windows() {
        return None;
    }
    seccomp_profile_restricted_1_19(p)
}
