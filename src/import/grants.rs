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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "arn:aws:iam::1:role/A";
    const B: &str = "arn:aws:iam::2:role/B";

    #[test]
    fn only_the_edges_targets_are_folded_out_of_pure_grants() {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [A, B]},
            {"Effect": "Allow", "Action": "sts:TagSession", "Resource": A},
            {"Effect": "Allow", "Action": ["sts:AssumeRole", "s3:GetObject"], "Resource": A},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": A,
             "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
        ]});
        let folded = BTreeSet::from([A.to_owned()]);
        let folding = fold(&doc, &folded);
        assert_eq!(folding.removed, [A]);
        let kept: Vec<Vec<String>> = folding
            .kept
            .iter()
            .map(|k| k.as_ref().unwrap().resources.clone())
            .collect();
        // B stays in the first; the TagSession grant goes; the mixed and conditioned ones stay.
        assert_eq!(
            kept,
            [vec![B.to_owned()], vec![A.to_owned()], vec![A.to_owned()]]
        );
        assert_eq!(granted(&doc), BTreeSet::from([A.to_owned(), B.to_owned()]));
        assert!(!folds_whole(&doc, &folded));
    }

    #[test]
    fn a_generated_grant_folds_whole() {
        let doc = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "AssumeRole", "Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": [A, B]},
            {"Sid": "TagSession", "Effect": "Allow", "Action": ["sts:TagSession"], "Resource": [A]}
        ]});
        assert!(folds_whole(
            &doc,
            &BTreeSet::from([A.to_owned(), B.to_owned()])
        ));
        assert!(!folds_whole(&doc, &BTreeSet::from([A.to_owned()])));
    }
}
