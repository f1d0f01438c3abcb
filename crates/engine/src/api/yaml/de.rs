//! The one `serde::Deserializer` over a [`Tree`]: what serde-saphyr's `YamlDeserializer` does
//! with the same YAML, in its words and at its locations, for the options podplay uses
//! (serde-saphyr's defaults: YAML 1.1 booleans, duplicate keys refused, merge keys merged,
//! non-finite floats refused where no type asks for a float).
//!
//! Kubernetes types are many and their visitors are generic over the deserializer, so every
//! method here is a thin call into non-generic code that reads the node ([`Cursor`]), then one
//! visitor call. Start at [`from_tree`].
//!
//! Where an error is placed mirrors serde-saphyr: the deserializer's own errors at the node that
//! fails; serde's structural errors (`invalid type`, `unknown field`, `missing field`, ...) at
//! the key being read (or the mapping, before its first key), or at the sequence item; serde's
//! custom errors at the value being read.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::{Error, Kind, Location, NodeId, Origin, Scalar, Style, Tag, Tree, MAX_DEPTH};

/// Reads a `T` from the node `node` of `tree`.
pub fn from_tree<T: de::DeserializeOwned>(tree: &Tree<'_>, node: NodeId) -> Result<T, Error> {
    T::deserialize(Deserializer::new(tree, node))
}

impl de::Error for Error {
    #[cold]
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error {
            message: msg.to_string(),
            location: None,
            origin: Origin::SerdeCustom,
        }
    }

    #[cold]
    fn invalid_type(unexp: de::Unexpected, exp: &dyn de::Expected) -> Self {
        structural(format!("invalid type: {unexp}, expected {exp}"))
    }

    #[cold]
    fn invalid_value(unexp: de::Unexpected, exp: &dyn de::Expected) -> Self {
        structural(format!("invalid value: {unexp}, expected {exp}"))
    }

    #[cold]
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        structural(format!("invalid length {len}, expected {exp}"))
    }

    #[cold]
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        structural(format!(
            "unknown variant `{variant}`, expected one of {}",
            expected.join(", ")
        ))
    }

    #[cold]
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        structural(format!(
            "unknown field `{field}`, expected one of {}",
            expected.join(", ")
        ))
    }

    #[cold]
    fn missing_field(field: &'static str) -> Self {
        structural(format!("missing field `{field}`"))
    }
}

fn structural(message: String) -> Error {
    Error {
        message,
        location: None,
        origin: Origin::SerdeStructural,
    }
}

/// serde-saphyr's `MissingFieldLocationGuard`: where serde's structural errors go.
fn place_structural(err: Error, location: Location) -> Error {
    if err.location.is_none() && err.origin == Origin::SerdeStructural {
        err.or_at(location)
    } else {
        err
    }
}

/// A value read with where it is written: `line` and `column` of the node (of the alias, for
/// a value reached through one), and the node itself, to read it again as another type.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub location: Location,
    pub node: NodeId,
    pub value: T,
}

/// The newtype name that asks [`Deserializer`] for a [`Located`]; no other deserializer
/// knows it.
const LOCATED: &str = "$podplay::yaml::Located";

impl<'de, T: de::Deserialize<'de>> de::Deserialize<'de> for Located<T> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: de::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Located<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a located YAML value")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Located<T>, A::Error> {
                let missing = || de::Error::custom("a located value needs its location");
                let line: u64 = seq.next_element()?.ok_or_else(missing)?;
                let column: u64 = seq.next_element()?.ok_or_else(missing)?;
                let node: u32 = seq.next_element()?.ok_or_else(missing)?;
                let value: T = seq.next_element()?.ok_or_else(missing)?;
                Ok(Located {
                    location: Location { line, column },
                    node: NodeId(node),
                    value,
                })
            }
        }
        deserializer.deserialize_newtype_struct(LOCATED, V(std::marker::PhantomData))
    }
}

/// The position of a read: a node (aliases followed) and where its value is used.
#[derive(Clone, Copy)]
struct Cursor<'t, 'a> {
    tree: &'t Tree<'a>,
    /// The node read (never an alias).
    node: NodeId,
    /// Where the value is used: the alias for a value reached through one, else the node.
    used_at: Location,
    /// Containers entered so far, against [`MAX_DEPTH`].
    depth: usize,
}

/// What `deserialize_any` found, decided by plain code so the generic part is one `match`.
enum Any<'t> {
    Unit,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'t, str>),
    Seq,
    Map,
}

impl<'t, 'a> Cursor<'t, 'a> {
    fn new(tree: &'t Tree<'a>, id: NodeId, depth: usize) -> Cursor<'t, 'a> {
        let used_at = tree.node(id).location;
        Cursor {
            tree,
            node: tree.resolve(id),
            used_at,
            depth,
        }
    }

    fn location(&self) -> Location {
        self.tree.node(self.node).location
    }

    fn kind(&self) -> &'t Kind<'a> {
        &self.tree.node(self.node).kind
    }

    fn scalar(&self) -> Option<&'t Scalar<'a>> {
        match self.kind() {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// serde-saphyr's errors for a node that is not what was asked for.
    fn unexpected(&self, expected: &str) -> Error {
        match self.kind() {
            Kind::Recursive => recursive(self.location()),
            _ => Error::at(format!("expected {expected}"), self.location()),
        }
    }

    /// A scalar's text for a typed read (`take_scalar_cow_event`), checking its tag against
    /// the target's (`validate_scalar_tag`).
    fn typed_text(&self, expected: Tag, ty: &'static str) -> Result<(&'t str, Location), Error> {
        let s = self
            .scalar()
            .ok_or_else(|| self.unexpected("string scalar"))?;
        let compatible = s.tag == expected
            || matches!(
                s.tag,
                Tag::None | Tag::Other | Tag::Merge | Tag::NonSpecific
            );
        if !compatible {
            return Err(invalid(ty, self.location()));
        }
        Ok((&s.text, self.location()))
    }

    fn bool(&self) -> Result<bool, Error> {
        let (text, at) = self.typed_text(Tag::Bool, "boolean")?;
        parse_yaml11_bool(text).ok_or_else(|| invalid("boolean", at))
    }

    fn signed(&self, ty: &'static str) -> Result<i128, Error> {
        let (text, at) = self.typed_text(Tag::Int, ty)?;
        parse_int_signed(text).ok_or_else(|| invalid(ty, at))
    }

    fn unsigned(&self, ty: &'static str) -> Result<u128, Error> {
        let (text, at) = self.typed_text(Tag::Int, ty)?;
        parse_int_unsigned(text).ok_or_else(|| invalid(ty, at))
    }

    fn float(&self) -> Result<f64, Error> {
        let (text, at) = self.typed_text(Tag::Float, "floating point")?;
        let tag = self.scalar().map_or(Tag::None, |s| s.tag);
        parse_yaml12_float(text, tag).ok_or_else(|| invalid("floating point", at))
    }

    /// `deserialize_str` / `deserialize_string`: a plain null-like scalar is not a string;
    /// a `!!binary` one is its decoded text.
    fn string(&self) -> Result<Cow<'t, str>, Error> {
        let s = self
            .scalar()
            .ok_or_else(|| self.unexpected("string scalar"))?;
        if (s.tag == Tag::Null || is_nullish(&s.text, s.style)) && !s.tag.forces_string() {
            return Err(Error::at(
                "cannot deserialize null into string; use Option<String>",
                self.location(),
            ));
        }
        if s.tag == Tag::Binary {
            return binary_text(&s.text, self.location()).map(Cow::Owned);
        }
        if !s.tag.can_parse_into_string() {
            return Err(Error::at(
                "cannot deserialize tagged scalar into string",
                self.location(),
            ));
        }
        Ok(Cow::Borrowed(&s.text))
    }

    fn char(&self) -> Result<char, Error> {
        if let Some(s) = self.scalar() {
            if !s.tag.forces_string() && (s.tag == Tag::Null || is_nullish(&s.text, s.style)) {
                return Err(Error::at(
                    "invalid char: cannot deserialize null; use Option<char>",
                    self.location(),
                ));
            }
        }
        let (text, at) = self.typed_text(Tag::Str, "char")?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(Error::at(
                "invalid char: expected a single Unicode scalar value",
                at,
            )),
        }
    }

    /// Whether `deserialize_option` / `deserialize_unit` read this node as null.
    fn is_null(&self) -> bool {
        self.scalar()
            .is_some_and(|s| is_null(s.tag, &s.text, s.style))
    }

    /// serde-saphyr's `deserialize_any`: explicit tags first, then plain scalars resolved
    /// null → bool → int → float → string; quoted and block scalars are strings.
    fn any(&self) -> Result<Any<'t>, Error> {
        let s = match self.kind() {
            Kind::Scalar(s) => s,
            Kind::Sequence(_) => return Ok(Any::Seq),
            Kind::Mapping(_) => return Ok(Any::Map),
            Kind::Recursive | Kind::Alias(_) => return Err(recursive(self.location())),
        };
        let at = self.location();
        match s.tag {
            Tag::Null => return Ok(Any::Unit),
            Tag::Bool => return self.bool().map(Any::Bool),
            Tag::Int if yaml_trim(&s.text).starts_with('-') => {
                return i64::try_from(self.signed("i64")?)
                    .map(Any::I64)
                    .map_err(|_| invalid("i64", at));
            }
            Tag::Int => {
                return u64::try_from(self.unsigned("u64")?)
                    .map(Any::U64)
                    .map_err(|_| invalid("u64", at));
            }
            Tag::Float => {
                let v = parse_float_incl_overflow(&s.text, s.tag)
                    .ok_or_else(|| invalid("floating point", at))?;
                return finite(v, &s.text, at).map(Any::F64);
            }
            _ => {}
        }
        if is_null(s.tag, &s.text, s.style) {
            return Ok(Any::Unit);
        }
        if s.tag == Tag::Binary {
            return binary_text(&s.text, at).map(|t| Any::Str(Cow::Owned(t)));
        }
        if s.style != Style::Plain || !s.tag.can_parse_into_string() || s.tag.forces_string() {
            if !s.tag.can_parse_into_string() {
                return Err(Error::at(
                    "cannot deserialize tagged scalar into string",
                    at,
                ));
            }
            return Ok(Any::Str(Cow::Borrowed(&s.text)));
        }
        if let Some(b) = parse_yaml11_bool(&s.text) {
            return Ok(Any::Bool(b));
        }
        let t = yaml_trim(&s.text);
        let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
        if matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]) || is_signed_nan(t) {
            return Ok(Any::Str(Cow::Borrowed(&s.text)));
        }
        if t.starts_with('-') {
            if !leading_zero_decimal(t) {
                if let Some(v) = parse_int_signed(t).and_then(|v| i64::try_from(v).ok()) {
                    return Ok(Any::I64(v));
                }
            }
        } else if let Some(v) = parse_int_unsigned(t).and_then(|v| u64::try_from(v).ok()) {
            return Ok(Any::U64(v));
        }
        if let Some(v) = parse_float_incl_overflow(&s.text, s.tag) {
            return finite(v, &s.text, at).map(Any::F64);
        }
        Ok(Any::Str(Cow::Borrowed(&s.text)))
    }

    /// Enters a sequence or mapping: serde-saphyr's `Cfg::enter_container` depth budget.
    fn enter(&self) -> Result<usize, Error> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(Error::at(
                format!("budget breached: Depth {{ depth: {depth} }}"),
                self.location(),
            ));
        }
        Ok(depth)
    }

    fn sequence(&self) -> Result<(&'t [NodeId], usize), Error> {
        match self.kind() {
            Kind::Sequence(items) => Ok((items, self.enter()?)),
            _ => Err(self.unexpected("sequence start")),
        }
    }

    fn mapping(&self) -> Result<(Entries, usize), Error> {
        match self.kind() {
            Kind::Mapping(_) => {
                let depth = self.enter()?;
                Ok((entries(self.tree, self.node, depth)?, depth))
            }
            _ => Err(self.unexpected("mapping start")),
        }
    }
}

fn recursive(location: Location) -> Error {
    Error::at(
        "recursive references require weak recursion types",
        location,
    )
}

fn invalid(ty: &str, location: Location) -> Error {
    Error::at(format!("invalid {ty}"), location)
}

/// serde-saphyr refuses non-finite floats where no type asks for a float
/// (`reject_non_finite_typeless_float`).
fn finite(v: f64, raw: &str, location: Location) -> Result<f64, Error> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::at(
            format!("non-finite float `{raw}` rejected by the configured policy"),
            location,
        ))
    }
}

/// A mapping's entries as serde sees them: the explicit ones in order, then those merge keys
/// (`<<`) bring in, each key once.
struct Entries {
    explicit: Vec<(NodeId, NodeId)>,
    merged: Vec<(NodeId, NodeId)>,
}

fn is_merge_key(tree: &Tree<'_>, key: NodeId) -> bool {
    match &tree.node(tree.resolve(key)).kind {
        Kind::Scalar(s) => {
            s.text == "<<" && (s.tag == Tag::Merge || s.tag == Tag::None && s.style == Style::Plain)
        }
        _ => false,
    }
}

/// Collects a mapping's entries, expanding merge keys as serde-saphyr does: a merged mapping
/// (or each of a sequence of them) contributes the keys not already present; an empty value
/// merges nothing. Merges nest (a merged mapping may merge others) at most [`MAX_DEPTH`] deep.
fn entries(tree: &Tree<'_>, map: NodeId, depth: usize) -> Result<Entries, Error> {
    let Kind::Mapping(all) = &tree.node(map).kind else {
        return Ok(Entries {
            explicit: Vec::new(),
            merged: Vec::new(),
        });
    };
    let mut explicit = Vec::with_capacity(all.len());
    let mut merged = Vec::new();
    for &(k, v) in all {
        if !is_merge_key(tree, k) {
            explicit.push((k, v));
            continue;
        }
        let value = Cursor::new(tree, v, depth);
        let sources: Vec<NodeId> = match value.kind() {
            Kind::Mapping(_) => vec![value.node],
            Kind::Sequence(items) => items.clone(),
            Kind::Scalar(s) if is_null(s.tag, &s.text, s.style) => Vec::new(),
            Kind::Recursive => Vec::new(),
            _ => {
                return Err(Error::at(
                    "YAML merge value must be mapping or sequence of mappings",
                    value.location(),
                ))
            }
        };
        for source in sources {
            let source = Cursor::new(tree, source, depth);
            if !matches!(source.kind(), Kind::Mapping(_)) {
                return Err(Error::at(
                    "YAML merge value must be mapping or sequence of mappings",
                    source.location(),
                ));
            }
            let depth = source.enter()?;
            let inner = entries(tree, source.node, depth)?;
            merged.extend(inner.explicit);
            merged.extend(inner.merged);
        }
    }
    Ok(Entries { explicit, merged })
}

/// What makes two keys the same key (serde-saphyr's `KeyFingerprint`): integers by value,
/// nulls alike, other scalars by tag and text; other keys are never compared.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Fingerprint<'t> {
    Integer(bool, u128),
    Null,
    Scalar(bool, &'t str),
    Unique(NodeId),
}

fn fingerprint<'t>(tree: &'t Tree<'_>, key: NodeId) -> Fingerprint<'t> {
    let id = tree.resolve(key);
    let Kind::Scalar(s) = &tree.node(id).kind else {
        return Fingerprint::Unique(id);
    };
    if s.tag == Tag::Null || s.tag == Tag::None && is_nullish(&s.text, s.style) {
        return Fingerprint::Null;
    }
    if s.tag == Tag::Int || s.tag == Tag::None && s.style == Style::Plain {
        let t = yaml_trim(&s.text);
        if let Some(v) = parse_int_signed(t) {
            return Fingerprint::Integer(v < 0, v.unsigned_abs());
        }
    }
    Fingerprint::Scalar(s.tag.can_parse_into_string(), &s.text)
}

/// The deserializer: a node of a tree, read as serde asks.
pub struct Deserializer<'t, 'a> {
    at: Cursor<'t, 'a>,
}

impl<'t, 'a> Deserializer<'t, 'a> {
    pub fn new(tree: &'t Tree<'a>, node: NodeId) -> Self {
        Deserializer {
            at: Cursor::new(tree, node, 0),
        }
    }

    fn child(tree: &'t Tree<'a>, node: NodeId, depth: usize) -> Self {
        Deserializer {
            at: Cursor::new(tree, node, depth),
        }
    }
}

macro_rules! signed {
    ($($method:ident $visit:ident $ty:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let v = self.at.signed(stringify!($ty))?;
            let v = $ty::try_from(v).map_err(|_| invalid(stringify!($ty), self.at.location()))?;
            visitor.$visit(v)
        }
    )*};
}

macro_rules! unsigned {
    ($($method:ident $visit:ident $ty:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            let v = self.at.unsigned(stringify!($ty))?;
            let v = $ty::try_from(v).map_err(|_| invalid(stringify!($ty), self.at.location()))?;
            visitor.$visit(v)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Deserializer<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.at.any()? {
            Any::Unit => visitor.visit_unit(),
            Any::Bool(b) => visitor.visit_bool(b),
            Any::I64(v) => visitor.visit_i64(v),
            Any::U64(v) => visitor.visit_u64(v),
            Any::F64(v) => visitor.visit_f64(v),
            Any::Str(s) => visitor.visit_str(&s),
            Any::Seq => self.deserialize_seq(visitor),
            Any::Map => self.deserialize_map(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_bool(self.at.bool()?)
    }

    signed!(deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16, deserialize_i32 visit_i32 i32,
        deserialize_i64 visit_i64 i64, deserialize_i128 visit_i128 i128);
    unsigned!(deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16, deserialize_u32 visit_u32 u32,
        deserialize_u64 visit_u64 u64, deserialize_u128 visit_u128 u128);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // serde-saphyr parses as f32 directly; through f64 rounds the same for YAML's
        // decimal spellings.
        visitor.visit_f32(self.at.float()? as f32)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(self.at.float()?)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_char(self.at.char()?)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(&self.at.string()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str(&self.at.string()?)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Error> {
        Err(Error::at(
            "bytes not supported (missing !!binary tag)",
            self.at.location(),
        ))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.at.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.at.is_null() {
            visitor.visit_unit()
        } else {
            Err(Error::at("unexpected value for unit", self.at.location()))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.at.kind() {
            Kind::Mapping(entries) if entries.is_empty() => visitor.visit_unit(),
            Kind::Mapping(entries) => Err(Error::at(
                "expected empty mapping for unit struct",
                self.at.tree.node(entries[0].0).location,
            )),
            _ => self.deserialize_unit(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == LOCATED {
            return visitor.visit_seq(LocatedAccess {
                at: self.at,
                field: 0,
            });
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(SeqAccess::open(self.at)?)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut access = MapAccess::open(self.at)?;
        match visitor.visit_map(&mut access) {
            Ok(value) => access.close().map(|()| value),
            Err(err) => Err(access.failed(err)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.at.kind() {
            Kind::Scalar(_) => {
                visitor.visit_enum(self.at.string()?.into_owned().into_deserializer())
            }
            Kind::Mapping(_) => {
                let (entries, depth) = self.at.mapping()?;
                match entries.explicit.as_slice() {
                    [(k, v)] if entries.merged.is_empty() => visitor.visit_enum(EnumAccess {
                        tree: self.at.tree,
                        key: *k,
                        value: *v,
                        depth,
                    }),
                    _ => Err(Error::at(
                        "externally tagged enum expected scalar or mapping",
                        self.at.location(),
                    )),
                }
            }
            _ => Err(Error::at(
                "externally tagged enum expected scalar or mapping",
                self.at.location(),
            )),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_any(visitor)
    }
}

/// The fields of a [`Located`]: line, column, node, then the value itself.
struct LocatedAccess<'t, 'a> {
    at: Cursor<'t, 'a>,
    field: u8,
}

impl<'de> de::SeqAccess<'de> for LocatedAccess<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.field += 1;
        let number = match self.field {
            1 => self.at.used_at.line,
            2 => self.at.used_at.column,
            3 => u64::from(self.at.node.0),
            4 => return seed.deserialize(Deserializer { at: self.at }).map(Some),
            _ => return Ok(None),
        };
        seed.deserialize(number.into_deserializer()).map(Some)
    }
}

struct SeqAccess<'t, 'a> {
    tree: &'t Tree<'a>,
    items: std::slice::Iter<'t, NodeId>,
    depth: usize,
}

// The non-generic halves of the accessors, kept out of line: every Kubernetes type's visitor
// instantiates the generic halves, so what they share is written once here.
impl<'t, 'a> SeqAccess<'t, 'a> {
    #[inline(never)]
    fn open(at: Cursor<'t, 'a>) -> Result<SeqAccess<'t, 'a>, Error> {
        let (items, depth) = at.sequence()?;
        Ok(SeqAccess {
            tree: at.tree,
            items: items.iter(),
            depth,
        })
    }

    #[inline(never)]
    fn next_item(&mut self) -> Option<Deserializer<'t, 'a>> {
        let item = *self.items.next()?;
        Some(Deserializer::child(self.tree, item, self.depth))
    }
}

#[cold]
#[inline(never)]
fn or_at(err: Error, location: Location) -> Error {
    err.or_at(location)
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(de) = self.next_item() else {
            return Ok(None);
        };
        let used_at = de.at.used_at;
        seed.deserialize(de)
            .map(Some)
            .map_err(|e| or_at(e, used_at))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'t, 'a> {
    tree: &'t Tree<'a>,
    entries: Entries,
    /// The next entry to hand out, in `explicit` then (once `merging`) in `merged`.
    next: usize,
    merging: bool,
    seen: HashSet<Fingerprint<'t>>,
    /// The value of the key just handed out.
    value: Option<NodeId>,
    /// Where serde's structural errors go: the last key read, else the mapping.
    fallback: Location,
    /// Where the value being read is used (its alias, for one reached through an alias).
    value_used_at: Location,
    depth: usize,
}

impl<'t, 'a> MapAccess<'t, 'a> {
    #[inline(never)]
    fn open(at: Cursor<'t, 'a>) -> Result<MapAccess<'t, 'a>, Error> {
        let (entries, depth) = at.mapping()?;
        Ok(MapAccess {
            tree: at.tree,
            entries,
            next: 0,
            merging: false,
            seen: HashSet::new(),
            value: None,
            fallback: at.used_at,
            value_used_at: at.used_at,
            depth,
        })
    }

    /// After the visitor is done: a visitor that stops early leaves entries, and serde-saphyr
    /// reads one more and refuses it.
    #[inline(never)]
    fn close(mut self) -> Result<(), Error> {
        if self.value.is_some() || self.next_key_deserializer()?.is_some() {
            return Err(Error::at("expected mapping end", self.fallback));
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn failed(self, err: Error) -> Error {
        place_structural(err, self.fallback)
    }

    /// The next key to read, and the value's node kept for [`Self::next_value_deserializer`].
    #[inline(never)]
    fn next_key_deserializer(&mut self) -> Result<Option<Deserializer<'t, 'a>>, Error> {
        let Some((key, value)) = self.next_entry()? else {
            return Ok(None);
        };
        let de = Deserializer::child(self.tree, key, self.depth);
        self.fallback = de.at.location();
        self.value = Some(value);
        Ok(Some(de))
    }

    #[inline(never)]
    fn next_value_deserializer(&mut self) -> Result<Deserializer<'t, 'a>, Error> {
        let Some(value) = self.value.take() else {
            return Err(Error::at("value requested before key", self.fallback));
        };
        let de = Deserializer::child(self.tree, value, self.depth);
        self.value_used_at = de.at.used_at;
        Ok(de)
    }

    #[cold]
    #[inline(never)]
    fn value_failed(&self, err: Error) -> Error {
        place_structural(err, self.fallback).or_at(self.value_used_at)
    }

    /// The next entry serde should see: explicit entries (a repeated key is an error), then
    /// merged ones whose key is not there yet.
    fn next_entry(&mut self) -> Result<Option<(NodeId, NodeId)>, Error> {
        let tree = self.tree;
        loop {
            let list = if self.merging {
                &self.entries.merged
            } else {
                &self.entries.explicit
            };
            let Some(&(key, value)) = list.get(self.next) else {
                if self.merging {
                    return Ok(None);
                }
                self.merging = true;
                self.next = 0;
                continue;
            };
            self.next += 1;
            let fresh = self.seen.insert(fingerprint(tree, key));
            if fresh {
                return Ok(Some((key, value)));
            }
            if !self.merging {
                let node = tree.node(tree.resolve(key));
                let name = match &node.kind {
                    Kind::Scalar(s) if s.tag.can_parse_into_string() => {
                        format!("duplicate mapping key: {}, ", s.text)
                    }
                    _ => "duplicate mapping key, ".to_string(),
                };
                return Err(Error::at(
                    format!("{name}set DuplicateKeyPolicy in Options if acceptable"),
                    tree.node(key).location,
                ));
            }
        }
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some(de) = self.next_key_deserializer()? else {
            return Ok(None);
        };
        match seed.deserialize(de) {
            Ok(key) => Ok(Some(key)),
            Err(err) => Err(or_at(err, self.fallback)),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let de = self.next_value_deserializer()?;
        seed.deserialize(de).map_err(|e| self.value_failed(e))
    }
}

struct EnumAccess<'t, 'a> {
    tree: &'t Tree<'a>,
    key: NodeId,
    value: NodeId,
    depth: usize,
}

impl<'de, 't, 'a> de::EnumAccess<'de> for EnumAccess<'t, 'a> {
    type Error = Error;
    type Variant = Deserializer<'t, 'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let key = Deserializer::child(self.tree, self.key, self.depth);
        let location = key.at.location();
        let variant = seed.deserialize(key).map_err(|e| e.or_at(location))?;
        Ok((
            variant,
            Deserializer::child(self.tree, self.value, self.depth),
        ))
    }
}

impl<'de> de::VariantAccess<'de> for Deserializer<'_, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

// --- serde-saphyr's scalar rules (`parse_scalars.rs`) ---------------------------------------

fn yaml_trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

/// YAML 1.1's booleans, as serde-saphyr reads them by default (`strict_booleans: false`).
pub(crate) fn parse_yaml11_bool(s: &str) -> Option<bool> {
    let t = yaml_trim(s);
    let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if is(&["true", "yes", "y", "on"]) {
        Some(true)
    } else if is(&["false", "no", "n", "off"]) {
        Some(false)
    } else {
        None
    }
}

/// Plain `""`, `~`, `null`, `Null`, `NULL`.
pub(crate) fn is_nullish(text: &str, style: Style) -> bool {
    style == Style::Plain && matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A null where a type may be null: tagged `!!null`, or an untagged (or unknown-tagged)
/// null-like plain scalar.
pub(crate) fn is_null(tag: Tag, text: &str, style: Style) -> bool {
    tag == Tag::Null
        || (!tag.is_core()
            && !tag.forces_string()
            && !matches!(tag, Tag::Binary | Tag::Timestamp)
            && is_nullish(text, style))
}

fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_signed_nan(t: &str) -> bool {
    t.strip_prefix(['+', '-'])
        .is_some_and(|rest| matches!(rest, ".nan" | ".NaN" | ".NAN"))
}

/// Digits in `radix` with single `_` separators between them.
fn parse_digits(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let ok = i > 0 && bytes[i - 1] != b'_' && i + 1 < bytes.len() && bytes[i + 1] != b'_';
            if !ok {
                return None;
            }
            continue;
        }
        let d = char::from(b).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(value)
}

fn radix_and_digits(rest: &str) -> (u32, &str) {
    for (prefixes, radix) in [(["0x", "0X"], 16), (["0o", "0O"], 8), (["0b", "0B"], 2)] {
        for p in prefixes {
            if let Some(digits) = rest.strip_prefix(p) {
                return (radix, digits);
            }
        }
    }
    (10, rest)
}

/// serde-saphyr's `parse_int_signed` (no legacy octal): decimal without leading zeros, or
/// `0x`/`0o`/`0b`, an optional sign, `_` between digits.
pub(crate) fn parse_int_signed(s: &str) -> Option<i128> {
    let t = yaml_trim(s);
    let (negative, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        },
    };
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let magnitude = parse_digits(digits, radix)?;
    if negative {
        if magnitude == i128::MAX as u128 + 1 {
            return Some(i128::MIN);
        }
        i128::try_from(magnitude).ok()?.checked_neg()
    } else {
        i128::try_from(magnitude).ok()
    }
}

/// serde-saphyr's `parse_int_unsigned`.
pub(crate) fn parse_int_unsigned(s: &str) -> Option<u128> {
    let t = yaml_trim(s);
    if t.starts_with('-') {
        return None;
    }
    let rest = t.strip_prefix('+').unwrap_or(t);
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    parse_digits(digits, radix)
}

/// serde-saphyr's `parse_yaml12_float`: `.inf`/`.nan` spellings, else Rust's float syntax,
/// finite only.
pub(crate) fn parse_yaml12_float(s: &str, tag: Tag) -> Option<f64> {
    let t = yaml_trim(s);
    if tag == Tag::Float && is_signed_nan(t) {
        let nan = f64::NAN;
        return Some(if t.starts_with('-') { -nan } else { nan });
    }
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// serde-saphyr's `try_parse_float_incl_overflow`: also a decimal too large for f64 (`1e999`).
fn parse_float_incl_overflow(s: &str, tag: Tag) -> Option<f64> {
    if let Some(v) = parse_yaml12_float(s, tag) {
        return Some(v);
    }
    let t = yaml_trim(s);
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if !unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_infinite())
}

/// A `!!binary` scalar read as a string: its base64 decoded, as UTF-8 (serde-saphyr's
/// `decode_base64_yaml`: whitespace skipped, padding required).
fn binary_text(text: &str, location: Location) -> Result<String, Error> {
    let bad = || Error::at("invalid !!binary base64", location);
    let mut bits: u32 = 0;
    let mut count = 0u8;
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut padding = false;
    let mut length = 0usize;
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        length += 1;
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            _ => return Err(bad()),
        };
        if padding {
            return Err(bad());
        }
        bits = bits << 6 | u32::from(v);
        count += 1;
        if count == 4 {
            out.extend_from_slice(&bits.to_be_bytes()[1..]);
            (bits, count) = (0, 0);
        }
    }
    if !length.is_multiple_of(4) {
        return Err(bad());
    }
    match count {
        0 => {}
        2 => out.push((bits >> 4) as u8),
        3 => out.extend_from_slice(&((bits >> 2) as u16).to_be_bytes()),
        _ => return Err(bad()),
    }
    String::from_utf8(out).map_err(|_| {
        Error::at(
            "!!binary scalar is not valid UTF-8 so cannot be stored into string. \
             If you just use !!binary for documentation/annotation, set ignore_binary_tag_for_string in Options",
            location,
        )
    })
}
