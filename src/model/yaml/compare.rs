//! Two trees compared node for node, position included: the test oracles' judge, and the
//! fuzz target's check that the fast path builds the tree the full reader builds.

use std::sync::Arc;

use crate::model::node::{Node, Value};

/// Where `actual` first differs from `expected`, as a path of keys and indexes.
pub fn difference(expected: &Node, actual: &Node, path: &str) -> Option<String> {
    let here = |what: &str| {
        Some(format!(
            "{path}: {what}: expected {expected:?}, got {actual:?}"
        ))
    };
    let position = |node: &Node| (node.line, node.col, node.span);
    if position(expected) != position(actual) {
        return here("position");
    }
    match (&expected.value, &actual.value) {
        (Value::Seq(a), Value::Seq(b)) => {
            if a.len() != b.len() {
                return here("length");
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| difference(x, y, &format!("{path}[{i}]")))
        }
        (Value::Map(a), Value::Map(b)) => {
            if a.len() != b.len() {
                return here("length");
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, ((k, v), (l, w)))| {
                    difference(k, l, &format!("{path}.key{i}"))
                        .or_else(|| difference(v, w, &format!("{path}.{i}")))
                })
        }
        (Value::Null, Value::Null) | (Value::Number, Value::Number) => None,
        (Value::Bool(a), Value::Bool(b)) if a == b => None,
        (Value::Str(a), Value::Str(b)) if a == b => None,
        _ => here("value"),
    }
}

/// Where the fast path's tree for `source` differs from the full reader's, if it does;
/// nothing where the fast path leaves `source` to the full reader.
pub fn fast_path_disagreement(source: &str) -> Option<String> {
    let fast = super::fast::read(source)?;
    let file: Arc<str> = "m.yaml".into();
    match super::parse_events(&file, source) {
        Ok(full) => difference(&full, &fast, "$"),
        Err(errors) => Some(format!("only the fast path reads it: {}", errors[0])),
    }
}
