//! The reader this one replaced (serde-saphyr's `Spanned` values), kept as a test oracle:
//! on every input the old one read, the new one must build the same tree, position for
//! position, and it must refuse what the old one refused.

use std::fmt;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::compare::difference;
use crate::model::node::{ByteSpan, Node, Value};

struct OldNode(Node<'static>);

impl<'de> Deserialize<'de> for OldNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned: Spanned<OldValue> = Spanned::deserialize(deserializer)?;
        let loc = spanned.referenced;
        let span = loc.span();
        let span = match (span.byte_offset(), span.byte_len()) {
            (Some(o), Some(l)) => ByteSpan::new(o as usize, l as usize),
            _ => ByteSpan::UNKNOWN,
        };
        Ok(OldNode(Node {
            line: loc.line() as u32,
            col: loc.column() as u32,
            span,
            value: spanned.value.0,
        }))
    }
}

struct OldValue(Value<'static>);

impl<'de> Deserialize<'de> for OldValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OldVisitor).map(OldValue)
    }
}

struct OldVisitor;

impl<'de> Visitor<'de> for OldVisitor {
    type Value = Value<'static>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value<'static>, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value<'static>, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value<'static>, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Value<'static>, E> {
        Ok(Value::Number)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Value<'static>, E> {
        Ok(Value::Number)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Value<'static>, E> {
        Ok(Value::Number)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value<'static>, E> {
        Ok(Value::Str(v.to_owned().into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value<'static>, A::Error> {
        let mut items = Vec::new();
        while let Some(OldNode(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value<'static>, A::Error> {
        let mut entries = Vec::new();
        while let Some(OldNode(key)) = map.next_key()? {
            let OldNode(value) = map.next_value()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

fn old_parse(source: &str) -> Result<Node<'static>, String> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        reject_unsupported_tags: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_nodes: source.len().max(250_000),
            max_events: source.len().saturating_mul(4).max(1_000_000),
        },
    };
    serde_saphyr::from_str_with_options::<OldNode>(source, options)
        .map(|n| n.0)
        .map_err(|e| e.to_string())
}

/// What the new reader does with `source` that the old one did not, if anything.
pub fn disagreement(source: &str) -> Option<String> {
    let file: Arc<str> = "m.yaml".into();
    match (old_parse(source), super::parse(&file, source)) {
        (Ok(old), Ok(new)) => difference(&old, &new, "$"),
        (Err(_), Err(_)) => None,
        // The old reader refused `.inf` and `1e999` itself, in its own terms; the new one
        // reads them as numbers, which decoding then refuses as no whole number.
        (Err(old), Ok(_)) if old.starts_with("non-finite float") => None,
        // `!!binary` has no meaning in a model; the old reader let it through as text.
        (Ok(_), Err(new)) if new[0].message.contains("`!!binary` has no meaning") => None,
        (Ok(_), Err(new)) => Some(format!("only the new reader refuses: {}", new[0])),
        (Err(old), Ok(_)) => Some(format!("only the old reader refuses: {old}")),
    }
}
