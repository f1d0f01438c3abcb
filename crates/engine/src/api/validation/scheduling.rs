//! Scheduling fields of a pod spec, mirroring pkg/apis/core/validation/validation.go:
//! `ValidateTolerations` (with `validateTaintEffect`), `validateAffinity` (node affinity through
//! `ValidateNodeSelector`, pod (anti-)affinity through `validatePodAffinityTerm`) and
//! `ValidateHostAliases` and `validateTopologySpreadConstraints`.
//!
//! Feature gates assumed at their v1.36 defaults: TaintTolerationComparisonOperators is alpha
//! (off), so `Lt`/`Gt` tolerations are rejected with Go's four-value list;
//! MatchLabelKeysInPodTopologySpread and its SelectorMerge are on. Not mirrored:
//! `matchLabelKeys`/`mismatchLabelKeys` of pod affinity terms, and the "exists in both
//! matchLabelKeys and labelSelector" check of spread constraints (it depends on the selector
//! the registry merges in before validating).

use k8s_openapi::api::core::v1::{
    Affinity, HostAlias, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodAffinityTerm,
    Toleration, TopologySpreadConstraint, WeightedPodAffinityTerm,
};

use super::field::{BadValue, FieldError, Path};
use super::names::{
    is_dns1123_subdomain, is_valid_label_value, name_is_dns_label, name_is_dns_subdomain,
    validate_qualified_name,
};
use super::selector::validate_label_selector;

/// Mirrors `ValidateTolerations`.
pub(crate) fn validate_tolerations(tolerations: &[Toleration], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, t) in tolerations.iter().enumerate() {
        let p = path.index(i);
        let key = t.key.as_deref().unwrap_or("");
        let operator = t.operator.as_deref().unwrap_or("");
        let value = t.value.as_deref().unwrap_or("");
        let effect = t.effect.as_deref().unwrap_or("");
        if !key.is_empty() {
            errs.extend(validate_qualified_name(key, &p.child("key")));
        }
        if key.is_empty() && operator != "Exists" {
            errs.push(FieldError::invalid(
                &p.child("operator"),
                BadValue::Str(operator.to_string()),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if t.toleration_seconds.is_some() && effect != "NoExecute" {
            errs.push(FieldError::invalid(
                &p.child("effect"),
                BadValue::Str(effect.to_string()),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match operator {
            "Equal" | "" => {
                let msgs = is_valid_label_value(value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid(
                        &p.child("operator"),
                        BadValue::Str(value.to_string()),
                        &msgs.join(";"),
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(FieldError::invalid(
                        &p.child("operator"),
                        BadValue::Str(value.to_string()),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            // AllowTaintTolerationComparisonOperators is off: Go lists all four operators.
            "Lt" | "Gt" => errs.push(FieldError::not_supported(
                &p.child("operator"),
                BadValue::Str(operator.to_string()),
                &["Equal", "Exists", "Lt", "Gt"],
            )),
            other => errs.push(FieldError::not_supported(
                &p.child("operator"),
                BadValue::Str(other.to_string()),
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() && !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute")
        {
            errs.push(FieldError::not_supported(
                &p.child("effect"),
                BadValue::Str(effect.to_string()),
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
    }
    errs
}

/// Mirrors `ValidateHostAliases`: `IsValidIPForLegacyField` (StrictIPCIDRValidation off, so
/// `netutils.ParseIPSloppy`, which accepts IPv4 octets with leading zeros) and DNS-1123
/// subdomain hostnames.
pub(crate) fn validate_host_aliases(aliases: &[HostAlias], path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, alias) in aliases.iter().enumerate() {
        let p = path.index(i);
        if !is_sloppy_ip(&alias.ip) {
            errs.push(FieldError::invalid(
                &p.child("ip"),
                BadValue::Str(alias.ip.clone()),
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ));
        }
        for (j, h) in alias.hostnames.iter().flatten().enumerate() {
            for msg in is_dns1123_subdomain(h) {
                errs.push(FieldError::invalid(
                    &p.child("hostnames").index(j),
                    BadValue::Str(h.clone()),
                    &msg,
                ));
            }
        }
    }
    errs
}

/// `netutils.ParseIPSloppy(s) != nil`: Go's `net.ParseIP` before Go 1.17, which also takes
/// decimal IPv4 octets with leading zeros.
fn is_sloppy_ip(s: &str) -> bool {
    if s.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// Mirrors `validateAffinity`.
pub(crate) fn validate_affinity(affinity: Option<&Affinity>, path: &Path) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(a) = affinity else {
        return errs;
    };
    if let Some(na) = &a.node_affinity {
        let p = path.child("nodeAffinity");
        if let Some(req) = &na.required_during_scheduling_ignored_during_execution {
            // AllowInvalidLabelValueInRequiredNodeAffinity is false on create.
            errs.extend(validate_node_selector(
                req,
                false,
                &p.child("requiredDuringSchedulingIgnoredDuringExecution"),
            ));
        }
        let preferred = na
            .preferred_during_scheduling_ignored_during_execution
            .as_deref()
            .unwrap_or_default();
        let pp = p.child("preferredDuringSchedulingIgnoredDuringExecution");
        for (i, term) in preferred.iter().enumerate() {
            if term.weight <= 0 || term.weight > 100 {
                errs.push(FieldError::invalid(
                    &pp.index(i).child("weight"),
                    BadValue::Int(i64::from(term.weight)),
                    "must be in the range 1-100",
                ));
            }
            // Preferred terms always allow invalid label values.
            errs.extend(validate_node_selector_term(
                &term.preference,
                true,
                &pp.index(i).child("preference"),
            ));
        }
    }
    for (pod_affinity, child) in [
        (
            a.pod_affinity.as_ref().map(|p| {
                (
                    &p.required_during_scheduling_ignored_during_execution,
                    &p.preferred_during_scheduling_ignored_during_execution,
                )
            }),
            "podAffinity",
        ),
        (
            a.pod_anti_affinity.as_ref().map(|p| {
                (
                    &p.required_during_scheduling_ignored_during_execution,
                    &p.preferred_during_scheduling_ignored_during_execution,
                )
            }),
            "podAntiAffinity",
        ),
    ] {
        let Some((required, preferred)) = pod_affinity else {
            continue;
        };
        let p = path.child(child);
        let rp = p.child("requiredDuringSchedulingIgnoredDuringExecution");
        for (i, term) in required.iter().flatten().enumerate() {
            errs.extend(validate_pod_affinity_term(term, &rp.index(i)));
        }
        errs.extend(validate_weighted_pod_affinity_terms(
            preferred.as_deref().unwrap_or_default(),
            &p.child("preferredDuringSchedulingIgnoredDuringExecution"),
        ));
    }
    errs
}

/// Mirrors `validateWeightedPodAffinityTerms`.
fn validate_weighted_pod_affinity_terms(
    terms: &[WeightedPodAffinityTerm],
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (j, t) in terms.iter().enumerate() {
        if t.weight <= 0 || t.weight > 100 {
            errs.push(FieldError::invalid(
                &path.index(j).child("weight"),
                BadValue::Int(i64::from(t.weight)),
                "must be in the range 1-100",
            ));
        }
        errs.extend(validate_pod_affinity_term(
            &t.pod_affinity_term,
            &path.index(j).child("podAffinityTerm"),
        ));
    }
    errs
}

/// Mirrors `validatePodAffinityTerm` (`ValidatePodAffinityTermSelector` with
/// `AllowInvalidLabelValueInSelector` off). Go reports bad namespaces at `namespace`, not
/// `namespaces`.
fn validate_pod_affinity_term(term: &PodAffinityTerm, path: &Path) -> Vec<FieldError> {
    let mut errs = validate_label_selector(
        term.label_selector.as_ref(),
        false,
        &path.child("labelSelector"),
    );
    errs.extend(validate_label_selector(
        term.namespace_selector.as_ref(),
        false,
        &path.child("namespaceSelector"),
    ));
    for name in term.namespaces.iter().flatten() {
        for msg in name_is_dns_label(name, false) {
            errs.push(FieldError::invalid(
                &path.child("namespace"),
                BadValue::Str(name.clone()),
                &msg,
            ));
        }
    }
    if term.topology_key.is_empty() {
        errs.push(FieldError::required(
            &path.child("topologyKey"),
            "can not be empty",
        ));
    }
    errs.extend(validate_qualified_name(
        &term.topology_key,
        &path.child("topologyKey"),
    ));
    errs
}

/// Mirrors `ValidateNodeSelector`.
fn validate_node_selector(sel: &NodeSelector, allow_invalid: bool, path: &Path) -> Vec<FieldError> {
    let terms_path = path.child("nodeSelectorTerms");
    if sel.node_selector_terms.is_empty() {
        return vec![FieldError::required(
            &terms_path,
            "must have at least one node selector term",
        )];
    }
    let mut errs = Vec::new();
    for (i, term) in sel.node_selector_terms.iter().enumerate() {
        errs.extend(validate_node_selector_term(
            term,
            allow_invalid,
            &terms_path.index(i),
        ));
    }
    errs
}

/// Mirrors `ValidateNodeSelectorTerm`.
fn validate_node_selector_term(
    term: &NodeSelectorTerm,
    allow_invalid: bool,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (j, req) in term.match_expressions.iter().flatten().enumerate() {
        errs.extend(validate_node_selector_requirement(
            req,
            allow_invalid,
            &path.child("matchExpressions").index(j),
        ));
    }
    for (j, req) in term.match_fields.iter().flatten().enumerate() {
        errs.extend(validate_node_field_selector_requirement(
            req,
            &path.child("matchFields").index(j),
        ));
    }
    errs
}

/// Mirrors `ValidateNodeSelectorRequirement`.
fn validate_node_selector_requirement(
    req: &NodeSelectorRequirement,
    allow_invalid: bool,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let values = req.values.as_deref().unwrap_or_default();
    match req.operator.as_str() {
        "In" | "NotIn" => {
            if values.is_empty() {
                errs.push(FieldError::required(
                    &path.child("values"),
                    "must be specified when `operator` is 'In' or 'NotIn'",
                ));
            }
        }
        "Exists" | "DoesNotExist" => {
            if !values.is_empty() {
                errs.push(FieldError::forbidden(
                    &path.child("values"),
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ));
            }
        }
        "Gt" | "Lt" => {
            if values.len() != 1 {
                errs.push(FieldError::required(
                    &path.child("values"),
                    "must be specified single value when `operator` is 'Lt' or 'Gt'",
                ));
            }
        }
        other => errs.push(FieldError::invalid(
            &path.child("operator"),
            BadValue::Str(other.to_string()),
            "not a valid selector operator",
        )),
    }
    errs.extend(validate_qualified_name(&req.key, &path.child("key")));
    if !allow_invalid {
        for (i, v) in values.iter().enumerate() {
            for msg in is_valid_label_value(v) {
                errs.push(FieldError::invalid(
                    &path.child("values").index(i),
                    BadValue::Str(v.clone()),
                    &msg,
                ));
            }
        }
    }
    errs
}

/// Mirrors `ValidateNodeFieldSelectorRequirement`: only `metadata.name`, with one value.
fn validate_node_field_selector_requirement(
    req: &NodeSelectorRequirement,
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let values = req.values.as_deref().unwrap_or_default();
    match req.operator.as_str() {
        "In" | "NotIn" => {
            if values.len() != 1 {
                errs.push(FieldError::required(
                    &path.child("values"),
                    "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                ));
            }
        }
        other => errs.push(FieldError::invalid(
            &path.child("operator"),
            BadValue::Str(other.to_string()),
            "not a valid selector operator",
        )),
    }
    if req.key != "metadata.name" {
        errs.push(FieldError::invalid(
            &path.child("key"),
            BadValue::Str(req.key.clone()),
            "not a valid field selector key",
        ));
    } else {
        for (i, v) in values.iter().enumerate() {
            for msg in name_is_dns_subdomain(v, false) {
                errs.push(FieldError::invalid(
                    &path.child("values").index(i),
                    BadValue::Str(v.clone()),
                    &msg,
                ));
            }
        }
    }
    errs
}

/// `isNotPositiveErrorMsg`.
const IS_NOT_POSITIVE_ERROR_MSG: &str = "must be greater than zero";

/// Mirrors `validateTopologySpreadConstraints` on create.
pub(crate) fn validate_topology_spread_constraints(
    constraints: &[TopologySpreadConstraint],
    path: &Path,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, c) in constraints.iter().enumerate() {
        let p = path.index(i);
        if c.max_skew <= 0 {
            errs.push(FieldError::invalid(
                &p.child("maxSkew"),
                BadValue::Int(i64::from(c.max_skew)),
                IS_NOT_POSITIVE_ERROR_MSG,
            ));
        }
        if c.topology_key.is_empty() {
            errs.push(FieldError::required(
                &p.child("topologyKey"),
                "can not be empty",
            ));
        }
        if !matches!(
            c.when_unsatisfiable.as_str(),
            "DoNotSchedule" | "ScheduleAnyway"
        ) {
            errs.push(FieldError::not_supported(
                &p.child("whenUnsatisfiable"),
                BadValue::Str(c.when_unsatisfiable.clone()),
                &["DoNotSchedule", "ScheduleAnyway"],
            ));
        }
        // ValidateSpreadConstraintNotRepeat: against the constraints after this one.
        if constraints[i + 1..].iter().any(|r| {
            r.topology_key == c.topology_key && r.when_unsatisfiable == c.when_unsatisfiable
        }) {
            errs.push(FieldError::duplicate(
                &p.child("{topologyKey, whenUnsatisfiable}"),
                BadValue::Str(format!("{{{}, {}}}", c.topology_key, c.when_unsatisfiable)),
            ));
        }
        // validateMinDomains
        if let Some(m) = c.min_domains {
            let mp = p.child("minDomains");
            if m <= 0 {
                errs.push(FieldError::invalid(
                    &mp,
                    BadValue::Int(i64::from(m)),
                    IS_NOT_POSITIVE_ERROR_MSG,
                ));
            }
            if c.when_unsatisfiable != "DoNotSchedule" {
                errs.push(FieldError::invalid(
                    &mp,
                    BadValue::Int(i64::from(m)),
                    &format!(
                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {}",
                        c.when_unsatisfiable
                    ),
                ));
            }
        }
        for (policy, child) in [
            (&c.node_affinity_policy, "nodeAffinityPolicy"),
            (&c.node_taints_policy, "nodeTaintsPolicy"),
        ] {
            if let Some(v) = policy
                .as_deref()
                .filter(|v| !matches!(*v, "Honor" | "Ignore"))
            {
                errs.push(FieldError::not_supported(
                    &p.child(child),
                    BadValue::Str(v.to_string()),
                    &["Honor", "Ignore"],
                ));
            }
        }
        // ValidateMatchLabelKeysAndMismatchLabelKeys -> validateLabelKeys.
        let keys = c.match_label_keys.as_deref().unwrap_or_default();
        if !keys.is_empty() {
            let kp = p.child("matchLabelKeys");
            if c.label_selector.is_none() {
                errs.push(FieldError::forbidden(
                    &kp,
                    "must not be specified when labelSelector is not set",
                ));
            } else {
                for (j, k) in keys.iter().enumerate() {
                    errs.extend(validate_qualified_name(k, &kp.index(j)));
                }
            }
        }
        errs.extend(validate_label_selector(
            c.label_selector.as_ref(),
            false,
            &p.child("labelSelector"),
        ));
    }
    errs
}
