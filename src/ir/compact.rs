//! Trust policies as IAM receives them: the model writes one statement per `trusted_by`
//! entry, and entries that differ only in their principal become one statement that
//! lists all of them. That saves the repeated `Effect`, `Action` and `Condition` against
//! the 2,048-character quota. It is exactly equivalent: a statement applies when any of
//! its principals matches, and two statements are merged only when everything else
//! (effect, actions, resources, every condition) is identical, so the merged statement
//! allows precisely the requests one of the originals allowed.

use super::{Principal, Statement};

/// `statements` with those that differ only in their principals merged, in order of
/// first appearance; principals of one kind are listed together, duplicates once.
/// Statements with a `Sid` are left alone: a sid names one statement. Quadratic in the
/// statements of one policy, which the trust-policy quota keeps to a few dozen.
pub fn merge_principals(statements: &[Statement]) -> Vec<Statement> {
    // Sized for the common case, where nothing merges; shrunk to fit if something did.
    let mut merged: Vec<Statement> = Vec::with_capacity(statements.len());
    for statement in statements {
        let into = merged.iter_mut().find(|m| {
            statement.sid.is_none() && m.sid.is_none() && same_but_principals(m, statement)
        });
        match into {
            Some(target) => add_principals(&mut target.principals, &statement.principals),
            None => {
                // Every field but the principals, which are added one by one below.
                let mut copy = Statement {
                    sid: statement.sid.clone(),
                    effect: statement.effect,
                    actions: statement.actions.clone(),
                    not_actions: statement.not_actions.clone(),
                    resources: statement.resources.clone(),
                    not_resources: statement.not_resources.clone(),
                    principals: Vec::with_capacity(statement.principals.len()),
                    conditions: statement.conditions.clone(),
                    loc: statement.loc.clone(),
                };
                add_principals(&mut copy.principals, &statement.principals);
                merged.push(copy);
            }
        }
    }
    merged.shrink_to_fit();
    merged
}

fn same_but_principals(a: &Statement, b: &Statement) -> bool {
    a.effect == b.effect
        && a.actions == b.actions
        && a.not_actions == b.not_actions
        && a.resources == b.resources
        && a.not_resources == b.not_resources
        && a.conditions == b.conditions
        && !a.principals.is_empty()
        && !b.principals.is_empty()
}

fn add_principals(into: &mut Vec<Principal>, from: &[Principal]) {
    for p in from {
        let slot = match into.iter().position(|q| q.kind == p.kind) {
            Some(i) => &mut into[i],
            None => {
                into.push(Principal {
                    kind: p.kind,
                    ids: Vec::with_capacity(p.ids.len()),
                });
                into.last_mut().expect("just pushed")
            }
        };
        for id in &p.ids {
            if !slot.ids.contains(id) {
                slot.ids.push(id.clone());
            }
        }
    }
}

/// What a set of statements allows, one atom per (effect, action, principal, resources,
/// conditions): the statements allow a request exactly when one atom matches it. Two
/// statement lists with equal atoms are equivalent; tests compare before and after.
pub fn atoms(statements: &[Statement]) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for s in statements {
        for action in &s.actions {
            for p in &s.principals {
                for id in &p.ids {
                    out.insert(format!(
                        "{:?} {action} {:?} {id:?} not_actions={:?} resources={:?} not_resources={:?} conditions={:?}",
                        s.effect, p.kind, s.not_actions, s.resources, s.not_resources, s.conditions
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Condition, PrincipalKind, Text};

    fn statement(
        kind: PrincipalKind,
        id: &str,
        actions: &[&str],
        external_id: Option<&str>,
    ) -> Statement {
        let mut s = Statement::allow(actions.iter().map(|a| (*a).to_owned()).collect());
        s.principals = vec![Principal {
            kind,
            ids: vec![Text::Lit(id.to_owned())],
        }];
        if let Some(value) = external_id {
            s.conditions = vec![Condition {
                operator: "StringEquals".into(),
                key: "sts:ExternalId".into(),
                values: vec![Text::Lit(value.to_owned())],
            }];
        }
        s
    }

    #[test]
    fn merges_only_statements_that_differ_in_principals() {
        use PrincipalKind::{Aws, Service};
        let assume = ["sts:AssumeRole"];
        let tagged = ["sts:AssumeRole", "sts:TagSession"];
        let input = vec![
            statement(Service, "ec2.amazonaws.com", &assume, None),
            statement(Aws, "arn:aws:iam::111111111111:root", &assume, None),
            statement(Aws, "arn:aws:iam::222222222222:root", &assume, Some("a")),
            statement(Aws, "arn:aws:iam::333333333333:root", &assume, Some("b")),
            statement(Aws, "arn:aws:iam::444444444444:root", &tagged, None),
            statement(Service, "lambda.amazonaws.com", &assume, None),
            statement(Aws, "arn:aws:iam::111111111111:root", &assume, None),
        ];
        let merged = merge_principals(&input);
        assert_eq!(merged.len(), 4, "{merged:#?}");
        assert_eq!(
            merged[0].principals,
            vec![
                Principal {
                    kind: Service,
                    ids: vec![
                        Text::Lit("ec2.amazonaws.com".into()),
                        Text::Lit("lambda.amazonaws.com".into())
                    ],
                },
                Principal {
                    kind: Aws,
                    ids: vec![Text::Lit("arn:aws:iam::111111111111:root".into())],
                },
            ]
        );
        assert_eq!(atoms(&merged), atoms(&input));
    }

    #[test]
    fn a_statement_with_a_sid_stays_alone() {
        let mut a = statement(
            PrincipalKind::Aws,
            "arn:aws:iam::111111111111:root",
            &["sts:AssumeRole"],
            None,
        );
        a.sid = Some("Named".into());
        let b = statement(
            PrincipalKind::Aws,
            "arn:aws:iam::222222222222:root",
            &["sts:AssumeRole"],
            None,
        );
        assert_eq!(merge_principals(&[a.clone(), b.clone()]).len(), 2);
    }

    /// The atoms themselves must tell a wider policy apart, or the equivalence tests
    /// would prove nothing.
    #[test]
    fn atoms_notice_a_dropped_condition() {
        let with = statement(
            PrincipalKind::Aws,
            "arn:aws:iam::111111111111:root",
            &["sts:AssumeRole"],
            Some("x"),
        );
        let mut without = with.clone();
        without.conditions.clear();
        assert_ne!(atoms(&[with]), atoms(&[without]));
    }
}
