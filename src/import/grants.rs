//! The identity half of an edge in live policies: statements that allow only
//! `sts:AssumeRole` (and `sts:TagSession`) on listed role ARNs, without conditions.
//! Those are what the model's generated grant replaces, so folding removes the ARNs of
//! recovered edges from them, and nothing else.

use std::collections::BTreeSet;

use serde_json::Value;

use super::statement::{self, Parsed};

/// Whether `p` is a pure grant: what a `role:` edge writes (`sts:AssumeRole`, and
/// `sts:TagSession` in the same statement or one of its own), and nothing more.
pub fn is_grant(p: &Parsed) -> bool {
    let allowed = |a: &String| {
        a.eq_ignore_ascii_case(crate::ir::ASSUME_ROLE)
            || a.eq_ignore_ascii_case(crate::ir::TAG_SESSION)
    };
    !p.deny
        && p.principal.is_none()
        && !p.not_principal
        && p.not_actions.is_empty()
        && p.not_resources.is_empty()
        && p.conditions.is_empty()
        && !p.actions.is_empty()
        && p.actions.iter().all(allowed)
}

/// A pure grant that allows `sts:AssumeRole`: the half of an edge.
pub fn is_pure(p: &Parsed) -> bool {
    is_grant(p)
        && p.actions
            .iter()
            .any(|a| a.eq_ignore_ascii_case(crate::ir::ASSUME_ROLE))
}

/// The ARNs a document's pure grant statements allow assuming.
pub fn granted(doc: &Value) -> BTreeSet<String> {
    statement::statements(doc)
        .into_iter()
        .filter_map(|s| statement::parse(s).ok())
        .filter(is_pure)
        .flat_map(|p| p.resources)
        .collect()
}

/// The document's statements with `folded` ARNs taken out of its pure grants; a grant
/// left with no resource goes. Statements that do not parse are kept as they are.
pub struct Folding {
    pub kept: Vec<Result<Parsed, (Value, String)>>,
    /// The ARNs that were taken out, sorted.
    pub removed: Vec<String>,
}

pub fn fold(doc: &Value, folded: &BTreeSet<String>) -> Folding {
    let mut kept = Vec::new();
    let mut removed = BTreeSet::new();
    for raw in statement::statements(doc) {
        match statement::parse(raw) {
            Ok(mut p) => {
                if is_grant(&p) {
                    let before = p.resources.len();
                    p.resources.retain(|arn| {
                        let fold = folded.contains(arn);
                        if fold {
                            removed.insert(arn.clone());
                        }
                        !fold
                    });
                    if p.resources.is_empty() && before > 0 {
                        continue;
                    }
                }
                kept.push(Ok(p));
            }
            Err(reason) => kept.push(Err((raw.clone(), reason))),
        }
    }
    Folding {
        kept,
        removed: removed.into_iter().collect(),
    }
}

/// Whether every statement of `doc` is a pure grant on `folded` ARNs only: a managed
/// policy is folded whole or not at all, since the model does not write its document.
pub fn folds_whole(doc: &Value, folded: &BTreeSet<String>) -> bool {
    let statements = statement::statements(doc);
    !statements.is_empty()
        && statements.into_iter().all(|s| {
            statement::parse(s).is_ok_and(|p| {
                is_grant(&p)
                    && !p.resources.is_empty()
                    && p.resources.iter().all(|r| folded.contains(r))
            })
        })
}
