//! A live trust policy read back into `trusted_by` entries: the inverse of what the IR
//! writes (one `sts:AssumeRole` statement per entry, and an `sts:TagSession` statement
//! with the same principal and conditions, minus the External ID, for session tags).

use serde_json::Value;

use super::statement::{self, Parsed};

/// Who a trust statement names, as the model can say it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    Service(String),
    Account(String),
    Arn(String),
    /// A role that is imported too (its index among the imported roles), by its ARN.
    Role(usize, String),
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub who: Who,
    pub external_id: Option<Vec<String>>,
    /// Other conditions: operator, key, values.
    pub conditions: Vec<(String, String, Vec<String>)>,
    pub session_tags: bool,
}

/// What a trust policy holds, and what in it the model cannot say.
#[derive(Debug, Default)]
pub struct Trust {
    pub entries: Vec<Entry>,
    pub inexpressible: Vec<String>,
    pub notes: Vec<String>,
}

/// `arn` → the index of the imported role with that ARN.
pub type RoleIndex<'a> = dyn Fn(&str) -> Option<usize> + 'a;

pub fn read(doc: &Value, roles: &RoleIndex) -> Trust {
    let mut trust = Trust::default();
    if let Some(reason) = statement::odd_version(doc) {
        trust.notes.push(format!(
            "the trust policy's {reason}; the model writes 2012-10-17"
        ));
    }
    let mut tags: Vec<(Who, Conditions)> = Vec::new();
    for raw in statement::statements(doc) {
        let parsed = match statement::parse(raw) {
            Ok(parsed) => parsed,
            Err(reason) => {
                trust
                    .inexpressible
                    .push(format!("a trust statement: {reason}"));
                continue;
            }
        };
        if let Err(reason) = statement_fits(&parsed) {
            trust.inexpressible.push(reason);
            continue;
        }
        let whos = match principals(parsed.principal.as_ref(), roles) {
            Ok(whos) => whos,
            Err(reason) => {
                trust.inexpressible.push(reason);
                continue;
            }
        };
        if parsed.sid.is_some() {
            trust.notes.push(format!(
                "the trust statement `{}` loses its Sid: the model writes none",
                parsed.sid.as_deref().unwrap_or_default()
            ));
        }
        let (assume, tag) = actions(&parsed);
        let (external_id, conditions) = split_external_id(&parsed.conditions);
        if assume {
            if tag {
                trust.notes.push(
                    "sts:TagSession shares a statement with sts:AssumeRole; the model writes it as a statement of its own, without the External ID (it lets no one in alone)".to_owned(),
                );
            }
            for who in whos {
                trust.entries.push(Entry {
                    who,
                    external_id: external_id.clone(),
                    conditions: conditions.clone(),
                    session_tags: tag,
                });
            }
        } else if external_id.is_some() {
            trust.inexpressible.push(
                "an sts:TagSession statement with an External ID condition: the model writes TagSession without it".to_owned(),
            );
        } else {
            tags.extend(whos.into_iter().map(|w| (w, conditions.clone())));
        }
    }
    pair_tag_statements(&mut trust, tags);
    trust
}

/// Each lone `sts:TagSession` statement turns on `session_tags` for the entry with the
/// same principal and conditions; one without such an entry cannot be written.
fn pair_tag_statements(trust: &mut Trust, tags: Vec<(Who, Conditions)>) {
    for (who, conditions) in tags {
        let mut sorted = conditions.clone();
        sorted.sort();
        let entry = trust.entries.iter_mut().find(|e| {
            let mut theirs = e.conditions.clone();
            theirs.sort();
            e.who == who && theirs == sorted
        });
        match entry {
            Some(entry) => entry.session_tags = true,
            None => trust.inexpressible.push(format!(
                "sts:TagSession for {} without an sts:AssumeRole statement on the same conditions",
                describe(&who)
            )),
        }
    }
}

pub fn describe(who: &Who) -> String {
    match who {
        Who::Service(s) => format!("service {s}"),
        Who::Account(a) => format!("account {a}"),
        Who::Arn(a) | Who::Role(_, a) => a.clone(),
    }
}

fn statement_fits(p: &Parsed) -> Result<(), String> {
    if p.deny {
        return Err("a Deny statement in the trust policy: trust entries only allow".to_owned());
    }
    if p.not_principal {
        return Err(
            "NotPrincipal in the trust policy: trust entries name their principal".to_owned(),
        );
    }
    if !p.not_actions.is_empty() {
        return Err("NotAction in the trust policy".to_owned());
    }
    if !p.resources.is_empty() || !p.not_resources.is_empty() {
        return Err("Resource in the trust policy".to_owned());
    }
    let others: Vec<&String> = p
        .actions
        .iter()
        .filter(|a| {
            !a.eq_ignore_ascii_case(crate::ir::ASSUME_ROLE)
                && !a.eq_ignore_ascii_case(crate::ir::TAG_SESSION)
        })
        .collect();
    if !others.is_empty() || p.actions.is_empty() {
        let listed: Vec<&str> = others.iter().map(|a| a.as_str()).collect();
        return Err(format!(
            "the trust allows {}, which the model does not write (it writes sts:AssumeRole, and sts:TagSession for session tags)",
            if listed.is_empty() {
                "no action".to_owned()
            } else {
                listed.join(", ")
            }
        ));
    }
    Ok(())
}

/// Whether the statement allows sts:AssumeRole, and sts:TagSession.
fn actions(p: &Parsed) -> (bool, bool) {
    let has = |name: &str| p.actions.iter().any(|a| a.eq_ignore_ascii_case(name));
    (has(crate::ir::ASSUME_ROLE), has(crate::ir::TAG_SESSION))
}

type Conditions = Vec<(String, String, Vec<String>)>;

fn split_external_id(conditions: &Conditions) -> (Option<Vec<String>>, Conditions) {
    let mut external = None;
    let mut rest = Vec::new();
    for (operator, key, values) in conditions {
        if operator == "StringEquals" && key.eq_ignore_ascii_case("sts:ExternalId") {
            external = Some(values.clone());
        } else {
            rest.push((operator.clone(), key.clone(), values.clone()));
        }
    }
    (external, rest)
}

fn principals(principal: Option<&Value>, roles: &RoleIndex) -> Result<Vec<Who>, String> {
    let Some(principal) = principal else {
        return Err("a trust statement without a Principal".to_owned());
    };
    if principal.as_str() == Some("*") {
        return Ok(vec![Who::Arn("*".to_owned())]);
    }
    let Value::Object(kinds) = principal else {
        return Err(format!("the trust principal {principal} is not a map"));
    };
    let mut out = Vec::new();
    for (kind, ids) in kinds {
        let ids = statement::list(ids)?;
        match kind.as_str() {
            "Service" => out.extend(ids.into_iter().map(Who::Service)),
            "AWS" => {
                for id in ids {
                    out.push(aws_principal(&id, roles)?);
                }
            }
            other => {
                return Err(format!(
                    "a {other} principal ({}): trust entries name AWS principals and services",
                    ids.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

fn aws_principal(id: &str, roles: &RoleIndex) -> Result<Who, String> {
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    if id == "*" {
        return Ok(Who::Arn(id.to_owned()));
    }
    if is_account(id) {
        return Ok(Who::Account(id.to_owned()));
    }
    if let Some(rest) = id.strip_prefix("arn:") {
        let fields: Vec<&str> = rest.splitn(5, ':').collect();
        if let [_, "iam", "", account, "root"] = fields.as_slice()
            && is_account(account)
        {
            return Ok(Who::Account((*account).to_owned()));
        }
        return Ok(match roles(id) {
            Some(idx) => Who::Role(idx, id.to_owned()),
            None => Who::Arn(id.to_owned()),
        });
    }
    Err(format!(
        "the trust names `{id}`, a unique id: IAM shows one where the principal was deleted, and it no longer matches anyone"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PLATFORM: &str = "arn:aws:iam::999999999999:role/Platform";

    fn read_doc(statements: Value) -> Trust {
        let doc = json!({"Version": "2012-10-17", "Statement": statements});
        read(&doc, &|arn: &str| (arn == PLATFORM).then_some(0))
    }

    #[test]
    fn the_generated_shape_reads_back_as_one_entry_with_session_tags() {
        let trust = read_doc(json!([
            {"Effect": "Allow", "Principal": {"AWS": PLATFORM}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"sts:ExternalId": "abc"}}},
            {"Effect": "Allow", "Principal": {"AWS": PLATFORM}, "Action": "sts:TagSession"}
        ]));
        assert!(trust.inexpressible.is_empty(), "{:?}", trust.inexpressible);
        let [entry] = trust.entries.as_slice() else {
            panic!("{:?}", trust.entries)
        };
        assert_eq!(entry.who, Who::Role(0, PLATFORM.to_owned()));
        assert_eq!(entry.external_id, Some(vec!["abc".to_owned()]));
        assert!(entry.session_tags && entry.conditions.is_empty());
    }

    #[test]
    fn principals_become_the_model_s_kinds() {
        let trust = read_doc(json!({"Effect": "Allow", "Action": ["sts:AssumeRole"],
            "Principal": {"AWS": ["123456789012", "arn:aws:iam::210987654321:root",
                "arn:aws:iam::123456789012:user/ci", "*"], "Service": "ec2.amazonaws.com"}}));
        let whos: Vec<&Who> = trust.entries.iter().map(|e| &e.who).collect();
        assert_eq!(
            whos,
            [
                &Who::Account("123456789012".into()),
                &Who::Account("210987654321".into()),
                &Who::Arn("arn:aws:iam::123456789012:user/ci".into()),
                &Who::Arn("*".into()),
                &Who::Service("ec2.amazonaws.com".into()),
            ]
        );
    }

    #[test]
    fn what_the_model_cannot_say_is_named() {
        let cases = [
            (
                json!({"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}),
                "a Deny statement",
            ),
            (
                json!({"Effect": "Allow", "NotPrincipal": {"AWS": PLATFORM}, "Action": "sts:AssumeRole"}),
                "NotPrincipal",
            ),
            (
                json!({"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
                    "Action": "sts:AssumeRoleWithWebIdentity"}),
                "sts:AssumeRoleWithWebIdentity",
            ),
            (
                json!({"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                    "Action": "sts:AssumeRole"}),
                "a Federated principal",
            ),
            (
                json!({"Effect": "Allow", "Principal": {"AWS": "AROAEXAMPLEID"}, "Action": "sts:AssumeRole"}),
                "a unique id",
            ),
            (
                json!({"Effect": "Allow", "Principal": {"AWS": PLATFORM}, "Action": "sts:TagSession"}),
                "sts:TagSession for arn:aws:iam::999999999999:role/Platform without an sts:AssumeRole statement",
            ),
        ];
        for (statement, reason) in cases {
            let trust = read_doc(json!([statement]));
            assert!(trust.entries.is_empty(), "{reason}");
            assert!(
                trust.inexpressible.iter().any(|r| r.contains(reason)),
                "{reason}: {:?}",
                trust.inexpressible
            );
        }
    }

    #[test]
    fn tag_session_in_the_assume_statement_is_session_tags_with_a_note() {
        let trust = read_doc(json!({"Effect": "Allow", "Principal": {"AWS": PLATFORM},
            "Action": ["sts:AssumeRole", "sts:TagSession"]}));
        assert!(trust.entries[0].session_tags);
        assert_eq!(trust.notes.len(), 1, "{:?}", trust.notes);
    }
}
