//! Pod volumes, mirroring `ValidateVolumes` and `validateVolumeSource` in
//! pkg/apis/core/validation/validation.go: DNS-label names, no duplicates, exactly one volume
//! source, and the per-source checks for the sources a playground pod uses (emptyDir, hostPath,
//! secret, configMap, persistentVolumeClaim, nfs, downwardAPI, projected). Other sources are
//! counted but not inspected; in projected volumes, clusterTrustBundle and podCertificate
//! sources are counted but not inspected either.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{DownwardAPIVolumeFile, KeyToPath, ProjectedVolumeSource, Volume};

use super::container::{
    validate_container_resource_divisor, validate_object_field_selector, RESOURCE_FIELD_PATHS,
};
use super::field::{BadValue, FieldError, Path};
use super::names::validate_dns1123_label;
use crate::quantity::Quantity;

/// `fileModeErrorMsg`.
const FILE_MODE_ERROR_MSG: &str = "must be a number between 0 and 0777 (octal), both inclusive";

/// Mirrors `ValidateVolumes`: returns the volumes that validated cleanly (the only ones volume
/// mounts may name) and the errors. `pod_name` is set for pods, `None` for templates.
pub(crate) fn validate_volumes<'a>(
    volumes: &'a [Volume],
    pod_name: Option<&str>,
    path: &Path,
) -> (BTreeMap<String, &'a Volume>, Vec<FieldError>) {
    let mut errs = Vec::new();
    let mut valid: BTreeMap<String, &Volume> = BTreeMap::new();
    let mut all_names: Vec<&str> = Vec::new();
    let created_pvcs: Vec<String> = match pod_name {
        Some(pod) if !pod.is_empty() => volumes
            .iter()
            .filter(|v| v.ephemeral.is_some())
            .map(|v| format!("{pod}-{}", v.name))
            .collect(),
        _ => Vec::new(),
    };
    for (i, vol) in volumes.iter().enumerate() {
        let idx_path = path.index(i);
        let name_path = idx_path.child("name");
        let mut el = validate_volume_source(vol, &idx_path);
        if vol.name.is_empty() {
            el.push(FieldError::required(&name_path, ""));
        } else {
            el.extend(validate_dns1123_label(&vol.name, &name_path));
        }
        if all_names.contains(&vol.name.as_str()) {
            el.push(FieldError::duplicate(
                &name_path,
                BadValue::Str(vol.name.clone()),
            ));
        }
        if el.is_empty() {
            all_names.push(&vol.name);
            valid.insert(vol.name.clone(), vol);
        } else {
            errs.extend(el);
        }
        if let Some(pvc) = &vol.persistent_volume_claim {
            if created_pvcs.contains(&pvc.claim_name) {
                errs.push(FieldError::invalid(
                    &idx_path.child("persistentVolumeClaim").child("claimName"),
                    BadValue::Str(pvc.claim_name.clone()),
                    "must not reference a PVC that gets created for an ephemeral volume",
                ));
            }
        }
    }
    (valid, errs)
}

/// Mirrors `validateVolumeSource`: counts the sources in Go's order; the second and later
/// each get "may not specify more than 1 volume type", none gets "must specify a volume type".
fn validate_volume_source(vol: &Volume, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut num = 0;
    // (is set, path child Go uses for the "more than 1" error)
    let present: [(bool, &str); 30] = [
        (vol.empty_dir.is_some(), "emptyDir"),
        (vol.host_path.is_some(), "hostPath"),
        (vol.git_repo.is_some(), "gitRepo"),
        (vol.gce_persistent_disk.is_some(), "gcePersistentDisk"),
        (
            vol.aws_elastic_block_store.is_some(),
            "awsElasticBlockStore",
        ),
        (vol.secret.is_some(), "secret"),
        (vol.nfs.is_some(), "nfs"),
        (vol.iscsi.is_some(), "iscsi"),
        (vol.glusterfs.is_some(), "glusterfs"),
        (vol.flocker.is_some(), "flocker"),
        (
            vol.persistent_volume_claim.is_some(),
            "persistentVolumeClaim",
        ),
        (vol.rbd.is_some(), "rbd"),
        (vol.cinder.is_some(), "cinder"),
        (vol.cephfs.is_some(), "cephFS"),
        (vol.quobyte.is_some(), "quobyte"),
        // Go's path really says "downwarAPI" here.
        (vol.downward_api.is_some(), "downwarAPI"),
        (vol.fc.is_some(), "fc"),
        (vol.flex_volume.is_some(), "flexVolume"),
        (vol.config_map.is_some(), "configMap"),
        (vol.azure_file.is_some(), "azureFile"),
        (vol.vsphere_volume.is_some(), "vsphereVolume"),
        (vol.photon_persistent_disk.is_some(), "photonPersistentDisk"),
        (vol.portworx_volume.is_some(), "portworxVolume"),
        (vol.azure_disk.is_some(), "azureDisk"),
        (vol.storageos.is_some(), "storageos"),
        (vol.projected.is_some(), "projected"),
        (vol.scale_io.is_some(), "scaleIO"),
        (vol.csi.is_some(), "csi"),
        (vol.ephemeral.is_some(), "ephemeral"),
        (vol.image.is_some(), "image"),
    ];
    for (set, child) in present {
        if !set {
            continue;
        }
        if num > 0 {
            errs.push(FieldError::forbidden(
                &path.child(child),
                "may not specify more than 1 volume type",
            ));
            continue;
        }
        num += 1;
        errs.extend(validate_one_source(vol, child, path));
    }
    if num == 0 {
        errs.push(FieldError::required(path, "must specify a volume type"));
    }
    errs
}

/// The per-source checks podplay mirrors (`validateHostPathVolumeSource`,
/// `validateSecretVolumeSource`, `validateConfigMapVolumeSource`,
/// `validatePersistentClaimVolumeSource`, `validateNFSVolumeSource`, the emptyDir size limit).
fn validate_one_source(vol: &Volume, which: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match which {
        "emptyDir" => {
            let limit = vol.empty_dir.as_ref().and_then(|e| e.size_limit.as_ref());
            if let Some(q) = limit.and_then(|q| Quantity::parse(&q.0)) {
                if q.is_negative() {
                    errs.push(FieldError::forbidden(
                        &path.child("emptyDir").child("sizeLimit"),
                        "SizeLimit field must be a valid resource quantity",
                    ));
                }
            }
        }
        "hostPath" => {
            if let Some(hp) = &vol.host_path {
                let p = path.child("hostPath");
                if hp.path.is_empty() {
                    errs.push(FieldError::required(&p.child("path"), ""));
                    return errs;
                }
                errs.extend(validate_path_no_backsteps(&hp.path, &p.child("path")));
                const TYPES: [&str; 8] = [
                    "",
                    "BlockDevice",
                    "CharDevice",
                    "Directory",
                    "DirectoryOrCreate",
                    "File",
                    "FileOrCreate",
                    "Socket",
                ];
                if let Some(t) = &hp.type_ {
                    if !TYPES.contains(&t.as_str()) {
                        errs.push(FieldError::not_supported(
                            &p.child("type"),
                            BadValue::Str(t.clone()),
                            &TYPES,
                        ));
                    }
                }
            }
        }
        "secret" => {
            if let Some(s) = &vol.secret {
                let p = path.child("secret");
                if s.secret_name.as_deref().unwrap_or("").is_empty() {
                    errs.push(FieldError::required(&p.child("secretName"), ""));
                }
                errs.extend(validate_mode(s.default_mode, &p.child("defaultMode")));
                for (i, kp) in s.items.iter().flatten().enumerate() {
                    errs.extend(validate_key_to_path(kp, &p.child("items").index(i)));
                }
            }
        }
        "configMap" => {
            if let Some(c) = &vol.config_map {
                let p = path.child("configMap");
                if c.name.is_empty() {
                    errs.push(FieldError::required(&p.child("name"), ""));
                }
                errs.extend(validate_mode(c.default_mode, &p.child("defaultMode")));
                for (i, kp) in c.items.iter().flatten().enumerate() {
                    errs.extend(validate_key_to_path(kp, &p.child("items").index(i)));
                }
            }
        }
        "downwarAPI" => {
            if let Some(d) = &vol.downward_api {
                // Go validates the items at the downwardAPI path itself, without an index.
                let p = path.child("downwardAPI");
                errs.extend(validate_mode(d.default_mode, &p.child("defaultMode")));
                for file in d.items.iter().flatten() {
                    errs.extend(validate_downward_api_volume_file(file, &p));
                }
            }
        }
        "projected" => {
            if let Some(pr) = &vol.projected {
                errs.extend(validate_projected_volume_source(
                    pr,
                    &path.child("projected"),
                ));
            }
        }
        "persistentVolumeClaim" => {
            if let Some(c) = &vol.persistent_volume_claim {
                if c.claim_name.is_empty() {
                    errs.push(FieldError::required(
                        &path.child("persistentVolumeClaim").child("claimName"),
                        "",
                    ));
                }
            }
        }
        "nfs" => {
            if let Some(n) = &vol.nfs {
                let p = path.child("nfs");
                if n.server.is_empty() {
                    errs.push(FieldError::required(&p.child("server"), ""));
                }
                if n.path.is_empty() {
                    errs.push(FieldError::required(&p.child("path"), ""));
                }
                if !n.path.starts_with('/') {
                    errs.push(FieldError::invalid(
                        &p.child("path"),
                        BadValue::Str(n.path.clone()),
                        "must be an absolute path",
                    ));
                }
            }
        }
        _ => {}
    }
    errs
}

fn validate_mode(mode: Option<i32>, path: &Path) -> Vec<FieldError> {
    match mode {
        Some(m) if !(0..=0o777).contains(&m) => {
            vec![FieldError::invalid(
                path,
                BadValue::Int(i64::from(m)),
                FILE_MODE_ERROR_MSG,
            )]
        }
        _ => Vec::new(),
    }
}

/// Mirrors `validateKeyToPath`.
fn validate_key_to_path(kp: &KeyToPath, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if kp.key.is_empty() {
        errs.push(FieldError::required(&path.child("key"), ""));
    }
    if kp.path.is_empty() {
        errs.push(FieldError::required(&path.child("path"), ""));
    }
    errs.extend(validate_local_non_reserved_path(
        &kp.path,
        &path.child("path"),
    ));
    errs.extend(validate_mode(kp.mode, &path.child("mode")));
    errs
}

/// Mirrors `validatePathNoBacksteps`: one error however many `..` elements there are.
pub(crate) fn validate_path_no_backsteps(target: &str, path: &Path) -> Vec<FieldError> {
    if target.split('/').any(|item| item == "..") {
        vec![FieldError::invalid(
            path,
            BadValue::Str(target.to_string()),
            "must not contain '..'",
        )]
    } else {
        Vec::new()
    }
}

/// Mirrors `validateLocalDescendingPath`.
pub(crate) fn validate_local_descending_path(target: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if target.starts_with('/') {
        errs.push(FieldError::invalid(
            path,
            BadValue::Str(target.to_string()),
            "must be a relative path",
        ));
    }
    errs.extend(validate_path_no_backsteps(target, path));
    errs
}

/// Mirrors `ValidateLocalNonReservedPath`.
fn validate_local_non_reserved_path(target: &str, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_local_descending_path(target, path);
    if target.starts_with("..") && !target.starts_with("../") {
        errs.push(FieldError::invalid(
            path,
            BadValue::Str(target.to_string()),
            "must not start with '..'",
        ));
    }
    errs
}

/// `validVolumeDownwardAPIFieldPathExpressions`, sorted.
const VOLUME_FIELD_PATHS: [&str; 5] = [
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
];

/// Mirrors `validateDownwardAPIVolumeFile`. `path` is where Go reports it: the `downwardAPI`
/// source itself, with no item index.
fn validate_downward_api_volume_file(file: &DownwardAPIVolumeFile, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if file.path.is_empty() {
        errs.push(FieldError::required(&path.child("path"), ""));
    }
    errs.extend(validate_local_non_reserved_path(
        &file.path,
        &path.child("path"),
    ));
    if let Some(fr) = &file.field_ref {
        errs.extend(validate_object_field_selector(
            fr.api_version.as_deref(),
            &fr.field_path,
            &VOLUME_FIELD_PATHS,
            &path.child("fieldRef"),
        ));
        if file.resource_field_ref.is_some() {
            errs.push(FieldError::invalid(
                path,
                BadValue::Str("resource".to_string()),
                "fieldRef and resourceFieldRef can not be specified simultaneously",
            ));
        }
    } else if let Some(rf) = &file.resource_field_ref {
        // validateContainerResourceFieldSelector with volume=true: containerName is required;
        // hugepages resources are allowed by prefix.
        let p = path.child("resourceFieldRef");
        if rf.container_name.as_deref().unwrap_or("").is_empty() {
            errs.push(FieldError::required(&p.child("containerName"), ""));
        } else if rf.resource.is_empty() {
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
    } else {
        errs.push(FieldError::required(
            path,
            "one of fieldRef and resourceFieldRef is required",
        ));
    }
    errs.extend(validate_mode(file.mode, &path.child("mode")));
    errs
}

/// Mirrors `validateProjectedVolumeSource` and `validateProjectionSources`. Duplicate paths
/// across sources are reported on the `projected` path itself, as Go does.
fn validate_projected_volume_source(pr: &ProjectedVolumeSource, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_mode(pr.default_mode, &path.child("defaultMode"));
    let mut all_paths: Vec<String> = Vec::new();
    let mut note_path = |p: &str, value: &str, errs: &mut Vec<FieldError>| {
        if p.is_empty() {
            return;
        }
        if all_paths.iter().any(|q| q == p) {
            errs.push(FieldError::invalid(
                path,
                BadValue::Str(value.to_string()),
                "conflicting duplicate paths",
            ));
        } else {
            all_paths.push(p.to_string());
        }
    };
    for (i, source) in pr.sources.iter().flatten().enumerate() {
        let src_path = path.child("sources").index(i);
        let mut num = 0;
        let key_sources = [
            (
                source.secret.as_ref().map(|s| (&s.name, &s.items)),
                "secret",
            ),
            (
                source.config_map.as_ref().map(|c| (&c.name, &c.items)),
                "configMap",
            ),
        ];
        for (src, child) in key_sources {
            let Some((name, items)) = src else { continue };
            num += 1;
            let p = src_path.child(child);
            if name.is_empty() {
                errs.push(FieldError::required(&p.child("name"), ""));
            }
            for (j, kp) in items.iter().flatten().enumerate() {
                errs.extend(validate_key_to_path(kp, &p.child("items").index(j)));
                // Go reports the source's name as the duplicate's value.
                note_path(&kp.path, name, &mut errs);
            }
        }
        if let Some(d) = &source.downward_api {
            num += 1;
            let p = src_path.child("downwardAPI");
            for file in d.items.iter().flatten() {
                errs.extend(validate_downward_api_volume_file(file, &p));
                note_path(&file.path, &file.path, &mut errs);
            }
        }
        if let Some(t) = &source.service_account_token {
            num += 1;
            let p = src_path.child("serviceAccountToken");
            // expirationSeconds defaults to 3600.
            let exp = t.expiration_seconds.unwrap_or(3600);
            if exp < 10 * 60 {
                errs.push(FieldError::invalid(
                    &p.child("expirationSeconds"),
                    BadValue::Int(exp),
                    "may not specify a duration less than 10 minutes",
                ));
            }
            if exp > 1 << 32 {
                errs.push(FieldError::invalid(
                    &p.child("expirationSeconds"),
                    BadValue::Int(exp),
                    "may not specify a duration larger than 2^32 seconds",
                ));
            }
            // Go reports the token path at the projected volume's path, not the source's.
            if t.path.is_empty() {
                errs.push(FieldError::required(&path.child("path"), ""));
            } else {
                errs.extend(validate_local_non_reserved_path(
                    &t.path,
                    &path.child("path"),
                ));
            }
        }
        if source.cluster_trust_bundle.is_some() {
            num += 1;
        }
        if source.pod_certificate.is_some() {
            num += 1;
        }
        if num > 1 {
            errs.push(FieldError::forbidden(
                &src_path,
                "may not specify more than 1 volume type per source",
            ));
        }
    }
    errs
}
