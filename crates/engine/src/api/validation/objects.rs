//! The non-workload kinds podplay accepts, validated on create as
//! pkg/apis/core/validation/validation.go does: `ValidateService` (metadata only),
//! `ValidateConfigMap`, `ValidateSecret`, `ValidateNamespace` and `ValidateNode` (metadata
//! only).
//!
//! Start at [`validate_config_map`]. Not mirrored: a Service's spec (ports, IPs, types), a
//! Node's spec (taints, pod CIDRs), a Namespace's `spec.finalizers`, and the JSON syntax check
//! of `kubernetes.io/dockercfg` and `kubernetes.io/dockerconfigjson` Secrets (Go's
//! `encoding/json` error texts cannot be reproduced).

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Node, Secret, Service};

use super::field::{BadValue, FieldError, Path};
use super::names::is_config_map_key;
use super::{validate_object_meta_with, NameRule, Validation};

/// `core.MaxSecretSize`: 1 MiB, for Secrets and ConfigMaps alike.
const MAX_SECRET_SIZE: usize = 1024 * 1024;

fn meta_only(errors: Vec<FieldError>) -> Validation {
    Validation {
        errors,
        warnings: Vec::new(),
    }
}

/// Mirrors the metadata part of `ValidateService`: names are DNS-1035 labels.
pub fn validate_service(s: &Service) -> Validation {
    meta_only(validate_object_meta_with(
        &s.metadata,
        &Path::new("metadata"),
        NameRule::Dns1035Label,
        true,
    ))
}

/// Mirrors `ValidateNamespace`: a cluster-scoped object named as a DNS label.
pub fn validate_namespace(ns: &Namespace) -> Validation {
    meta_only(validate_object_meta_with(
        &ns.metadata,
        &Path::new("metadata"),
        NameRule::DnsLabel,
        false,
    ))
}

/// Mirrors the metadata part of `ValidateNode`: a cluster-scoped object named as a DNS
/// subdomain.
pub fn validate_node(n: &Node) -> Validation {
    meta_only(validate_object_meta_with(
        &n.metadata,
        &Path::new("metadata"),
        NameRule::DnsSubdomain,
        false,
    ))
}

/// Mirrors `ValidateConfigMap`: `data` keys, keys present in both `data` and `binaryData`,
/// `binaryData` keys, then the 1 MiB total (reported on the empty path, as Go does). Go ranges
/// over the maps in random order; here keys go in sorted order.
pub fn validate_config_map(cm: &ConfigMap) -> Validation {
    let mut errs = validate_object_meta_with(
        &cm.metadata,
        &Path::new("metadata"),
        NameRule::DnsSubdomain,
        true,
    );
    let mut total = 0usize;
    let data_path = Path::new("data");
    for (key, value) in cm.data.iter().flatten() {
        for msg in is_config_map_key(key) {
            errs.push(FieldError::invalid(
                &data_path.key(key),
                BadValue::Str(key.clone()),
                &msg,
            ));
        }
        if cm.binary_data.as_ref().is_some_and(|b| b.contains_key(key)) {
            errs.push(FieldError::invalid(
                &data_path.key(key),
                BadValue::Str(key.clone()),
                "duplicate of key present in binaryData",
            ));
        }
        total += value.len();
    }
    let binary_path = Path::new("binaryData");
    for (key, value) in cm.binary_data.iter().flatten() {
        for msg in is_config_map_key(key) {
            errs.push(FieldError::invalid(
                &binary_path.key(key),
                BadValue::Str(key.clone()),
                &msg,
            ));
        }
        total += value.0.len();
    }
    if total > MAX_SECRET_SIZE {
        errs.push(FieldError::too_long(&Path::new(""), MAX_SECRET_SIZE));
    }
    meta_only(errs)
}

/// Mirrors `ValidateSecret`. `stringData` is merged into `data` first (the v1 conversion does
/// that before validation, `stringData` winning); `type` defaults to `Opaque`.
pub fn validate_secret(s: &Secret) -> Validation {
    let mut errs = validate_object_meta_with(
        &s.metadata,
        &Path::new("metadata"),
        NameRule::DnsSubdomain,
        true,
    );
    let mut data: std::collections::BTreeMap<&str, usize> = s
        .data
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.0.len()))
        .collect();
    for (k, v) in s.string_data.iter().flatten() {
        data.insert(k.as_str(), v.len());
    }
    let data_path = Path::new("data");
    let mut total = 0usize;
    for (&key, &len) in &data {
        for msg in is_config_map_key(key) {
            errs.push(FieldError::invalid(
                &data_path.key(key),
                BadValue::Str(key.to_string()),
                &msg,
            ));
        }
        total += len;
    }
    if total > MAX_SECRET_SIZE {
        errs.push(FieldError::too_long(&data_path, MAX_SECRET_SIZE));
    }
    let required = |key: &str| FieldError::required(&data_path.key(key), "");
    let has = |key: &str| data.contains_key(key);
    match s.type_.as_deref().unwrap_or("") {
        "kubernetes.io/service-account-token" => {
            const KEY: &str = "kubernetes.io/service-account.name";
            let set = s
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(KEY))
                .is_some_and(|v| !v.is_empty());
            if !set {
                errs.push(FieldError::required(
                    &Path::new("metadata").child("annotations").key(KEY),
                    "",
                ));
            }
        }
        "kubernetes.io/dockercfg" if !has(".dockercfg") => errs.push(required(".dockercfg")),
        "kubernetes.io/dockerconfigjson" if !has(".dockerconfigjson") => {
            errs.push(required(".dockerconfigjson"))
        }
        "kubernetes.io/basic-auth" if !has("username") && !has("password") => {
            errs.push(required("username"));
            errs.push(required("password"));
        }
        "kubernetes.io/ssh-auth" if data.get("ssh-privatekey").copied().unwrap_or(0) == 0 => {
            errs.push(required("ssh-privatekey"))
        }
        "kubernetes.io/tls" => {
            for key in ["tls.crt", "tls.key"] {
                if !has(key) {
                    errs.push(required(key));
                }
            }
        }
        _ => {}
    }
    meta_only(errs)
}
