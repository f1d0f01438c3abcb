//! Label selectors as apimachinery validates, converts and matches them:
//! `ValidateLabelSelector` and `ValidateLabelSelectorRequirement`
//! (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go),
//! `LabelSelectorAsSelector` (pkg/apis/meta/v1/helpers.go) with `labels.NewRequirement` and
//! `Requirement.Matches` (pkg/labels/selector.go), plus the Go `%#v` rendering of a
//! `metav1.LabelSelector` and of a label map, which is how workload errors print them.
//!
//! Start at [`validate_label_selector`]; [`as_selector`] gives the [`Selector`] a workload's
//! template labels are matched against.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use super::field::{BadValue, FieldError, Path};
use super::names::{
    is_qualified_name, is_valid_label_value, validate_labels, validate_qualified_name,
};
use crate::go::quote;

/// Mirrors `ValidateLabelSelector`: `matchLabels` as labels, then each expression.
/// `allow_invalid_values` is `LabelSelectorValidationOptions.AllowInvalidLabelValueInSelector`.
pub(crate) fn validate_label_selector(
    selector: Option<&LabelSelector>,
    allow_invalid_values: bool,
    path: &Path,
) -> Vec<FieldError> {
    let Some(sel) = selector else {
        return Vec::new();
    };
    let mut errs = validate_labels(sel.match_labels.as_ref(), &path.child("matchLabels"));
    for (i, expr) in sel.match_expressions.iter().flatten().enumerate() {
        errs.extend(validate_label_selector_requirement(
            expr,
            allow_invalid_values,
            &path.child("matchExpressions").index(i),
        ));
    }
    errs
}

/// Mirrors `ValidateLabelSelectorRequirement`.
fn validate_label_selector_requirement(
    req: &LabelSelectorRequirement,
    allow_invalid_values: bool,
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
        other => errs.push(FieldError::invalid(
            &path.child("operator"),
            BadValue::Str(other.to_string()),
            "not a valid selector operator",
        )),
    }
    errs.extend(validate_qualified_name(&req.key, &path.child("key")));
    if !allow_invalid_values {
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

/// One requirement of a converted selector (`labels.Requirement`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Requirement {
    Equals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A converted selector (`labels.Selector`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Selector {
    /// `labels.Nothing()`, from a nil selector: matches nothing, and is not "empty".
    Nothing,
    /// `labels.Everything()`, from a selector without requirements: matches everything.
    Everything,
    /// All of these requirements.
    All(Vec<Requirement>),
}

impl Selector {
    /// `Selector.Empty()`: true only for a selector without requirements.
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Selector::Everything)
    }

    /// `Selector.Matches(labels.Set(...))`; a nil map has no labels.
    pub(crate) fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k));
        match self {
            Selector::Nothing => false,
            Selector::Everything => true,
            Selector::All(reqs) => reqs.iter().all(|r| match r {
                Requirement::Equals(k, v) => get(k) == Some(v),
                Requirement::In(k, vs) => get(k).is_some_and(|v| vs.contains(v)),
                Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.contains(v)),
                Requirement::Exists(k) => get(k).is_some(),
                Requirement::DoesNotExist(k) => get(k).is_none(),
            }),
        }
    }
}

/// Whether `labels.NewRequirement` accepts a key and values for an operator: the key must be a
/// qualified name, each value a label value, and the value count fit the operator.
fn requirement_ok(key: &str, values: &[String], count_ok: bool) -> bool {
    count_ok
        && is_qualified_name(key).is_empty()
        && values.iter().all(|v| is_valid_label_value(v).is_empty())
}

/// Mirrors `metav1.LabelSelectorAsSelector`; `None` where Go returns an error.
pub(crate) fn as_selector(selector: Option<&LabelSelector>) -> Option<Selector> {
    let Some(sel) = selector else {
        return Some(Selector::Nothing);
    };
    let labels = sel.match_labels.as_ref();
    let exprs = sel.match_expressions.as_deref().unwrap_or_default();
    if labels.map_or(0, BTreeMap::len) + exprs.len() == 0 {
        return Some(Selector::Everything);
    }
    let mut reqs = Vec::new();
    for (k, v) in labels.into_iter().flatten() {
        if !requirement_ok(k, std::slice::from_ref(v), true) {
            return None;
        }
        reqs.push(Requirement::Equals(k.clone(), v.clone()));
    }
    for e in exprs {
        let values = e.values.clone().unwrap_or_default();
        let key = e.key.clone();
        let (req, count_ok) = match e.operator.as_str() {
            "In" => (Requirement::In(key, values.clone()), !values.is_empty()),
            "NotIn" => (Requirement::NotIn(key, values.clone()), !values.is_empty()),
            "Exists" => (Requirement::Exists(key), values.is_empty()),
            "DoesNotExist" => (Requirement::DoesNotExist(key), values.is_empty()),
            _ => return None,
        };
        if !requirement_ok(&e.key, &values, count_ok) {
            return None;
        }
        reqs.push(req);
    }
    Some(Selector::All(reqs))
}

/// Go's `%#v` of a `map[string]string` (keys sorted, as fmt prints maps); `None` is a nil map.
pub(crate) fn go_string_map(map: Option<&BTreeMap<String, String>>) -> String {
    match map {
        None => "map[string]string(nil)".to_string(),
        Some(m) => {
            let entries: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", quote(k), quote(v)))
                .collect();
            format!("map[string]string{{{}}}", entries.join(", "))
        }
    }
}

/// Go's `%#v` of a `[]string`.
pub(crate) fn go_string_slice(values: Option<&[String]>) -> String {
    match values {
        None => "[]string(nil)".to_string(),
        Some(vs) => {
            let items: Vec<String> = vs.iter().map(|v| quote(v)).collect();
            format!("[]string{{{}}}", items.join(", "))
        }
    }
}

/// Go's `%#v` of a `metav1.LabelSelector` value, as `field.Invalid(path, spec.Selector, ...)`
/// prints it (the pointer is dereferenced; `LabelSelector.String` has a pointer receiver so the
/// value is not a `fmt.Stringer`).
pub(crate) fn go_label_selector(sel: &LabelSelector) -> String {
    let exprs = match &sel.match_expressions {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(es) => {
            let items: Vec<String> = es
                .iter()
                .map(|e| {
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                        quote(&e.key),
                        quote(&e.operator),
                        go_string_slice(e.values.as_deref())
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
        }
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{}}}",
        go_string_map(sel.match_labels.as_ref()),
        exprs
    )
}
