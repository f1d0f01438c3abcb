//! Manifests: the text a user pastes (multi-document YAML, or JSON) turned into typed Kubernetes
//! objects from k8s-openapi.
//!
//! [`parse`] is the entry point. It splits YAML into documents at the `---` / `...` markers (which
//! the YAML spec only allows at column 0, so a line scan is exact), reads each document's
//! `apiVersion` and `kind`, then decodes the document as that kind. Each document is parsed once
//! into an [`yaml`] tree, and both reads deserialize from it. Every error carries the document
//! number, the line and the column in the user's text, never a panic: the tree is built by a
//! panic-free parser under a budget, and the input size is capped as the API server caps a
//! request body.

use std::fmt;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Node, Pod, Secret, Service};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::yaml;

/// The largest input accepted, in bytes: the API server's limit on a request body (3 MiB,
/// `apiserver` `MaxRequestBodyBytes`). Larger pastes get the server's own answer.
pub const MAX_INPUT_BYTES: usize = 3 * 1024 * 1024;

/// One object the user gave us, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// 1-based position of the document in the input.
    pub document: usize,
    /// 1-based line where the document's content starts.
    pub line: u64,
    pub object: Object,
}

/// The kinds podplay understands. Large variants are boxed so a `Vec<Object>` stays compact.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Pod(Box<Pod>),
    Deployment(Box<Deployment>),
    ReplicaSet(Box<ReplicaSet>),
    StatefulSet(Box<StatefulSet>),
    DaemonSet(Box<DaemonSet>),
    Job(Box<Job>),
    Service(Box<Service>),
    ConfigMap(Box<ConfigMap>),
    Secret(Box<Secret>),
    Namespace(Box<Namespace>),
    Node(Box<Node>),
}

/// `(apiVersion, kind)` of every supported object, in the order error messages list them.
pub const SUPPORTED: &[(&str, &str)] = &[
    ("v1", "Pod"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "ReplicaSet"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("v1", "Service"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Namespace"),
    ("v1", "Node"),
];

impl Object {
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Pod(_) => "Pod",
            Object::Deployment(_) => "Deployment",
            Object::ReplicaSet(_) => "ReplicaSet",
            Object::StatefulSet(_) => "StatefulSet",
            Object::DaemonSet(_) => "DaemonSet",
            Object::Job(_) => "Job",
            Object::Service(_) => "Service",
            Object::ConfigMap(_) => "ConfigMap",
            Object::Secret(_) => "Secret",
            Object::Namespace(_) => "Namespace",
            Object::Node(_) => "Node",
        }
    }

    pub fn metadata(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        match self {
            Object::Pod(o) => &o.metadata,
            Object::Deployment(o) => &o.metadata,
            Object::ReplicaSet(o) => &o.metadata,
            Object::StatefulSet(o) => &o.metadata,
            Object::DaemonSet(o) => &o.metadata,
            Object::Job(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::ConfigMap(o) => &o.metadata,
            Object::Secret(o) => &o.metadata,
            Object::Namespace(o) => &o.metadata,
            Object::Node(o) => &o.metadata,
        }
    }

    /// The object's name, or `""` when it has none (validation reports that).
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }
}

/// Why a manifest could not be read. Display gives a Kubernetes-shaped, located message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    /// 1-based document number (1 for JSON and single-document YAML).
    pub document: usize,
    /// 1-based line and column in the whole input, where known.
    pub line: Option<u64>,
    pub column: Option<u64>,
    pub kind: ManifestErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManifestErrorKind {
    /// The input is larger than [`MAX_INPUT_BYTES`].
    TooLarge { size: usize, limit: usize },
    /// The text is not YAML (or JSON) at all.
    Syntax { message: String },
    /// The document has no `apiVersion` and/or no `kind`.
    MissingTypeMeta { api_version: bool, kind: bool },
    /// `apiVersion`/`kind` name something podplay does not know.
    UnknownKind { api_version: String, kind: String },
    /// The document is YAML but does not fit the kind's schema (a wrong type, a bad quantity...).
    Decode {
        api_version: String,
        kind: String,
        message: String,
    },
    /// The input holds no object at all.
    Empty,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        match &self.kind {
            // The API server's words for an oversized body.
            ManifestErrorKind::TooLarge { limit, .. } => {
                write!(f, "Request entity too large: limit is {limit}")
            }
            // kubectl's words: it converts YAML to JSON before anything else.
            ManifestErrorKind::Syntax { message } => {
                write!(f, "error converting YAML to JSON: yaml: {message}")
            }
            // kubectl's client-side validation wording.
            ManifestErrorKind::MissingTypeMeta { api_version, kind } => match (api_version, kind) {
                (true, true) => write!(
                    f,
                    "error validating data: [apiVersion not set, kind not set]"
                ),
                (true, false) => write!(f, "error validating data: apiVersion not set"),
                _ => write!(f, "error validating data: kind not set"),
            },
            // The REST mapper's words, then what podplay supports.
            ManifestErrorKind::UnknownKind { api_version, kind } => {
                write!(
                    f,
                    "no matches for kind \"{kind}\" in version \"{api_version}\""
                )?;
                write!(f, " (podplay supports ")?;
                for (i, (v, k)) in SUPPORTED.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{k} {v}")?;
                }
                write!(f, ")")
            }
            // The API server's decoder wording.
            ManifestErrorKind::Decode {
                api_version,
                kind,
                message,
            } => write!(
                f,
                "{kind} in version \"{api_version}\" cannot be handled as a {kind}: {message}"
            ),
            ManifestErrorKind::Empty => write!(f, "no objects passed to apply"),
        }
    }
}

impl std::error::Error for ManifestError {}

/// Parse every object in `input`: YAML documents, or JSON, which YAML 1.2 reads as a flow
/// mapping. One decoder for both keeps the page small: each serde backend instantiates its own
/// copy of every Kubernetes type's deserializer.
///
/// Stops at the first error: a manifest with a broken document is not applied at all, as
/// `kubectl apply` does not apply a file it cannot read.
pub fn parse(input: &str) -> Result<Vec<Manifest>, ManifestError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(ManifestError {
            document: 1,
            line: None,
            column: None,
            kind: ManifestErrorKind::TooLarge {
                size: input.len(),
                limit: MAX_INPUT_BYTES,
            },
        });
    }
    let mut manifests = Vec::new();
    for doc in split_documents(input) {
        if let Some(m) = parse_document(&doc)? {
            manifests.push(m);
        }
    }
    if manifests.is_empty() {
        return Err(ManifestError {
            document: 1,
            line: None,
            column: None,
            kind: ManifestErrorKind::Empty,
        });
    }
    Ok(manifests)
}

/// The `apiVersion` and `kind` of a document, read before the document is decoded as that kind.
#[derive(Deserialize)]
struct TypeMeta {
    #[serde(rename = "apiVersion", default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

/// One YAML document: its text, with the `---` marker blanked so columns stay true, and the line
/// of the input it starts on.
struct Document<'a> {
    number: usize,
    first_line: u64,
    text: std::borrow::Cow<'a, str>,
}

/// Split at document markers. The YAML spec forbids `---` and `...` at column 0 inside any
/// content (`c-forbidden`), so a line-based split is exact. Documents holding only blank lines
/// and comments are dropped, as kubectl drops them.
fn split_documents(input: &str) -> Vec<Document<'_>> {
    let mut docs = Vec::new();
    // The current document: its first byte, its first line, and how many marker bytes (`---`)
    // stand before its first byte on that line and must read as blanks to keep columns true.
    let (mut start, mut start_line, mut blank) = (0usize, 1u64, 0usize);
    let mut offset = 0usize;
    for (line, line_no) in input.split_inclusive('\n').zip(1u64..) {
        let opens = is_marker(line, "---");
        if opens || is_marker(line, "...") {
            push_document(&mut docs, &input[start..offset], start_line, blank);
            (start, start_line, blank) = if opens {
                (offset + 3, line_no, 3)
            } else {
                (offset + line.len(), line_no + 1, 0)
            };
        }
        offset += line.len();
    }
    push_document(&mut docs, &input[start..], start_line, blank);
    docs
}

fn push_document<'a>(docs: &mut Vec<Document<'a>>, text: &'a str, first_line: u64, blank: usize) {
    let has_content = text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    if !has_content {
        return;
    }
    let text = if blank > 0 {
        std::borrow::Cow::Owned(format!("{:blank$}{text}", ""))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    docs.push(Document {
        number: docs.len() + 1,
        first_line,
        text,
    });
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
}

fn parse_document(doc: &Document<'_>) -> Result<Option<Manifest>, ManifestError> {
    let line_offset = doc.first_line - 1;
    let tree = yaml::parse(&doc.text).map_err(|e| {
        let message = e.message.clone();
        located(
            doc.number,
            line_offset,
            &e,
            ManifestErrorKind::Syntax { message },
        )
    })?;
    let start = yaml::Location {
        line: doc.first_line,
        column: 1,
    };
    read_object(&tree, tree.root(), doc.number, start, line_offset)
}

/// A [`ManifestError`] at the error's place in the whole input (`line_offset` lines above the
/// text that was parsed).
fn located(
    document: usize,
    line_offset: u64,
    err: &yaml::Error,
    kind: ManifestErrorKind,
) -> ManifestError {
    ManifestError {
        document,
        line: err.location.map(|l| l.line + line_offset),
        column: err.location.map(|l| l.column),
        kind,
    }
}

/// Reads the object at `node` of a parsed document: its `apiVersion` and `kind`, then the whole
/// node as that kind. `start` is where the object begins in the input (where an error about
/// the object as a whole is placed); `None` for a null document, which kubectl skips.
pub(crate) fn read_object(
    tree: &yaml::Tree<'_>,
    node: yaml::NodeId,
    document: usize,
    start: yaml::Location,
    line_offset: u64,
) -> Result<Option<Manifest>, ManifestError> {
    // Read as serde-saphyr read it: the whole node is walked, so a broken value anywhere
    // (a duplicate key, a bad merge) is refused before the kind is looked at.
    let meta: Option<TypeMeta> = yaml::from_tree(tree, node).map_err(|e| {
        let message = e.message.clone();
        located(
            document,
            line_offset,
            &e,
            ManifestErrorKind::Syntax { message },
        )
    })?;
    // A document holding only `null` (or `~`) is skipped, as kubectl skips empty documents.
    let Some(meta) = meta else { return Ok(None) };
    let at_start = |kind| ManifestError {
        document,
        line: Some(start.line),
        column: Some(start.column),
        kind,
    };
    let (api_version, kind) = match (meta.api_version, meta.kind) {
        (Some(v), Some(k)) if !v.is_empty() && !k.is_empty() => (v, k),
        (v, k) => {
            return Err(at_start(ManifestErrorKind::MissingTypeMeta {
                api_version: v.is_none_or(|v| v.is_empty()),
                kind: k.is_none_or(|k| k.is_empty()),
            }))
        }
    };
    let object = decode(&api_version, &kind, |decode_kind| {
        fn typed<T: DeserializeOwned>(
            tree: &yaml::Tree<'_>,
            node: yaml::NodeId,
        ) -> Result<Box<T>, yaml::Error> {
            yaml::from_tree(tree, node).map(Box::new)
        }
        Ok::<_, yaml::Error>(match decode_kind {
            "Pod" => Object::Pod(typed(tree, node)?),
            "Deployment" => Object::Deployment(typed(tree, node)?),
            "ReplicaSet" => Object::ReplicaSet(typed(tree, node)?),
            "StatefulSet" => Object::StatefulSet(typed(tree, node)?),
            "DaemonSet" => Object::DaemonSet(typed(tree, node)?),
            "Job" => Object::Job(typed(tree, node)?),
            "Service" => Object::Service(typed(tree, node)?),
            "ConfigMap" => Object::ConfigMap(typed(tree, node)?),
            "Secret" => Object::Secret(typed(tree, node)?),
            "Namespace" => Object::Namespace(typed(tree, node)?),
            "Node" => Object::Node(typed(tree, node)?),
            other => unreachable!("decode() only passes supported kinds, got {other}"),
        })
    });
    match object {
        Ok(object) => Ok(Some(Manifest {
            document,
            line: start.line,
            object,
        })),
        Err(DecodeError::Unknown) => Err(at_start(ManifestErrorKind::UnknownKind {
            api_version,
            kind,
        })),
        Err(DecodeError::Serde(e)) => {
            let message = e.message.clone();
            Err(located(
                document,
                line_offset,
                &e,
                ManifestErrorKind::Decode {
                    api_version,
                    kind,
                    message,
                },
            ))
        }
    }
}

enum DecodeError<E> {
    Unknown,
    Serde(E),
}

/// Look up `(api_version, kind)` among [`SUPPORTED`] and decode with `f` when it is there.
fn decode<E>(
    api_version: &str,
    kind: &str,
    f: impl FnOnce(&str) -> Result<Object, E>,
) -> Result<Object, DecodeError<E>> {
    match SUPPORTED
        .iter()
        .find(|(v, k)| *v == api_version && *k == kind)
    {
        Some((_, k)) => f(k).map_err(DecodeError::Serde),
        None => Err(DecodeError::Unknown),
    }
}
