//! Field errors as apimachinery reports them: `field.Error` and its `Error()` text
//! (staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go), field paths
//! (`field.Path`, path.go) and the API server's 422 message (`NewInvalid` plus the aggregate).
//!
//! Start at [`FieldError`]; its `Display` is byte-for-byte `field.Error.Error()`.

use std::fmt;

pub use crate::go::quote as go_quote;

/// The kind of a field error, one variant per `field.ErrorType` constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// `ErrorTypeNotFound` ("FieldValueNotFound").
    NotFound,
    /// `ErrorTypeRequired` ("FieldValueRequired").
    Required,
    /// `ErrorTypeDuplicate` ("FieldValueDuplicate").
    Duplicate,
    /// `ErrorTypeInvalid` ("FieldValueInvalid").
    Invalid,
    /// `ErrorTypeNotSupported` ("FieldValueNotSupported").
    NotSupported,
    /// `ErrorTypeForbidden` ("FieldValueForbidden").
    Forbidden,
    /// `ErrorTypeTooLong` ("FieldValueTooLong").
    TooLong,
    /// `ErrorTypeTooMany` ("FieldValueTooMany").
    TooMany,
    /// `ErrorTypeInternal` ("InternalError").
    Internal,
    /// `ErrorTypeTypeInvalid` ("FieldValueTypeInvalid").
    TypeInvalid,
}

impl ErrorType {
    /// The Go constant's string value, as it appears in a Status cause's `reason`
    /// (e.g. `"FieldValueRequired"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::Required => "FieldValueRequired",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::TooLong => "FieldValueTooLong",
            ErrorType::TooMany => "FieldValueTooMany",
            ErrorType::Internal => "InternalError",
            ErrorType::TypeInvalid => "FieldValueTypeInvalid",
        }
    }

    /// The human text, mirroring `ErrorType.String()`.
    pub fn label(self) -> &'static str {
        match self {
            ErrorType::NotFound => "Not found",
            ErrorType::Required => "Required value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::Invalid => "Invalid value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::TooLong => "Too long",
            ErrorType::TooMany => "Too many",
            ErrorType::Internal => "Internal error",
            ErrorType::TypeInvalid => "Invalid value",
        }
    }
}

/// The offending value of a field error, typed the way `ErrorBody` formats it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadValue {
    /// A Go `string` (or a named string type without a `String()` method): printed with `%q`.
    Str(String),
    /// An integer: printed with `%v`.
    Int(i64),
    /// A bool: printed with `%v`.
    Bool(bool),
    /// A value whose type implements `fmt.Stringer` (a `resource.Quantity`, a
    /// `core.ResourceName`): printed as its `String()`, without quotes.
    Stringer(String),
    /// The `omitValue` marker (`TooMany` with an unknown count): only the type label is printed.
    Omitted,
    /// A value Go prints with `%#v` (structs, maps, slices, `intstr.IntOrString`), already
    /// rendered in Go syntax, e.g. `map[string]string{"app":"web"}`. Printed as is.
    GoSyntax(String),
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Str(s) => f.write_str(&go_quote(s)),
            BadValue::Int(n) => write!(f, "{n}"),
            BadValue::Bool(b) => write!(f, "{b}"),
            BadValue::Stringer(s) | BadValue::GoSyntax(s) => f.write_str(s),
            BadValue::Omitted => Ok(()),
        }
    }
}

/// One validation error on one field, mirroring `field.Error`.
///
/// `bad_value: None` is Go's `nil`, printed as `null` where the type shows a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field path, e.g. `spec.containers[0].name`.
    pub field: String,
    /// What is wrong.
    pub kind: ErrorType,
    /// The offending value.
    pub bad_value: Option<BadValue>,
    /// The explanation appended after the value (empty for none).
    pub detail: String,
}

impl FieldError {
    /// The message without the field, mirroring `(*Error).ErrorBody`.
    pub fn body(&self) -> String {
        let mut s = match self.kind {
            ErrorType::Required
            | ErrorType::Forbidden
            | ErrorType::TooLong
            | ErrorType::Internal => self.kind.label().to_string(),
            _ => match &self.bad_value {
                Some(BadValue::Omitted) => self.kind.label().to_string(),
                None => format!("{}: null", self.kind.label()),
                Some(v) => format!("{}: {}", self.kind.label(), v),
            },
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }

    pub(crate) fn required(path: &Path, detail: &str) -> Self {
        Self::new(
            path,
            ErrorType::Required,
            Some(BadValue::Str(String::new())),
            detail,
        )
    }

    pub(crate) fn forbidden(path: &Path, detail: &str) -> Self {
        Self::new(
            path,
            ErrorType::Forbidden,
            Some(BadValue::Str(String::new())),
            detail,
        )
    }

    pub(crate) fn invalid(path: &Path, value: BadValue, detail: &str) -> Self {
        Self::new(path, ErrorType::Invalid, Some(value), detail)
    }

    pub(crate) fn duplicate(path: &Path, value: BadValue) -> Self {
        Self::new(path, ErrorType::Duplicate, Some(value), "")
    }

    pub(crate) fn not_found(path: &Path, value: BadValue) -> Self {
        Self::new(path, ErrorType::NotFound, Some(value), "")
    }

    /// Mirrors `field.NotSupported`: the detail lists the valid values quoted, in the order given.
    pub(crate) fn not_supported(path: &Path, value: BadValue, valid: &[&str]) -> Self {
        let detail = if valid.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = valid.iter().map(|v| go_quote(v)).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self::new(path, ErrorType::NotSupported, Some(value), &detail)
    }

    /// Mirrors `field.TooMany`: the actual count as the value, "must have at most N items".
    pub(crate) fn too_many(path: &Path, actual: usize, max: usize) -> Self {
        let noun = if max == 1 { "item" } else { "items" };
        Self::new(
            path,
            ErrorType::TooMany,
            Some(BadValue::Int(i64::try_from(actual).unwrap_or(i64::MAX))),
            &format!("must have at most {max} {noun}"),
        )
    }

    /// Mirrors `field.TooLong`.
    pub(crate) fn too_long(path: &Path, max_bytes: usize) -> Self {
        Self::new(
            path,
            ErrorType::TooLong,
            Some(BadValue::Str(String::new())),
            &format!("must have at most {max_bytes} bytes"),
        )
    }

    fn new(path: &Path, kind: ErrorType, bad_value: Option<BadValue>, detail: &str) -> Self {
        FieldError {
            field: path.to_string(),
            kind,
            bad_value,
            detail: detail.to_string(),
        }
    }
}

impl fmt::Display for FieldError {
    /// `field.Error.Error()`: `"<field>: <body>"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

impl std::error::Error for FieldError {}

/// A field path under construction, mirroring `field.Path`: children join with `.`, indexes
/// and map keys print as `[i]` and `[key]` (keys unquoted).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Path(String);

impl Path {
    pub(crate) fn new(root: &str) -> Self {
        Path(root.to_string())
    }

    pub(crate) fn child(&self, name: &str) -> Self {
        if self.0.is_empty() {
            Path(name.to_string())
        } else {
            Path(joined(&[&self.0, ".", name]))
        }
    }

    pub(crate) fn index(&self, i: usize) -> Self {
        Path(format!("{}[{}]", self.0, i))
    }

    pub(crate) fn key(&self, k: &str) -> Self {
        Path(joined(&[&self.0, "[", k, "]"]))
    }
}

/// The parts one after the other, in one allocation (paths are built for every field checked).
fn joined(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The message of the API server's 422 for invalid objects, mirroring `errors.NewInvalid` with
/// `ErrorList.ToAggregate()`: `Pod "x" is invalid: a` for one error, `... is invalid: [a, b]` for
/// several, exact duplicate messages dropped, `Pod "x" is invalid` for none.
///
/// `kind` is the qualified kind as `schema.GroupKind.String()` prints it: `Pod` for the core
/// group, `Deployment.apps` for others.
pub fn api_server_message(kind: &str, name: &str, errors: &[FieldError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let msg = e.to_string();
        if !seen.contains(&msg) {
            seen.push(msg);
        }
    }
    match seen.len() {
        0 => format!("{kind} {} is invalid", go_quote(name)),
        1 => format!("{kind} {} is invalid: {}", go_quote(name), seen[0]),
        _ => format!(
            "{kind} {} is invalid: [{}]",
            go_quote(name),
            seen.join(", ")
        ),
    }
}
