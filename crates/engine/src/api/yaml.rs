//! YAML text as one located value tree, read once and deserialized from many times.
//!
//! [`parse`] turns one YAML document into a [`Tree`]: every node keeps its line and column
//! (1-based, as every error podplay prints), and every scalar keeps its raw text, its style
//! (plain, quoted, block) and its tag, so that what a scalar *is* (null, a boolean, a number or a
//! string) is decided only when a type asks for it, by the rules serde-saphyr applies. [`de`]
//! holds the one `serde::Deserializer` over the tree; [`from_tree`] is how a typed value is read.
//! Start at [`parse`], then [`de::Deserializer`].
//!
//! Why a tree: a YAML deserializer is generic code, and serde instantiates it once per
//! Kubernetes type; the tree is built by plain code once, and the deserializer over it is kept
//! thin. The events come from granit-parser, the parser serde-saphyr is built on, so syntax
//! errors keep its words and positions.
//!
//! Guarantees, for any input: no panic, no unbounded recursion, bounded memory and time. The
//! tree is built without recursion and refuses what serde-saphyr's default budget refuses
//! (nesting deeper than [`MAX_DEPTH`], more than a million events or 250 000 nodes, alias
//! bombs); aliases share the anchored node instead of copying it, and what a walk through them
//! would replay is counted up front.

pub mod de;

use std::borrow::Cow;
use std::fmt;

use granit_parser::{Event, Parser, ScanError, Span};

pub use de::{from_tree, Located};

/// How deep sequences and mappings may nest (serde-saphyr's `Budget::max_depth`).
pub const MAX_DEPTH: usize = 64;
/// serde-saphyr's `Budget::max_events`: every parser event counts.
const MAX_EVENTS: usize = 1_000_000;
/// serde-saphyr's `Budget::max_nodes`: scalars, sequences and mappings.
const MAX_NODES: usize = 250_000;
/// serde-saphyr's `Budget::max_aliases` and `max_anchors`.
const MAX_ALIASES: usize = 50_000;
const MAX_ANCHORS: usize = 50_000;
/// serde-saphyr's `AliasLimits::max_total_replayed_events`: the events aliases may replay.
const MAX_REPLAYED_EVENTS: usize = 1_000_000;

/// A position in the text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: u64,
    pub column: u64,
}

/// Why a text could not be read, or a tree could not be read as a type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The message without any location, in serde-saphyr's words.
    pub message: String,
    pub location: Option<Location>,
    /// Where a location-less error is to be placed as it travels up: serde's own errors
    /// (`invalid type`, `missing field`, ...) go where serde-saphyr's fallback puts them (the
    /// current key, or the mapping); others at the value being read.
    pub(crate) origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Deserializer,
    SerdeStructural,
    SerdeCustom,
}

impl Error {
    pub(crate) fn at(message: impl Into<String>, location: Location) -> Error {
        Error {
            message: message.into(),
            location: Some(location),
            origin: Origin::Deserializer,
        }
    }

    fn budget(breach: impl fmt::Display, location: Location) -> Error {
        Error::at(format!("budget breached: {breach}"), location)
    }

    /// A location-less error gets `location`; a located one keeps its own.
    pub(crate) fn or_at(mut self, location: Location) -> Error {
        if self.location.is_none() {
            self.location = Some(location);
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(l) => write!(
                f,
                "{} at line {}, column {}",
                self.message, l.line, l.column
            ),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for Error {}

/// A node's index in its [`Tree`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId(u32);

impl NodeId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// One YAML document. Nodes live in one vector (no recursive ownership, so dropping a tree
/// never recurses), children refer to them by [`NodeId`].
#[derive(Clone, Debug)]
pub struct Tree<'a> {
    nodes: Vec<Node<'a>>,
    root: NodeId,
}

#[derive(Clone, Debug)]
pub struct Node<'a> {
    pub location: Location,
    pub kind: Kind<'a>,
}

#[derive(Clone, Debug)]
pub enum Kind<'a> {
    Scalar(Scalar<'a>),
    Sequence(Vec<NodeId>),
    /// Entries in the order written, merge keys (`<<`) included; [`de`] resolves them.
    Mapping(Vec<(NodeId, NodeId)>),
    /// `*name`: the anchored node, which is complete and is never an alias itself. The
    /// alias's own location is where the value is used.
    Alias(NodeId),
    /// `*name` inside the node anchored as `name`: a value containing itself.
    Recursive,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar<'a> {
    /// The text after YAML's escapes and folding; `~` for an omitted value (`key:`), as
    /// granit-parser reports it.
    pub text: Cow<'a, str>,
    pub style: Style,
    pub tag: Tag,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A node's tag as serde-saphyr classifies it (`SfTag`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    /// No tag: the scalar's type is resolved from its text and style.
    None,
    Null,
    Bool,
    Int,
    Float,
    /// `!!str`.
    Str,
    /// `!`: a string, whatever it looks like.
    NonSpecific,
    Binary,
    Timestamp,
    Seq,
    Map,
    Merge,
    /// Any other tag: read as its untagged text would be.
    Other,
}

impl Tag {
    fn of(tag: Option<&granit_parser::Tag>) -> Tag {
        let Some(tag) = tag else { return Tag::None };
        if let Some(suffix) = tag.suffix_in_namespace("tag:yaml.org,2002:") {
            return Tag::named(suffix.strip_prefix('!').unwrap_or(&suffix));
        }
        match tag.suffix_in_namespace("!").as_deref() {
            Some("" | "!") => Tag::NonSpecific,
            Some("!timestamp") => Tag::Timestamp,
            Some("!binary") => Tag::Binary,
            Some(name) => match name.strip_prefix('!') {
                Some(core) => match core {
                    "null" | "bool" | "int" | "float" | "map" | "seq" | "str" => Tag::named(core),
                    _ => Tag::Other,
                },
                None => Tag::named(name),
            },
            None => Tag::Other,
        }
    }

    fn named(name: &str) -> Tag {
        match name {
            "int" => Tag::Int,
            "float" => Tag::Float,
            "bool" => Tag::Bool,
            "null" => Tag::Null,
            "seq" => Tag::Seq,
            "map" => Tag::Map,
            "str" => Tag::Str,
            "timestamp" => Tag::Timestamp,
            "binary" => Tag::Binary,
            "merge" => Tag::Merge,
            _ => Tag::Other,
        }
    }

    /// `!!str` and `!`: the text is a string, never a null or a number.
    pub fn forces_string(self) -> bool {
        matches!(self, Tag::Str | Tag::NonSpecific)
    }

    /// Whether a string target accepts a scalar with this tag.
    pub fn can_parse_into_string(self) -> bool {
        matches!(
            self,
            Tag::None | Tag::Str | Tag::Merge | Tag::Other | Tag::NonSpecific
        )
    }

    fn is_core(self) -> bool {
        matches!(
            self,
            Tag::Null | Tag::Bool | Tag::Int | Tag::Float | Tag::Str | Tag::Seq | Tag::Map
        )
    }
}

impl<'a> Tree<'a> {
    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn node(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id.index()]
    }

    /// The node itself, or the anchored node an alias stands for.
    pub fn resolve(&self, id: NodeId) -> NodeId {
        match self.node(id).kind {
            Kind::Alias(target) => target,
            _ => id,
        }
    }

    /// The value under `key` in the mapping `map` (aliases followed, merge keys ignored), for
    /// reading a few well-known fields before the whole document is decoded.
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        let Kind::Mapping(entries) = &self.node(self.resolve(map)).kind else {
            return None;
        };
        entries
            .iter()
            .find_map(|&(k, v)| match &self.node(self.resolve(k)).kind {
                Kind::Scalar(s) if s.text == key && s.tag.can_parse_into_string() => Some(v),
                _ => None,
            })
    }
}

/// Reads one YAML document (JSON included). A text with no document is a null scalar, as
/// serde-saphyr reads it.
pub fn parse(text: &str) -> Result<Tree<'_>, Error> {
    let mut builder = Builder::default();
    // serde-saphyr's parser options for its default budget: comments are not emitted (podplay
    // builds serde-saphyr without them), nesting limits are granit-parser's defaults.
    let mut options = granit_parser::Options::default();
    options.set_emit_comments(false);
    for item in Parser::new_from_str_with_options(text, options) {
        let (event, span) = item.map_err(scan_error)?;
        builder.event(event, &span)?;
    }
    builder.finish()
}

/// serde-saphyr's `Error::from_scan_error`: the parser's text, at its marker.
fn scan_error(err: ScanError) -> Error {
    let mark = err.marker();
    let location = Location {
        line: mark.line() as u64,
        column: mark.col() as u64 + 1,
    };
    let message = match err.kind() {
        granit_parser::ErrorKind::UnknownAnchor => "alias references unknown anchor".to_string(),
        _ => err.info(),
    };
    Error::at(message, location)
}

fn location_of(span: &Span) -> Location {
    Location {
        line: span.start.line() as u64,
        column: span.start.col() as u64 + 1,
    }
}

/// An open sequence or mapping: its node and the children read so far.
struct Open {
    id: NodeId,
    anchor: usize,
    children: Vec<NodeId>,
    /// Events a replay of this node would produce (its start and end, and its children's).
    events: usize,
}

#[derive(Default)]
struct Builder<'a> {
    nodes: Vec<Node<'a>>,
    /// Events a walk of each node replays (aliases expanded), for the alias budget.
    weights: Vec<usize>,
    open: Vec<Open>,
    /// Anchor id → the anchored node, once complete.
    anchors: Vec<Option<NodeId>>,
    root: Option<NodeId>,
    documents: usize,
    events: usize,
    node_count: usize,
    alias_count: usize,
    anchor_count: usize,
    replayed: usize,
}

impl<'a> Builder<'a> {
    fn event(&mut self, event: Event<'a>, span: &Span) -> Result<(), Error> {
        let location = location_of(span);
        self.events += 1;
        if self.events > MAX_EVENTS {
            let events = self.events;
            return Err(Error::budget(
                format_args!("Events {{ events: {events} }}"),
                location,
            ));
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.count_node(location)?;
                self.count_anchor(anchor, location)?;
                let scalar = Scalar {
                    text,
                    style: match style {
                        granit_parser::ScalarStyle::Plain => Style::Plain,
                        granit_parser::ScalarStyle::SingleQuoted => Style::SingleQuoted,
                        granit_parser::ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                        granit_parser::ScalarStyle::Literal => Style::Literal,
                        granit_parser::ScalarStyle::Folded => Style::Folded,
                    },
                    tag: Tag::of(tag.as_deref()),
                };
                let id = self.push(location, Kind::Scalar(scalar), 1)?;
                self.set_anchor(anchor, id);
                self.attach(id, location)
            }
            Event::SequenceStart(_, anchor, _) => self.open_container(anchor, location, false),
            Event::MappingStart(_, anchor, _) => self.open_container(anchor, location, true),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.open.pop() else {
                    return Err(Error::at("list or mapping end with no start", location));
                };
                let events = open.events.saturating_add(1);
                self.weights[open.id.index()] = events;
                match &mut self.nodes[open.id.index()].kind {
                    Kind::Sequence(items) => *items = open.children,
                    Kind::Mapping(entries) => {
                        *entries = open
                            .children
                            .chunks_exact(2)
                            .map(|pair| (pair[0], pair[1]))
                            .collect();
                    }
                    _ => {}
                }
                self.set_anchor(open.anchor, open.id);
                self.attach(open.id, location)
            }
            Event::Alias(anchor) => {
                self.alias_count += 1;
                if self.alias_count > MAX_ALIASES {
                    let aliases = self.alias_count;
                    return Err(Error::budget(
                        format_args!("Aliases {{ aliases: {aliases} }}"),
                        location,
                    ));
                }
                let target = self.anchors.get(anchor).copied().flatten();
                let (kind, weight) = match target {
                    Some(target) => (Kind::Alias(target), self.weights[target.index()]),
                    None if self.open.iter().any(|o| o.anchor == anchor && anchor != 0) => {
                        (Kind::Recursive, 1)
                    }
                    None => return Err(Error::at("alias references unknown anchor", location)),
                };
                self.replayed = self.replayed.saturating_add(weight);
                if self.replayed > MAX_REPLAYED_EVENTS {
                    return Err(Error::at(
                        format!(
                            "alias replay limit exceeded: total_replayed_events={} > {MAX_REPLAYED_EVENTS}",
                            MAX_REPLAYED_EVENTS + 1
                        ),
                        location,
                    ));
                }
                let id = self.push(location, kind, weight)?;
                self.attach(id, location)
            }
            Event::DocumentStart(..) => {
                self.documents += 1;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn open_container(
        &mut self,
        anchor: usize,
        location: Location,
        mapping: bool,
    ) -> Result<(), Error> {
        self.count_node(location)?;
        self.count_anchor(anchor, location)?;
        if self.open.len() >= MAX_DEPTH {
            let depth = self.open.len() + 1;
            return Err(Error::budget(
                format_args!("Depth {{ depth: {depth} }}"),
                location,
            ));
        }
        let kind = if mapping {
            Kind::Mapping(Vec::new())
        } else {
            Kind::Sequence(Vec::new())
        };
        let id = self.push(location, kind, 0)?;
        self.open.push(Open {
            id,
            anchor,
            children: Vec::new(),
            events: 1,
        });
        Ok(())
    }

    fn count_node(&mut self, location: Location) -> Result<(), Error> {
        self.node_count += 1;
        if self.node_count > MAX_NODES {
            let nodes = self.node_count;
            return Err(Error::budget(
                format_args!("Nodes {{ nodes: {nodes} }}"),
                location,
            ));
        }
        Ok(())
    }

    fn count_anchor(&mut self, anchor: usize, location: Location) -> Result<(), Error> {
        if anchor != 0 {
            self.anchor_count += 1;
            if self.anchor_count > MAX_ANCHORS {
                let anchors = self.anchor_count;
                return Err(Error::budget(
                    format_args!("Anchors {{ anchors: {anchors} }}"),
                    location,
                ));
            }
        }
        Ok(())
    }

    fn push(&mut self, location: Location, kind: Kind<'a>, weight: usize) -> Result<NodeId, Error> {
        let id = u32::try_from(self.nodes.len()).map_err(|_| {
            Error::budget(
                format_args!("Nodes {{ nodes: {} }}", self.nodes.len()),
                location,
            )
        })?;
        self.nodes.push(Node { location, kind });
        self.weights.push(weight);
        Ok(NodeId(id))
    }

    fn set_anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor == 0 {
            return;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some(id);
    }

    fn attach(&mut self, id: NodeId, location: Location) -> Result<(), Error> {
        let weight = self.weights[id.index()];
        match self.open.last_mut() {
            Some(parent) => {
                parent.children.push(id);
                parent.events = parent.events.saturating_add(weight);
                Ok(())
            }
            None if self.root.is_none() => {
                self.root = Some(id);
                Ok(())
            }
            None => Err(Error::at(
                "multiple YAML documents detected; use from_str_multiple or from_str_multiple_with_options",
                location,
            )),
        }
    }

    fn finish(self) -> Result<Tree<'a>, Error> {
        let mut nodes = self.nodes;
        let root = match self.root {
            Some(root) => root,
            None => {
                let id = NodeId(u32::try_from(nodes.len()).unwrap_or(u32::MAX));
                nodes.push(Node {
                    location: Location { line: 1, column: 1 },
                    kind: Kind::Scalar(Scalar {
                        text: Cow::Borrowed(""),
                        style: Style::Plain,
                        tag: Tag::Null,
                    }),
                });
                id
            }
        };
        Ok(Tree { nodes, root })
    }
}
