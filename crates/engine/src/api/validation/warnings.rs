//! Warnings the API server returns with an accepted pod, mirroring `warningsForPodSpecAndMeta`
//! in pkg/api/pod/warnings.go (`GetWarningsForPod`, `GetWarningsForPodTemplate`). kubectl prints
//! each as `Warning: <text>`.
//!
//! Deprecated node-label and persistent-volume-claim warnings are not mirrored.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::container::effective_protocol;
use super::field::{go_quote, Path};
use crate::quantity::Quantity;

/// `pods.VisitContainersWithPath`: init containers, then containers, then ephemeral containers.
fn visit_containers<'a>(spec: &'a PodSpec, spec_path: &Path) -> Vec<(&'a Container, Path)> {
    let mut out = Vec::new();
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        out.push((c, spec_path.child("initContainers").index(i)));
    }
    for (i, c) in spec.containers.iter().enumerate() {
        out.push((c, spec_path.child("containers").index(i)));
    }
    out
}

/// Go's `%+v` of an internal `core.ContainerPort`.
fn port_plus_v(p: &ContainerPort) -> String {
    format!(
        "{{Name:{} HostPort:{} ContainerPort:{} Protocol:{} HostIP:{}}}",
        p.name.as_deref().unwrap_or(""),
        p.host_port.unwrap_or(0),
        p.container_port,
        effective_protocol(p),
        p.host_ip.as_deref().unwrap_or("")
    )
}

/// Mirrors `warningsForPodSpecAndMeta`. `field_path` is empty for a pod and e.g.
/// `spec.template` for a pod template.
pub(crate) fn pod_warnings(field_path: &Path, spec: &PodSpec, meta: &ObjectMeta) -> Vec<String> {
    let mut warnings = Vec::new();
    let spec_path = field_path.child("spec");
    let empty = BTreeMap::new();
    let annotations = meta.annotations.as_ref().unwrap_or(&empty);

    for (i, t) in spec
        .topology_spread_constraints
        .iter()
        .flatten()
        .enumerate()
    {
        if t.label_selector.is_none() {
            warnings.push(format!(
                "{}: a null labelSelector results in matching no pod",
                spec_path
                    .child("topologySpreadConstraints")
                    .index(i)
                    .child("labelSelector")
            ));
        }
    }

    const DEPRECATED_ANNOTATIONS: [(&str, &str); 3] = [
        (
            "scheduler.alpha.kubernetes.io/critical-pod",
            "non-functional in v1.16+; use the \"priorityClassName\" field instead",
        ),
        (
            "security.alpha.kubernetes.io/sysctls",
            "non-functional in v1.11+; use the \"sysctls\" field instead",
        ),
        (
            "security.alpha.kubernetes.io/unsafe-sysctls",
            "non-functional in v1.11+; use the \"sysctls\" field instead",
        ),
    ];
    for (key, message) in DEPRECATED_ANNOTATIONS {
        if annotations.contains_key(key) {
            warnings.push(format!(
                "{}: {message}",
                field_path.child("metadata").child("annotations").key(key)
            ));
        }
    }

    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let p = spec_path.child("volumes").index(i);
        let checks: [(bool, &str, &str); 9] = [
            (
                v.photon_persistent_disk.is_some(),
                "photonPersistentDisk",
                "deprecated in v1.11, non-functional in v1.16+",
            ),
            (v.git_repo.is_some(), "gitRepo", "deprecated in v1.11"),
            (
                v.scale_io.is_some(),
                "scaleIO",
                "deprecated in v1.16, non-functional in v1.22+",
            ),
            (
                v.flocker.is_some(),
                "flocker",
                "deprecated in v1.22, non-functional in v1.25+",
            ),
            (
                v.storageos.is_some(),
                "storageOS",
                "deprecated in v1.22, non-functional in v1.25+",
            ),
            (
                v.quobyte.is_some(),
                "quobyte",
                "deprecated in v1.22, non-functional in v1.25+",
            ),
            (
                v.glusterfs.is_some(),
                "glusterfs",
                "deprecated in v1.25, non-functional in v1.26+",
            ),
            (
                v.cephfs.is_some(),
                "cephfs",
                "deprecated in v1.28, non-functional in v1.31+",
            ),
            (
                v.rbd.is_some(),
                "rbd",
                "deprecated in v1.28, non-functional in v1.31+",
            ),
        ];
        for (set, child, message) in checks {
            if set {
                warnings.push(format!("{}: {message}", p.child(child)));
            }
        }
    }

    let host_aliases = spec.host_aliases.as_deref().unwrap_or_default();
    if host_aliases.len() > 1 {
        let mut seen = BTreeSet::new();
        for (i, a) in host_aliases.iter().enumerate() {
            if !seen.insert(a.ip.as_str()) {
                warnings.push(format!(
                    "{}: duplicate ip {}",
                    spec_path.child("hostAliases").index(i).child("ip"),
                    go_quote(&a.ip)
                ));
            }
        }
    }

    let pull_secrets = spec.image_pull_secrets.as_deref().unwrap_or_default();
    if pull_secrets.len() > 1 {
        let mut seen = BTreeSet::new();
        for (i, s) in pull_secrets.iter().enumerate() {
            if !seen.insert(s.name.as_str()) {
                warnings.push(format!(
                    "{}: duplicate name {}",
                    spec_path.child("imagePullSecrets").index(i).child("name"),
                    go_quote(&s.name)
                ));
            }
        }
    }
    for (i, s) in pull_secrets.iter().enumerate() {
        if s.name.is_empty() {
            warnings.push(format!(
                "{}: invalid empty name {}",
                spec_path.child("imagePullSecrets").index(i).child("name"),
                go_quote(&s.name)
            ));
        }
    }

    let fractional = |map: Option<
        &BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    >,
                      name: &str,
                      path: &Path|
     -> Option<String> {
        let q = Quantity::parse(&map?.get(name)?.0)?;
        (q.milli_value() % 1000 != 0).then(|| {
            format!(
                "{}: fractional byte value {} is invalid, must be an integer",
                path.key(name),
                go_quote(&q.canonical())
            )
        })
    };
    for name in ["memory", "ephemeral-storage"] {
        warnings.extend(fractional(
            spec.overhead.as_ref(),
            name,
            &spec_path.child("overhead"),
        ));
    }

    for (c, p) in visit_containers(spec, &spec_path) {
        let res = c.resources.as_ref();
        let limits = res.and_then(|r| r.limits.as_ref());
        let requests = res.and_then(|r| r.requests.as_ref());
        let res_path = p.child("resources");
        warnings.extend(fractional(limits, "memory", &res_path.child("limits")));
        warnings.extend(fractional(requests, "memory", &res_path.child("requests")));
        warnings.extend(fractional(
            limits,
            "ephemeral-storage",
            &res_path.child("limits"),
        ));
        warnings.extend(fractional(
            requests,
            "ephemeral-storage",
            &res_path.child("requests"),
        ));

        let env = c.env.as_deref().unwrap_or_default();
        if env.len() > 1 {
            let mut seen = BTreeSet::new();
            for (i, item) in env.iter().enumerate() {
                if seen.insert(item.name.as_str()) {
                    continue;
                }
                let reference = format!("$({})", item.name);
                let value = item.value.as_deref().unwrap_or("");
                let bad =
                    item.value_from.is_some() || value == reference || !value.contains(&reference);
                if bad {
                    warnings.push(format!(
                        "{}: hides previous definition of {}, which may be dropped when using apply",
                        p.child("env").index(i),
                        go_quote(&item.name)
                    ));
                }
            }
        }
    }

    // Ports across all containers: the same containerPort/protocol twice.
    let mut all_ports: BTreeMap<String, Vec<(Path, &ContainerPort)>> = BTreeMap::new();
    for (c, p) in visit_containers(spec, &spec_path) {
        for (i, port) in c.ports.iter().flatten().enumerate() {
            let here = p.child("ports").index(i);
            let host_ip = port.host_ip.as_deref().unwrap_or("");
            let host_port = port.host_port.unwrap_or(0);
            if !host_ip.is_empty() && host_port == 0 {
                warnings.push(format!(
                    "{here}: hostIP set without hostPort: {}",
                    port_plus_v(port)
                ));
            }
            let key = format!("{}/{}", port.container_port, effective_protocol(port));
            let others = all_ports.entry(key).or_default();
            for (other_path, other) in others.iter() {
                let other_ip = other.host_ip.as_deref().unwrap_or("");
                let other_hp = other.host_port.unwrap_or(0);
                if host_ip == other_ip && host_port == other_hp {
                    warnings.push(format!(
                        "{here}: duplicate port definition with {other_path}"
                    ));
                } else if host_port == 0 || other_hp == 0 {
                    warnings.push(format!(
                        "{here}: overlapping port definition with {other_path}"
                    ));
                } else if host_port == other_hp && (host_ip.is_empty() != other_ip.is_empty()) {
                    warnings.push(format!(
                        "{here}: dangerously ambiguous port definition with {other_path}"
                    ));
                }
            }
            others.push((here, port));
        }
    }

    if spec.termination_grace_period_seconds.is_some_and(|g| g < 0) {
        warnings.push(format!(
            "{}: must be >= 0; negative values are invalid and will be treated as 1",
            spec_path.child("terminationGracePeriodSeconds")
        ));
    }

    if let Some(affinity) = &spec.affinity {
        let groups = [
            (
                affinity.pod_affinity.as_ref().map(|a| {
                    (
                        &a.required_during_scheduling_ignored_during_execution,
                        &a.preferred_during_scheduling_ignored_during_execution,
                    )
                }),
                "podAffinity",
            ),
            (
                affinity.pod_anti_affinity.as_ref().map(|a| {
                    (
                        &a.required_during_scheduling_ignored_during_execution,
                        &a.preferred_during_scheduling_ignored_during_execution,
                    )
                }),
                "podAntiAffinity",
            ),
        ];
        for (group, child) in groups {
            let Some((required, preferred)) = group else {
                continue;
            };
            let base = spec_path.child("affinity").child(child);
            for (i, t) in required.iter().flatten().enumerate() {
                if t.label_selector.is_none() {
                    warnings.push(format!(
                        "{}: a null labelSelector results in matching no pod",
                        base.child("requiredDuringSchedulingIgnoredDuringExecution")
                            .index(i)
                            .child("labelSelector")
                    ));
                }
            }
            for (i, t) in preferred.iter().flatten().enumerate() {
                if t.pod_affinity_term.label_selector.is_none() {
                    warnings.push(format!(
                        "{}: a null labelSelector results in matching no pod",
                        base.child("preferredDuringSchedulingIgnoredDuringExecution")
                            .index(i)
                            .child("podAffinityTerm")
                            .child("labelSelector")
                    ));
                }
            }
        }
    }
    warnings
}
