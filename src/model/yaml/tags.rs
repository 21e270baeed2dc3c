//! What a YAML tag means in a model: YAML's own core tags (`!!str`, `!!int`, `!!map` …) and
//! the non-specific `!` are accepted; any other tag (CloudFormation's `!Ref`, `!!binary`) is
//! an error, since a model is not a template.

use granit_parser::{Span, Tag};

use super::scalar::Plain;

pub enum Meaning {
    Untagged,
    /// `!` alone: a scalar is text, a collection stays as it is.
    NonSpecific,
    /// `!!str`.
    Str,
    /// `!!int` and `!!float` (a number), `!!bool`, `!!null`.
    Typed(Plain),
    /// `!!seq` (`false`) or `!!map` (`true`).
    Collection(bool),
    Foreign,
}

pub fn meaning(tag: Option<&Tag>) -> Meaning {
    let Some(tag) = tag else {
        return Meaning::Untagged;
    };
    if tag.handle() == "!" && tag.suffix().is_empty() {
        return Meaning::NonSpecific;
    }
    if !tag.is_yaml_core_schema() {
        return Meaning::Foreign;
    }
    match tag.suffix() {
        "str" => Meaning::Str,
        "int" | "float" => Meaning::Typed(Plain::Number),
        "bool" => Meaning::Typed(Plain::Bool(true)),
        "null" => Meaning::Typed(Plain::Null),
        "seq" => Meaning::Collection(false),
        "map" => Meaning::Collection(true),
        _ => Meaning::Foreign,
    }
}

/// `!!merge`, which YAML allows on a `<<` key.
pub fn is_merge(tag: &Tag) -> bool {
    tag.handle() == "tag:yaml.org,2002:" && tag.suffix() == "merge"
}

/// The tag as written, and where.
pub fn written(source: &str, span: Span, tag: &Tag) -> (String, Span) {
    match span.tag_span() {
        Some(at) => {
            let text = at.slice(source).map_or_else(|| spelled(tag), str::to_owned);
            (text, at)
        }
        None => (spelled(tag), span),
    }
}

fn spelled(tag: &Tag) -> String {
    format!("{}{}", tag.original_handle(), tag.suffix())
}
