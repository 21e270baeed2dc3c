//! Every way the YAML of a model can be wrong, said in the model's terms.

use std::sync::Arc;

use granit_parser::{ErrorKind, ScanError, Span, Tag};

use super::build::MAX_DEPTH;
use super::tags;
use crate::diag::{Diagnostic, Loc};
use crate::model::node::Node;

#[derive(Debug)]
pub struct Fault {
    pub line: u32,
    pub col: u32,
    /// Characters to mark; 0 marks one.
    pub width: usize,
    pub message: String,
    pub hint: String,
}

fn position(span: Span) -> (u32, u32) {
    let clamp = |n: usize| n.min(u32::MAX as usize) as u32;
    (clamp(span.start.line()), clamp(span.start.col() + 1))
}

fn written(source: &str, span: Span) -> &str {
    span.slice(source).unwrap_or("").trim()
}

impl Fault {
    pub fn diagnostic(&self, file: &Arc<str>) -> Diagnostic {
        Diagnostic::at(
            &Loc::spanning(file, self.line, self.col, self.width),
            self.message.clone(),
        )
        .hint(self.hint.clone())
    }

    fn at(span: Span, message: String, hint: &str) -> Self {
        let (line, col) = position(span);
        Fault {
            line,
            col,
            width: span.len(),
            message,
            hint: hint.to_owned(),
        }
    }

    fn at_node(node: &Node, width: usize, message: String, hint: &str) -> Self {
        Fault {
            line: node.line,
            col: node.col,
            width,
            message,
            hint: hint.to_owned(),
        }
    }

    pub fn syntax(source: &str, error: &ScanError) -> Self {
        let mark = error.marker();
        let clamp = |n: usize| n.min(u32::MAX as usize) as u32;
        let (line, col) = (clamp(mark.line().max(1)), clamp(mark.col() + 1));
        let (message, hint) = match error.kind() {
            ErrorKind::UnknownAnchor => {
                let alias = mark
                    .byte_offset()
                    .and_then(|at| source.get(at..))
                    .map_or("", alias_token);
                (
                    format!("the alias `{alias}` names no anchor before it"),
                    format!(
                        "put `&{}` on the value it repeats, above this line, or fix the name",
                        alias.trim_start_matches('*')
                    ),
                )
            }
            ErrorKind::RecursionLimitExceeded => (
                format!("the model nests deeper than {MAX_DEPTH} levels here"),
                "a model needs fewer than ten levels: check the brackets and the indentation"
                    .to_owned(),
            ),
            _ => (
                format!("invalid YAML: {}", error.info()),
                "fix the YAML syntax at this position".to_owned(),
            ),
        };
        Fault {
            line,
            col,
            width: 0,
            message,
            hint,
        }
    }

    pub fn second_document(span: Span) -> Self {
        Fault::at(
            span,
            "a second YAML document starts here, but a model is one document".to_owned(),
            "remove this `---` line and what follows it, or move that part into the one document",
        )
    }

    pub fn duplicate(source: &str, key: &Node, first: &Node) -> Self {
        let text = key.spelling(source).unwrap_or("");
        Fault::at_node(
            key,
            text.chars().count(),
            format!(
                "duplicate key `{text}`: this mapping has it already at line {}",
                first.line
            ),
            "remove one of the two; YAML would keep only one, and a dropped key can change \
             permissions without a word",
        )
    }

    pub fn expansion(span: Span, max_nodes: usize) -> Self {
        Fault::at(
            span,
            format!(
                "the anchors and aliases here expand the model past {max_nodes} values, \
                 more than a model of its size can hold"
            ),
            "write the repeated part out, or repeat it through fewer aliases",
        )
    }

    pub fn too_many(span: Span) -> Self {
        Fault::at(
            span,
            format!(
                "the model holds more than {} values here; rolegraph reads at most that many",
                super::MAX_VALUES
            ),
            "a model of 10,000 accounts holds about 330,000: split this one into several models",
        )
    }

    pub fn depth(span: Span) -> Self {
        Fault::at(
            span,
            format!("the model nests deeper than {MAX_DEPTH} levels here"),
            "a model needs fewer than ten levels: check the brackets and the indentation",
        )
    }

    pub fn recursive_alias(source: &str, span: Span) -> Self {
        let alias = written(source, span);
        Fault::at(
            span,
            format!("the alias `{alias}` stands inside the value its anchor names"),
            "an alias cannot contain itself: write the inner value out",
        )
    }

    /// PyYAML rejects a plain `<<` there too, as a merge it cannot construct.
    pub fn merge_outside_key(node: &Node) -> Self {
        Fault::at_node(
            node,
            2,
            "`<<` is YAML's merge key, which only works as a mapping key".to_owned(),
            "quote it to keep it as text: \"<<\"",
        )
    }

    pub fn merge_value(value: &Node) -> Self {
        Fault::at_node(
            value,
            0,
            format!(
                "`<<` merges a mapping or a list of mappings into this one, not {}",
                value.kind()
            ),
            "write `<<: *name`, where the anchor `&name` is on a mapping",
        )
    }

    pub fn tag(source: &str, span: Span, tag: Option<&Tag>) -> Self {
        let (tag, at) = tag_at(source, span, tag);
        Fault::at(
            at,
            format!("the YAML tag `{tag}` has no meaning in a model"),
            "the model is not a template: write the value itself (a role key, an ARN, or \
             `{ input: NAME }` for a deploy-time value); rolegraph writes the !Ref and \
             !GetAtt the templates need",
        )
    }

    pub fn tag_kind(source: &str, span: Span, tag: Option<&Tag>, mapping: bool) -> Self {
        let (tag, at) = tag_at(source, span, tag);
        let kind = if mapping { "a mapping" } else { "a list" };
        Fault::at(
            at,
            format!("the YAML tag `{tag}` is on {kind}, which it does not describe"),
            "remove the tag: the model needs none",
        )
    }

    pub fn mistyped(source: &str, span: Span, tag: Option<&Tag>) -> Self {
        let value = written(source, span).to_owned();
        let (tag, at) = tag_at(source, span, tag);
        Fault::at(
            at,
            format!("the YAML tag `{tag}` does not fit the value `{value}`"),
            "remove the tag: the model needs none",
        )
    }
}

/// `*name` at the start of `rest`.
fn alias_token(rest: &str) -> &str {
    let end = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_whitespace() || ",[]{}".contains(*c))
        .map_or(rest.len(), |(i, _)| i);
    &rest[..end]
}

/// The tag as written and its place; the value's place if the parser gave none.
fn tag_at(source: &str, span: Span, tag: Option<&Tag>) -> (String, Span) {
    match tag {
        Some(tag) => tags::written(source, span, tag),
        None => (String::new(), span),
    }
}
