//! Mapping keys: duplicates are errors (YAML would keep one, and a dropped role or grant
//! is a silent permission change), and `<<` merges in the entries a mapping lacks.

use std::collections::HashSet;

use super::Fault;
use super::build::relocate;
use crate::model::node::{Node, Value};

/// What makes two keys the same key: `a` and `"a"` are, `1` and `"1"` are not.
fn identity<'a>(source: &'a str, key: &'a Node<'_>) -> Option<(u8, &'a str)> {
    match &key.value {
        Value::Str(text) => Some((0, text)),
        Value::Null => Some((1, "")),
        Value::Bool(b) => Some((2, if *b { "true" } else { "false" })),
        Value::Number => Some((3, key.spelling(source)?)),
        Value::Seq(_) | Value::Map(_) => None,
    }
}

/// A fault at every key that repeats an earlier one of the same mapping.
pub fn duplicates(source: &str, pairs: &[(Node, Node)]) -> Vec<Fault> {
    if pairs.len() <= 8 {
        return few_duplicates(source, pairs);
    }
    let mut keyed: Vec<((u8, &str), usize)> = pairs
        .iter()
        .enumerate()
        .filter_map(|(i, (key, _))| Some((identity(source, key)?, i)))
        .collect();
    keyed.sort_unstable();
    let mut faults = Vec::new();
    for group in keyed.chunk_by(|a, b| a.0 == b.0) {
        let first = &pairs[group[0].1].0;
        for &(_, later) in &group[1..] {
            faults.push(Fault::duplicate(source, &pairs[later].0, first));
        }
    }
    faults.sort_by_key(|fault| (fault.line, fault.col));
    faults
}

/// `duplicates` without the sort, for the small mappings that most are.
fn few_duplicates(source: &str, pairs: &[(Node, Node)]) -> Vec<Fault> {
    let mut faults = Vec::new();
    for (later, (key, _)) in pairs.iter().enumerate().skip(1) {
        let Some(id) = identity(source, key) else {
            continue;
        };
        let first = pairs[..later]
            .iter()
            .find(|(earlier, _)| identity(source, earlier) == Some(id));
        if let Some((first, _)) = first {
            faults.push(Fault::duplicate(source, key, first));
        }
    }
    faults
}

/// Whether a `<<` value can be merged: a mapping, a list of mappings, or nothing.
pub fn mergeable(value: &Node) -> bool {
    match &value.value {
        Value::Map(_) | Value::Null => true,
        Value::Seq(items) => items.iter().all(|i| matches!(i.value, Value::Map(_))),
        _ => false,
    }
}

/// Adds each merged entry whose key the mapping does not have yet: its own keys win, then
/// the merged mappings in the order written.
pub fn merge<'s>(source: &str, pairs: &mut Vec<(Node<'s>, Node<'s>)>, merges: Vec<Node<'s>>) {
    if merges.is_empty() {
        return;
    }
    let mut seen: HashSet<(u8, String)> = pairs
        .iter()
        .filter_map(|(key, _)| identity(source, key))
        .map(|(kind, text)| (kind, text.to_owned()))
        .collect();
    let mappings = merges.into_iter().flat_map(|merged| match merged.value {
        Value::Seq(items) => items,
        _ => vec![merged],
    });
    for mapping in mappings {
        let at = Node {
            value: Value::Null,
            ..mapping
        };
        let Value::Map(entries) = mapping.value else {
            continue;
        };
        for (mut key, mut value) in entries {
            // A merged entry is where its mapping is merged, as serde-saphyr had it.
            relocate(&mut key, &at);
            relocate(&mut value, &at);
            let fresh = match identity(source, &key) {
                Some((kind, text)) => seen.insert((kind, text.to_owned())),
                None => true,
            };
            if fresh {
                pairs.push((key, value));
            }
        }
    }
}
