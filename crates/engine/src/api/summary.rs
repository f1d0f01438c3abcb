//! What the first page shows of a manifest: for each object with a pod spec (a Pod, or a
//! workload's pod template), its containers and volumes.

use k8s_openapi::api::core::v1::{PodSpec, Volume};

use super::manifest::{Manifest, Object};

/// The pod spec an object carries: a Pod's own, or a workload's `spec.template.spec`.
pub fn pod_spec(object: &Object) -> Option<&PodSpec> {
    match object {
        Object::Pod(p) => p.spec.as_ref(),
        Object::Deployment(d) => d.spec.as_ref()?.template.spec.as_ref(),
        Object::ReplicaSet(r) => r.spec.as_ref()?.template.as_ref()?.spec.as_ref(),
        Object::StatefulSet(s) => s.spec.as_ref()?.template.spec.as_ref(),
        Object::DaemonSet(d) => d.spec.as_ref()?.template.spec.as_ref(),
        Object::Job(j) => j.spec.as_ref()?.template.spec.as_ref(),
        Object::Service(_)
        | Object::ConfigMap(_)
        | Object::Secret(_)
        | Object::Namespace(_)
        | Object::Node(_) => None,
    }
}

/// One object, as the page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSummary {
    pub kind: &'static str,
    pub name: String,
    /// Present for objects that run pods.
    pub pod: Option<PodSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSummary {
    pub init_containers: Vec<ContainerSummary>,
    pub containers: Vec<ContainerSummary>,
    pub volumes: Vec<VolumeSummary>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerSummary {
    pub name: String,
    /// The image as written; `""` when the spec leaves it out (validation reports that).
    pub image: String,
    /// `(volume name, mount path)` pairs.
    pub mounts: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VolumeSummary {
    pub name: String,
    /// The volume source's field name as in the API (`emptyDir`, `configMap`, ...).
    pub source: &'static str,
}

pub fn summarize(manifests: &[Manifest]) -> Vec<ObjectSummary> {
    manifests
        .iter()
        .map(|m| ObjectSummary {
            kind: m.object.kind(),
            name: m.object.name().to_string(),
            pod: pod_spec(&m.object).map(summarize_pod),
        })
        .collect()
}

fn summarize_pod(spec: &PodSpec) -> PodSummary {
    let container = |c: &k8s_openapi::api::core::v1::Container| ContainerSummary {
        name: c.name.clone(),
        image: c.image.clone().unwrap_or_default(),
        mounts: c
            .volume_mounts
            .iter()
            .flatten()
            .map(|m| (m.name.clone(), m.mount_path.clone()))
            .collect(),
    };
    PodSummary {
        init_containers: spec
            .init_containers
            .iter()
            .flatten()
            .map(container)
            .collect(),
        containers: spec.containers.iter().map(container).collect(),
        volumes: spec
            .volumes
            .iter()
            .flatten()
            .map(|v| VolumeSummary {
                name: v.name.clone(),
                source: volume_source(v),
            })
            .collect(),
    }
}

/// The API field name of the volume's source; `"unknown"` when none is set (validation says
/// `must specify a volume type`).
pub fn volume_source(v: &Volume) -> &'static str {
    let sources: [(&'static str, bool); 15] = [
        ("emptyDir", v.empty_dir.is_some()),
        ("configMap", v.config_map.is_some()),
        ("secret", v.secret.is_some()),
        ("hostPath", v.host_path.is_some()),
        ("projected", v.projected.is_some()),
        ("downwardAPI", v.downward_api.is_some()),
        ("persistentVolumeClaim", v.persistent_volume_claim.is_some()),
        ("ephemeral", v.ephemeral.is_some()),
        ("image", v.image.is_some()),
        ("csi", v.csi.is_some()),
        ("nfs", v.nfs.is_some()),
        ("iscsi", v.iscsi.is_some()),
        ("fc", v.fc.is_some()),
        ("gitRepo", v.git_repo.is_some()),
        ("cephfs", v.cephfs.is_some()),
    ];
    sources
        .iter()
        .find(|(_, set)| *set)
        .map_or("unknown", |(name, _)| name)
}
