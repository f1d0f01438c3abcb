//! Scenarios: podplay's own kind (`apiVersion: podplay.dev/v1alpha1`, `kind: Scenario`), what
//! `podplay run`, the gallery and the tests feed the lifecycle engine: Kubernetes objects applied
//! at t=0, then user actions (delete, force delete, exec, kill a container, apply) at virtual
//! times. A plain manifest file (any mix of supported kinds, one or many documents) is a scenario
//! with no steps.
//!
//! Start at [`Scenario::parse`], then [`Scenario::into_simulation`]. Errors are located (line and
//! column in the user's file) and worded as Kubernetes words them: the scenario's own fields
//! fail as the API server's field errors (`spec.steps[2].action: Unsupported value: ...`,
//! [`FieldError`]), and an embedded object fails exactly as the same object would in a manifest
//! file, because it is read by the manifest reader from its own node of the file's YAML tree.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::api::manifest::ManifestErrorKind;
use crate::api::validation::{go_quote, BadValue, ErrorType, FieldError};
use crate::api::yaml::{self, Located, Location};
use crate::api::{self, Manifest, ManifestError};
use crate::lifecycle::{Config, UserAction};
use crate::runtime::scripted::ScriptedRuntime;
use crate::runtime::Runtime;
use crate::sim::{Simulation, Step};
use crate::time::Time;

/// The scenario kind's `apiVersion`.
pub const API_VERSION: &str = "podplay.dev/v1alpha1";
/// The scenario kind's `kind`.
pub const KIND: &str = "Scenario";
/// How long a run lasts when neither the scenario nor the user says.
pub const DEFAULT_DURATION: Time = Time(120_000);

/// The actions a step may take, in the order the API server's `Unsupported value` lists them
/// (sorted, as `sets.List` sorts them).
pub const ACTIONS: &[&str] = &["apply", "delete", "exec", "forceDelete", "killContainer"];

/// A scenario, parsed and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// `metadata.name`; empty for a plain manifest file.
    pub name: String,
    /// `spec.title`: language → text (`en`, `zh`).
    pub title: BTreeMap<String, String>,
    /// `spec.description`: language → text.
    pub description: BTreeMap<String, String>,
    /// `spec.duration`, if given.
    pub duration: Option<Time>,
    /// `spec.objects`: applied at t=0, in order.
    pub objects: Vec<Manifest>,
    /// `spec.steps`: user actions, in file order (the simulation keeps equal times in that order).
    pub steps: Vec<Step>,
}

/// Why a file is not a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The file, or an object embedded in the scenario, cannot be read as Kubernetes objects;
    /// also a Scenario document that does not fit the kind's schema (a wrong type, an unknown
    /// field), worded as the API server's decoder words it. Lines and columns are the file's.
    Manifest(ManifestError),
    /// The Scenario's own fields are invalid: every error, in file order, each with where it is.
    Invalid(Vec<LocatedFieldError>),
}

/// A field error and where in the file the offending value (or, for a missing field, its
/// parent) is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocatedFieldError {
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub error: FieldError,
}

impl fmt::Display for LocatedFieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        write!(f, "{}", self.error)
    }
}

impl fmt::Display for ScenarioError {
    /// One line per error: `line 14, column 13: spec.steps[2].action: Unsupported value: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Manifest(e) => write!(f, "{e}"),
            ScenarioError::Invalid(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<ManifestError> for ScenarioError {
    fn from(e: ManifestError) -> Self {
        ScenarioError::Manifest(e)
    }
}

impl Scenario {
    /// Reads a file: a Scenario document (alone in its file), or plain manifests, which make a
    /// scenario with no steps.
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let err = match api::parse(text) {
            Ok(manifests) => return Ok(Scenario::from_manifests(manifests)),
            Err(e) => e,
        };
        let ManifestErrorKind::UnknownKind { api_version, kind } = &err.kind else {
            return Err(err.into());
        };
        if kind != KIND {
            return Err(err.into());
        }
        if api_version != API_VERSION {
            return Err(ScenarioError::Invalid(vec![LocatedFieldError {
                line: err.line,
                column: err.column,
                error: FieldError {
                    field: "apiVersion".into(),
                    kind: ErrorType::NotSupported,
                    bad_value: Some(BadValue::Str(api_version.clone())),
                    detail: format!("supported values: {}", go_quote(API_VERSION)),
                },
            }]));
        }
        if let Some(line) = second_document_line(text) {
            return Err(ScenarioError::Invalid(vec![LocatedFieldError {
                line: Some(line),
                column: Some(1),
                error: FieldError {
                    field: "kind".into(),
                    kind: ErrorType::Forbidden,
                    bad_value: None,
                    detail: "a Scenario must be the only document in its file".into(),
                },
            }]));
        }
        parse_scenario(text)
    }

    /// A plain manifest file as a scenario: its objects applied at t=0, no steps.
    pub fn from_manifests(objects: Vec<Manifest>) -> Scenario {
        Scenario {
            name: String::new(),
            title: BTreeMap::new(),
            description: BTreeMap::new(),
            duration: None,
            objects,
            steps: Vec::new(),
        }
    }

    /// How long to run: `spec.duration`, else [`DEFAULT_DURATION`].
    pub fn run_for(&self) -> Time {
        self.duration.unwrap_or(DEFAULT_DURATION)
    }

    /// Every step the simulation takes: the objects applied at t=0 (when there are any), then
    /// the scenario's steps.
    pub fn schedule(&self) -> Vec<Step> {
        let mut steps = Vec::with_capacity(self.steps.len() + 1);
        if !self.objects.is_empty() {
            steps.push(Step {
                at: Time::ZERO,
                action: UserAction::Apply(self.objects.clone()),
            });
        }
        steps.extend(self.steps.iter().cloned());
        steps
    }

    /// A simulation of this scenario over `runtime`, everything scheduled, nothing run yet.
    pub fn simulation<R: Runtime>(&self, config: Config, runtime: R) -> Simulation<R> {
        let mut sim = Simulation::new(config, runtime);
        sim.schedule(self.schedule());
        sim
    }

    /// A simulation of this scenario with engine and runtime seeded by `seed`, over the
    /// scripted runtime (which stands in until the mock runtime lands).
    pub fn into_simulation(self, seed: u64) -> Simulation<ScriptedRuntime> {
        let config = Config {
            seed,
            ..Config::default()
        };
        self.simulation(config, ScriptedRuntime::new(seed))
    }
}

// --- the Scenario document -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    #[serde(rename = "apiVersion")]
    _api_version: String,
    #[serde(rename = "kind")]
    _kind: String,
    #[serde(default)]
    metadata: Option<Located<RawMetadata>>,
    #[serde(default)]
    spec: Option<Located<RawSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMetadata {
    #[serde(default)]
    name: Option<Located<String>>,
    #[serde(default, rename = "labels")]
    _labels: Option<BTreeMap<String, String>>,
    #[serde(default, rename = "annotations")]
    _annotations: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    #[serde(default)]
    title: Option<BTreeMap<String, String>>,
    #[serde(default)]
    description: Option<BTreeMap<String, String>>,
    #[serde(default)]
    duration: Option<Located<Scalar>>,
    #[serde(default)]
    objects: Option<Vec<Located<IgnoredAny>>>,
    #[serde(default)]
    steps: Option<Vec<Located<RawStep>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    #[serde(default)]
    at: Option<Located<Scalar>>,
    #[serde(default)]
    action: Option<Located<String>>,
    #[serde(default)]
    target: Option<Located<String>>,
    #[serde(default)]
    namespace: Option<Located<String>>,
    #[serde(default, rename = "gracePeriodSeconds")]
    grace_period_seconds: Option<Located<i64>>,
    #[serde(default)]
    container: Option<Located<String>>,
    #[serde(default)]
    command: Option<Located<Vec<String>>>,
    #[serde(default)]
    objects: Option<Located<Vec<Located<IgnoredAny>>>>,
}

/// A duration as written: `120s` (a string), or a bare number, which is an error worth naming.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Float(f64),
    Str(String),
}

impl Scalar {
    fn bad_value(&self) -> BadValue {
        match self {
            Scalar::Int(n) => BadValue::Int(*n),
            Scalar::Float(x) => BadValue::Stringer(x.to_string()),
            Scalar::Str(s) => BadValue::Str(s.clone()),
        }
    }
}

/// Collects field errors with their locations.
struct Errors(Vec<LocatedFieldError>);

impl Errors {
    fn push(
        &mut self,
        at: Option<&Location>,
        field: &str,
        kind: ErrorType,
        value: Option<BadValue>,
        detail: &str,
    ) {
        self.0.push(LocatedFieldError {
            line: at.map(|at| at.line),
            column: at.map(|at| at.column),
            error: FieldError {
                field: field.to_string(),
                kind,
                bad_value: value,
                detail: detail.to_string(),
            },
        });
    }

    /// `field.Required`.
    fn required(&mut self, at: Option<&Location>, field: &str, detail: &str) {
        self.push(at, field, ErrorType::Required, None, detail);
    }

    /// `field.Forbidden`.
    fn forbidden(&mut self, at: Option<&Location>, field: &str, detail: &str) {
        self.push(at, field, ErrorType::Forbidden, None, detail);
    }

    /// `field.Invalid`.
    fn invalid(&mut self, at: Option<&Location>, field: &str, value: BadValue, detail: &str) {
        self.push(at, field, ErrorType::Invalid, Some(value), detail);
    }
}

fn parse_scenario(text: &str) -> Result<Scenario, ScenarioError> {
    let tree = yaml::parse(text).map_err(|e| decode_error(&e))?;
    let raw: RawScenario = yaml::from_tree(&tree, tree.root()).map_err(|e| decode_error(&e))?;
    let mut errors = Errors(Vec::new());
    let top = None;

    let name = match &raw.metadata {
        Some(meta) => match &meta.value.name {
            Some(name) if !name.value.is_empty() => name.value.clone(),
            Some(name) => {
                errors.required(
                    Some(&name.location),
                    "metadata.name",
                    "name or generateName is required",
                );
                String::new()
            }
            None => {
                errors.required(
                    Some(&meta.location),
                    "metadata.name",
                    "name or generateName is required",
                );
                String::new()
            }
        },
        None => {
            errors.required(top, "metadata.name", "name or generateName is required");
            String::new()
        }
    };
    let Some(spec) = raw.spec else {
        errors.required(top, "spec", "");
        return Err(ScenarioError::Invalid(errors.0));
    };
    let spec = spec.value;

    let duration = spec.duration.as_ref().and_then(|d| {
        let t = duration_of(&mut errors, d, "spec.duration")?;
        if t == Time::ZERO {
            errors.invalid(
                Some(&d.location),
                "spec.duration",
                d.value.bad_value(),
                "must be greater than zero",
            );
            return None;
        }
        Some(t)
    });

    let mut objects = Vec::new();
    for item in spec.objects.iter().flatten() {
        objects.push(embedded_object(&tree, item)?);
    }

    let mut steps = Vec::new();
    for (i, step) in spec.steps.iter().flatten().enumerate() {
        if let Some(step) = read_step(&tree, &mut errors, i, step)? {
            steps.push(step);
        }
    }

    if !errors.0.is_empty() {
        return Err(ScenarioError::Invalid(errors.0));
    }
    Ok(Scenario {
        name,
        title: spec.title.unwrap_or_default(),
        description: spec.description.unwrap_or_default(),
        duration,
        objects,
        steps,
    })
}

/// A Go duration (`120s`, `2m`, `1m30s`, `1.5s`) as virtual time, to the millisecond.
fn duration_of(errors: &mut Errors, d: &Located<Scalar>, field: &str) -> Option<Time> {
    const FORMAT: &str = "must be a duration such as \"90s\", \"2m\" or \"1m30s\"";
    let Scalar::Str(s) = &d.value else {
        errors.invalid(Some(&d.location), field, d.value.bad_value(), FORMAT);
        return None;
    };
    let Some(parsed) = crate::go::parse_duration(s) else {
        errors.invalid(Some(&d.location), field, d.value.bad_value(), FORMAT);
        return None;
    };
    let ms = parsed.as_millis();
    if ms < 0 {
        errors.invalid(
            Some(&d.location),
            field,
            d.value.bad_value(),
            "must be greater than or equal to 0",
        );
        return None;
    }
    Some(Time(u64::try_from(ms).unwrap_or(u64::MAX)))
}

/// Checks one step and turns it into a user action; `None` when it has errors (recorded).
fn read_step(
    tree: &yaml::Tree<'_>,
    errors: &mut Errors,
    i: usize,
    step: &Located<RawStep>,
) -> Result<Option<Step>, ScenarioError> {
    let path = format!("spec.steps[{i}]");
    let here = step.location;
    let s = &step.value;
    let before = errors.0.len();

    let at = match &s.at {
        Some(at) => duration_of(errors, at, &format!("{path}.at")),
        None => {
            errors.required(Some(&here), &format!("{path}.at"), "");
            None
        }
    };
    let action = match &s.action {
        Some(a) if ACTIONS.contains(&a.value.as_str()) => Some(a.value.as_str()),
        Some(a) => {
            let supported: Vec<String> = ACTIONS.iter().map(|v| go_quote(v)).collect();
            errors.push(
                Some(&a.location),
                &format!("{path}.action"),
                ErrorType::NotSupported,
                Some(BadValue::Str(a.value.clone())),
                &format!("supported values: {}", supported.join(", ")),
            );
            None
        }
        None => {
            let supported: Vec<String> = ACTIONS.iter().map(|v| go_quote(v)).collect();
            errors.push(
                Some(&here),
                &format!("{path}.action"),
                ErrorType::Required,
                None,
                &format!("supported values: {}", supported.join(", ")),
            );
            None
        }
    };
    let Some(action) = action else {
        return Ok(None);
    };

    // Which fields each action takes; any other field set is an error, so a typo'd intent
    // (a grace period on an exec) does not pass silently.
    let takes = |field: &str| -> bool {
        matches!(
            (action, field),
            ("delete", "target" | "namespace" | "gracePeriodSeconds")
                | ("forceDelete", "target" | "namespace")
                | ("exec", "target" | "namespace" | "container" | "command")
                | ("killContainer", "target" | "namespace" | "container")
                | ("apply", "objects")
        )
    };
    let set: [(&str, Option<Location>); 6] = [
        ("target", s.target.as_ref().map(|v| v.location)),
        ("namespace", s.namespace.as_ref().map(|v| v.location)),
        (
            "gracePeriodSeconds",
            s.grace_period_seconds.as_ref().map(|v| v.location),
        ),
        ("container", s.container.as_ref().map(|v| v.location)),
        ("command", s.command.as_ref().map(|v| v.location)),
        ("objects", s.objects.as_ref().map(|v| v.location)),
    ];
    for (field, loc) in set {
        if let Some(loc) = loc {
            if !takes(field) {
                errors.forbidden(
                    Some(&loc),
                    &format!("{path}.{field}"),
                    &format!("may not be set for action {}", go_quote(action)),
                );
            }
        }
    }

    let name = if action == "apply" {
        None
    } else {
        match &s.target {
            Some(t) => match pod_name(&t.value) {
                Some(name) => Some(name),
                None => {
                    errors.invalid(
                        Some(&t.location),
                        &format!("{path}.target"),
                        BadValue::Str(t.value.clone()),
                        "must be pod/NAME",
                    );
                    None
                }
            },
            None => {
                errors.required(Some(&here), &format!("{path}.target"), "");
                None
            }
        }
    };
    let namespace = s
        .namespace
        .as_ref()
        .map_or_else(|| "default".to_string(), |n| n.value.clone());
    let needs_container = matches!(action, "exec" | "killContainer");
    let container = match &s.container {
        Some(c) if !c.value.is_empty() => c.value.clone(),
        _ => {
            if needs_container {
                errors.required(Some(&here), &format!("{path}.container"), "");
            }
            String::new()
        }
    };
    let command = match &s.command {
        Some(c) if !c.value.is_empty() => c.value.clone(),
        _ => {
            if action == "exec" {
                errors.required(Some(&here), &format!("{path}.command"), "");
            }
            Vec::new()
        }
    };
    let mut objects = Vec::new();
    if action == "apply" {
        match &s.objects {
            Some(list) if !list.value.is_empty() => {
                for item in &list.value {
                    objects.push(embedded_object(tree, item)?);
                }
            }
            _ => errors.required(Some(&here), &format!("{path}.objects"), ""),
        }
    }

    if errors.0.len() > before {
        return Ok(None);
    }
    let (Some(at), Some(name)) = (at, name.or_else(|| (action == "apply").then(String::new)))
    else {
        return Ok(None);
    };
    let action = match action {
        "delete" => UserAction::Delete {
            namespace,
            name,
            // kubectl: a negative grace period is ignored (the server's default applies).
            grace_period_s: s
                .grace_period_seconds
                .as_ref()
                .map(|g| g.value)
                .filter(|g| *g >= 0),
        },
        "forceDelete" => UserAction::ForceDelete { namespace, name },
        "exec" => UserAction::Exec {
            namespace,
            name,
            container,
            command,
        },
        "killContainer" => UserAction::KillContainer {
            namespace,
            name,
            container,
        },
        "apply" => UserAction::Apply(objects),
        other => unreachable!("ACTIONS holds only the actions matched here, got {other}"),
    };
    Ok(Some(Step { at, action }))
}

/// `pod/NAME` (or kubectl's other spellings of the resource, `pods/` and `po/`) → `NAME`.
fn pod_name(target: &str) -> Option<String> {
    let (resource, name) = target.split_once('/')?;
    (matches!(resource, "pod" | "pods" | "po") && !name.is_empty() && !name.contains('/'))
        .then(|| name.to_string())
}

/// An object embedded in the scenario, read from its node of the file's tree as a manifest
/// document would be read: its errors keep the file's lines and columns, and an error about the
/// object as a whole (no `kind`, an unknown kind, nothing there) is placed at its start.
fn embedded_object(
    tree: &yaml::Tree<'_>,
    item: &Located<IgnoredAny>,
) -> Result<Manifest, ScenarioError> {
    let at = item.location;
    let at_start = |kind| ManifestError {
        document: 1,
        line: Some(at.line),
        column: Some(at.column),
        kind,
    };
    match api::manifest::read_object(tree, item.node, 1, at, 0) {
        Ok(Some(manifest)) => Ok(manifest),
        Ok(None) => Err(at_start(ManifestErrorKind::Empty).into()),
        Err(e) if e.line.is_none() => Err(at_start(e.kind).into()),
        Err(e) => Err(e.into()),
    }
}

/// The line where a second YAML document starts, if the text has one (a `---` at column 0
/// followed by content, after a first document with content).
fn second_document_line(text: &str) -> Option<u64> {
    let mut seen_content = false;
    let mut marker: Option<u64> = None;
    for (l, n) in text.lines().zip(1u64..) {
        let is_marker = (l.starts_with("---") || l.starts_with("..."))
            && l[3..].chars().next().is_none_or(|c| c.is_whitespace());
        if is_marker {
            if seen_content {
                marker = Some(n);
            }
            continue;
        }
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if let Some(m) = marker {
            return Some(m);
        }
        seen_content = true;
    }
    None
}

/// A Scenario document that serde cannot read as the kind (a wrong type, an unknown field),
/// worded as the API server's decoder, as [`api::parse`] words the same for a Pod.
fn decode_error(e: &yaml::Error) -> ScenarioError {
    ScenarioError::Manifest(ManifestError {
        document: 1,
        line: e.location.map(|l| l.line),
        column: e.location.map(|l| l.column),
        kind: ManifestErrorKind::Decode {
            api_version: API_VERSION.into(),
            kind: KIND.into(),
            message: e.message.clone(),
        },
    })
}
