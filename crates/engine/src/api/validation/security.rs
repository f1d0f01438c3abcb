//! Security contexts, mirroring pkg/apis/core/validation/validation.go:
//! `validatePodSpecSecurityContext` (IDs, shareProcessNamespace, `validateSysctls` with
//! `ValidateHostSysctl`, fsGroupChangePolicy, supplementalGroupsPolicy) and the container-level
//! `ValidateSecurityContext` (IDs, procMount), both with `validateSeccompProfileField` and
//! `ValidateAppArmorProfileField`.
//!
//! Start at [`validate_pod_security_context`] and [`validate_container_security_context`].
//!
//! Not mirrored: `privileged` against the apiserver's `--allow-privileged` (podplay allows it,
//! as kubeadm-style clusters do), the `allowPrivilegeEscalation: false` conflicts (Go prints
//! the whole `*core.SecurityContext` with `%#v`, pointer addresses included), Windows options,
//! and seLinuxChangePolicy (its allowed values depend on the SELinuxMount gates).

use k8s_openapi::api::core::v1::{AppArmorProfile, PodSpec, SeccompProfile, SecurityContext};

use super::field::{BadValue, FieldError, Path};
use super::names::inclusive_range_error;
use super::volumes::validate_local_descending_path;
use crate::go::quote;

/// `IsValidUserID` / `IsValidGroupID`: 0 to `math.MaxInt32`.
fn id_errors(id: Option<i64>, path: &Path) -> Option<FieldError> {
    let id = id?;
    let max = i64::from(i32::MAX);
    (!(0..=max).contains(&id))
        .then(|| FieldError::invalid(path, BadValue::Int(id), &inclusive_range_error(0, max)))
}

/// `SysctlContainSlashFmt` anchored, as the compiled regexp prints in the error message.
const SYSCTL_REGEX: &str =
    r"^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";

/// `SysctlMaxLength`.
const SYSCTL_MAX_LENGTH: usize = 253;

/// Mirrors `IsValidSysctlName`: segments of `[a-z0-9]([-_a-z0-9]*[a-z0-9])?` joined by `.` or `/`.
fn is_valid_sysctl_name(name: &str) -> bool {
    if name.len() > SYSCTL_MAX_LENGTH {
        return false;
    }
    let seg_ok = |s: &str| {
        let b = s.as_bytes();
        let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        match (b.first(), b.last()) {
            (Some(&f), Some(&l)) => {
                edge(f) && edge(l) && b.iter().all(|&c| edge(c) || c == b'-' || c == b'_')
            }
            _ => false,
        }
    };
    name.split(['.', '/']).all(seg_ok)
}

/// The kernel namespace of a sysctl (`utilsysctl.GetNamespace` after `NormalizeName`).
#[derive(PartialEq, Eq)]
enum SysctlNamespace {
    Net,
    Ipc,
    Other,
}

fn sysctl_namespace(name: &str) -> SysctlNamespace {
    // NormalizeName: a name whose first separator is '/' uses '/' as the separator.
    let normalized: String = match name.find(['.', '/']) {
        Some(i) if name.as_bytes()[i] == b'/' => name
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect(),
        _ => name.to_string(),
    };
    if normalized == "kernel.sem"
        || ["kernel.shm", "kernel.msg", "fs.mqueue."]
            .iter()
            .any(|p| normalized.starts_with(p))
    {
        SysctlNamespace::Ipc
    } else if normalized.starts_with("net.") {
        SysctlNamespace::Net
    } else {
        SysctlNamespace::Other
    }
}

/// Mirrors `validatePodSpecSecurityContext`, in Go's order. In the internal API
/// `hostNetwork`, `hostIPC`, `hostPID` and `shareProcessNamespace` live in the pod security
/// context, so they are read from the spec here.
pub(crate) fn validate_pod_security_context(spec: &PodSpec, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let sc = spec.security_context.clone().unwrap_or_default();
    errs.extend(id_errors(sc.fs_group, &path.child("fsGroup")));
    errs.extend(id_errors(sc.run_as_user, &path.child("runAsUser")));
    errs.extend(id_errors(sc.run_as_group, &path.child("runAsGroup")));
    for (i, &gid) in sc.supplemental_groups.iter().flatten().enumerate() {
        errs.extend(id_errors(
            Some(gid),
            &path.child("supplementalGroups").index(i),
        ));
    }
    if spec.share_process_namespace == Some(true) && spec.host_pid == Some(true) {
        errs.push(FieldError::invalid(
            &path.child("shareProcessNamespace"),
            BadValue::Bool(true),
            "ShareProcessNamespace and HostPID cannot both be enabled",
        ));
    }
    // validateSysctls
    let mut names: Vec<&str> = Vec::new();
    for (i, s) in sc.sysctls.iter().flatten().enumerate() {
        let p = path.child("sysctls").index(i).child("name");
        if s.name.is_empty() {
            errs.push(FieldError::required(&p, ""));
        } else if !is_valid_sysctl_name(&s.name) {
            errs.push(FieldError::invalid(
                &p,
                BadValue::Str(s.name.clone()),
                &format!(
                    "must have at most {SYSCTL_MAX_LENGTH} characters and match regex {SYSCTL_REGEX}"
                ),
            ));
        } else if names.contains(&s.name.as_str()) {
            errs.push(FieldError::duplicate(&p, BadValue::Str(s.name.clone())));
        }
        // ValidateHostSysctl
        let ns = sysctl_namespace(&s.name);
        if spec.host_network == Some(true) && ns == SysctlNamespace::Net {
            errs.push(FieldError::invalid(
                &p,
                BadValue::Str(s.name.clone()),
                "may not be specified when 'hostNetwork' is true",
            ));
        } else if spec.host_ipc == Some(true) && ns == SysctlNamespace::Ipc {
            errs.push(FieldError::invalid(
                &p,
                BadValue::Str(s.name.clone()),
                "may not be specified when 'hostIPC' is true",
            ));
        }
        names.push(&s.name);
    }
    if let Some(p) = &sc.fs_group_change_policy {
        if !matches!(p.as_str(), "OnRootMismatch" | "Always") {
            errs.push(FieldError::not_supported(
                &path.child("fsGroupChangePolicy"),
                BadValue::Str(p.clone()),
                &["Always", "OnRootMismatch"],
            ));
        }
    }
    errs.extend(validate_seccomp_profile(
        sc.seccomp_profile.as_ref(),
        &path.child("seccompProfile"),
    ));
    errs.extend(validate_app_armor_profile(
        sc.app_armor_profile.as_ref(),
        &path.child("appArmorProfile"),
    ));
    if let Some(p) = &sc.supplemental_groups_policy {
        if !matches!(p.as_str(), "Merge" | "Strict") {
            errs.push(FieldError::not_supported(
                &path.child("supplementalGroupsPolicy"),
                BadValue::Str(p.clone()),
                &["Merge", "Strict"],
            ));
        }
    }
    errs
}

/// Mirrors `ValidateSecurityContext` for a container. `host_users` is the pod's `hostUsers`
/// (default true).
pub(crate) fn validate_container_security_context(
    sc: Option<&SecurityContext>,
    host_users: bool,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(sc) = sc else {
        return errs;
    };
    errs.extend(id_errors(sc.run_as_user, &path.child("runAsUser")));
    errs.extend(id_errors(sc.run_as_group, &path.child("runAsGroup")));
    if let Some(pm) = &sc.proc_mount {
        let p = path.child("procMount");
        if !matches!(pm.as_str(), "Default" | "Unmasked") {
            errs.push(FieldError::not_supported(
                &p,
                BadValue::Str(pm.clone()),
                &["Default", "Unmasked"],
            ));
        }
        if host_users && pm == "Unmasked" {
            errs.push(FieldError::invalid(
                &p,
                BadValue::Str(pm.clone()),
                "`hostUsers` must be false to use `Unmasked`",
            ));
        }
    }
    errs.extend(validate_seccomp_profile(
        sc.seccomp_profile.as_ref(),
        &path.child("seccompProfile"),
    ));
    errs.extend(validate_app_armor_profile(
        sc.app_armor_profile.as_ref(),
        &path.child("appArmorProfile"),
    ));
    errs
}

/// A stand-in for the address Go prints for a non-nil pointer inside a `%#v` struct: Go's
/// own value differs on every call, so no fixed text can match it.
const GO_POINTER: &str = "0xc000000000";

/// Mirrors `validateSeccompProfileField` with `validateSeccompProfileType`.
pub(crate) fn validate_seccomp_profile(
    sp: Option<&SeccompProfile>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(sp) = sp else {
        return errs;
    };
    const TYPES: [&str; 3] = ["Localhost", "RuntimeDefault", "Unconfined"];
    match sp.type_.as_str() {
        t if TYPES.contains(&t) => {}
        "" => errs.push(FieldError::required(
            &path.child("type"),
            "type is required when seccompProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            &path.child("type"),
            BadValue::Str(other.to_string()),
            &TYPES,
        )),
    }
    let lp = path.child("localhostProfile");
    if sp.type_ == "Localhost" {
        match &sp.localhost_profile {
            None => errs.push(FieldError::required(
                &lp,
                "must be set when seccomp type is Localhost",
            )),
            Some(p) => errs.extend(validate_local_descending_path(p, &lp)),
        }
    } else if sp.localhost_profile.is_some() {
        // Go passes the whole *core.SeccompProfile, printed with %#v.
        errs.push(FieldError::invalid(
            &lp,
            BadValue::GoSyntax(format!(
                "core.SeccompProfile{{Type:{}, LocalhostProfile:(*string)({GO_POINTER})}}",
                quote(&sp.type_)
            )),
            "can only be set when seccomp type is Localhost",
        ));
    }
    errs
}

/// Mirrors `ValidateAppArmorProfileField`.
pub(crate) fn validate_app_armor_profile(
    profile: Option<&AppArmorProfile>,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(profile) = profile else {
        return errs;
    };
    let lp = path.child("localhostProfile");
    match profile.type_.as_str() {
        "Localhost" => match &profile.localhost_profile {
            None => errs.push(FieldError::required(
                &lp,
                "must be set when AppArmor type is Localhost",
            )),
            Some(p) => {
                let trimmed = p.trim();
                if trimmed != p {
                    errs.push(FieldError::invalid(
                        &lp,
                        BadValue::Str(p.clone()),
                        "must not be padded with whitespace",
                    ));
                } else if trimmed.is_empty() {
                    errs.push(FieldError::required(
                        &lp,
                        "must be set when AppArmor type is Localhost",
                    ));
                }
                const MAX: usize = 4095;
                if p.len() > MAX {
                    errs.push(FieldError::too_long(&lp, MAX));
                }
            }
        },
        "RuntimeDefault" | "Unconfined" => {
            if let Some(p) = &profile.localhost_profile {
                errs.push(FieldError::invalid(
                    &lp,
                    BadValue::Str(p.clone()),
                    "can only be set when AppArmor type is Localhost",
                ));
            }
        }
        "" => errs.push(FieldError::required(
            &path.child("type"),
            "type is required when appArmorProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            &path.child("type"),
            BadValue::Str(other.to_string()),
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
    errs
}
