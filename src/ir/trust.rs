//! Trust edges. Each `trusted_by` entry becomes a trust statement on its target; each
//! `role:` entry also becomes an `sts:AssumeRole` grant on its source, so the two halves
//! of an edge come from one place and cannot disagree.

use std::collections::BTreeMap;

use super::build::Builder;
use super::checks;
use super::pack::{Grant, TooSmall, pack, policy_name};
use super::quota::Limits;
use super::size::json_string_chars;
use super::*;
use crate::model::{self, ExternalId, Sp};

/// A `role:` trust entry: `source` may assume `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Edge {
    pub source: RoleIdx,
    pub target: RoleIdx,
    pub session_tags: bool,
}

pub(super) fn document(
    b: &mut Builder,
    target: RoleIdx,
    role: &model::Role,
    edges: &mut Vec<Edge>,
    inputs: &mut BTreeMap<String, Input>,
) -> PolicyDocument {
    let mut statements = Vec::with_capacity(role.trusted_by.len());
    for entry in &role.trusted_by {
        let Some(principal) = entry
            .principal
            .as_ref()
            .and_then(|p| principal(b, target, p))
        else {
            continue;
        };
        let session_tags = entry
            .session_tags
            .unwrap_or_else(|| tagged_by_platform(b, role, entry));
        if let (PrincipalKind::Aws, Some(Text::RoleArn(source))) =
            (principal.kind, principal.ids.first())
        {
            edges.push(Edge {
                source: *source,
                target,
                session_tags,
            });
        }
        let external = entry
            .external_id
            .as_ref()
            .map(|e| external_id(b, target, e, inputs));
        let mut statement = Statement::allow(vec![ASSUME_ROLE.to_owned()]);
        statement.principals = vec![principal];
        statement.loc = Some(entry.loc.clone());
        statement.conditions = conditions(b, &entry.conditions, external.into_iter().collect());
        let tag = session_tags.then(|| tag_session(&statement));
        statements.push(statement);
        statements.extend(tag);
    }
    PolicyDocument { statements }
}

/// `sts:TagSession` for the same principal on the same conditions but the External ID:
/// the caller sends no `sts:ExternalId` with it as a policy engine evaluates it (Seqera's
/// own trust examples allow it so), and it lets no one in without the AssumeRole statement,
/// which keeps the condition.
fn tag_session(assume: &Statement) -> Statement {
    let mut tag = assume.clone();
    tag.actions = vec![TAG_SESSION.to_owned()];
    tag.conditions.retain(|c| !c.is_external_id());
    tag
}

/// Whether an entry without `session_tags` gets them: Seqera Platform tags the sessions
/// of its credentials, so the trust of a credential's role in the platform role does.
fn tagged_by_platform(b: &Builder, role: &model::Role, entry: &model::Trust) -> bool {
    let (Some(seqera), Some(model::Principal::Role(key))) = (&b.model.seqera, &entry.principal)
    else {
        return false;
    };
    seqera
        .platform_role
        .as_ref()
        .is_some_and(|p| p.value == key.value)
        && seqera
            .credentials
            .iter()
            .any(|c| c.role.as_ref().is_some_and(|r| r.value == role.key.value))
}

fn principal(b: &mut Builder, target: RoleIdx, p: &model::Principal) -> Option<Principal> {
    let partition = b.accounts[b.roles[target.0].account.0].partition;
    let aws = |id: Text| Principal {
        kind: PrincipalKind::Aws,
        ids: vec![id],
    };
    match p {
        model::Principal::Service(s) => {
            b.report(&s.loc, checks::service_principal(&s.value));
            Some(Principal {
                kind: PrincipalKind::Service,
                ids: vec![Text::Lit(s.value.clone())],
            })
        }
        model::Principal::Account(id) => {
            b.report(&id.loc, checks::account_id(&id.value));
            Some(aws(Text::Lit(format!(
                "arn:{}:iam::{}:root",
                partition.as_str(),
                id.value
            ))))
        }
        // `*` is valid IAM; lint rule RG004 reports it, so it can be accepted knowingly.
        model::Principal::Arn(arn) if arn.value == "*" => Some(aws(Text::Lit(arn.value.clone()))),
        model::Principal::Arn(arn) => {
            match checks::principal_arn(&arn.value) {
                Ok(p) if p != partition => b.error(
                    &arn.loc,
                    format!(
                        "`{}` is in partition {}, but the trusting role is in {}",
                        arn.value,
                        p.as_str(),
                        partition.as_str()
                    ),
                    "trust can only cross accounts within one partition",
                ),
                Ok(_) => {}
                Err(e) => b.report(&arn.loc, Err(e)),
            }
            Some(aws(Text::Lit(arn.value.clone())))
        }
        model::Principal::Role(key) => {
            role_principal(b, target, key).map(|source| aws(Text::RoleArn(source)))
        }
    }
}

fn role_principal(b: &mut Builder, target: RoleIdx, key: &Sp<String>) -> Option<RoleIdx> {
    let Some(source) = b.role_keys.get(&key.value) else {
        // A role that failed its own checks was reported there; do not report it twice.
        if !b.model.roles.iter().any(|r| r.key.value == key.value) {
            let hint = match b.role_keys.closest(&key.value) {
                Some(near) => format!(
                    "did you mean `{near}`? `role:` takes a role key from this model; use `arn:` for a role outside it"
                ),
                None => {
                    "`role:` takes a role key from this model; use `arn:` for a role outside it"
                        .to_owned()
                }
            };
            b.error(&key.loc, format!("unknown role `{}`", key.value), hint);
        }
        return None;
    };
    let (from, to) = (b.roles[source.0].account, b.roles[target.0].account);
    let (pf, pt) = (b.accounts[from.0].partition, b.accounts[to.0].partition);
    if pf != pt {
        b.error(
            &key.loc,
            format!(
                "role `{}` is in partition {}, but the trusting role is in {}",
                key.value,
                pf.as_str(),
                pt.as_str()
            ),
            "trust can only cross accounts within one partition",
        );
    }
    Some(source)
}

fn external_id(
    b: &mut Builder,
    target: RoleIdx,
    e: &ExternalId,
    inputs: &mut BTreeMap<String, Input>,
) -> Condition {
    let values = match e {
        ExternalId::Values(values) => values
            .iter()
            .map(|v| {
                b.report(&v.loc, checks::external_id(&v.value));
                Text::Lit(v.value.clone())
            })
            .collect(),
        ExternalId::Input(name) => {
            b.report(&name.loc, checks::input_name(&name.value));
            let input = inputs.entry(name.value.clone()).or_insert_with(|| Input {
                name: name.value.clone(),
                loc: name.loc.clone(),
                used_by: Vec::new(),
            });
            if !input.used_by.contains(&target) {
                input.used_by.push(target);
            }
            vec![Text::Input(name.value.clone())]
        }
    };
    Condition {
        operator: "StringEquals".to_owned(),
        key: "sts:ExternalId".to_owned(),
        values,
    }
}

/// Checks raw conditions and merges them with generated ones; an operator and key pair
/// may appear once, since two blocks for one key would be read differently by each tool.
pub(super) fn conditions(
    b: &mut Builder,
    raw: &[model::Condition],
    mut out: Vec<Condition>,
) -> Vec<Condition> {
    for c in raw {
        b.report(
            &c.operator.loc,
            checks::condition_operator(&c.operator.value),
        );
        b.report(&c.key.loc, checks::condition_key(&c.key.value));
        if c.values.is_empty() {
            b.error(
                &c.key.loc,
                format!("condition key `{}` has no values", c.key.value),
                "give at least one value",
            );
        }
        if out
            .iter()
            .any(|o| o.operator == c.operator.value && o.key == c.key.value)
        {
            b.error(
                &c.key.loc,
                format!("condition `{}` on `{}` is given twice", c.operator.value, c.key.value),
                "list all values under one key (`external_id` already sets StringEquals sts:ExternalId)",
            );
            continue;
        }
        out.push(Condition {
            operator: c.operator.value.clone(),
            key: c.key.value.clone(),
            values: c
                .values
                .iter()
                .map(|v| Text::Lit(v.value.clone()))
                .collect(),
        });
    }
    out.sort_by(|x, y| (&x.operator, &x.key).cmp(&(&y.operator, &y.key)));
    out
}

/// The sources of each target's edges, in edge order, in one list for all roles (a
/// counting sort): a list per role was two allocations for each role of a large model.
struct SourcesByTarget {
    /// Where each target's sources start in `sources`; one more entry than targets.
    starts: Vec<usize>,
    sources: Vec<RoleIdx>,
}

impl SourcesByTarget {
    fn new(targets: usize, edges: &[Edge]) -> Self {
        let mut starts = vec![0; targets + 1];
        for e in edges {
            starts[e.target.0 + 1] += 1;
        }
        for i in 0..targets {
            starts[i + 1] += starts[i];
        }
        let mut next = starts[..targets].to_vec();
        let mut sources = vec![RoleIdx(0); edges.len()];
        for e in edges {
            sources[next[e.target.0]] = e.source;
            next[e.target.0] += 1;
        }
        SourcesByTarget { starts, sources }
    }

    fn of(&self, target: usize) -> &[RoleIdx] {
        &self.sources[self.starts[target]..self.starts[target + 1]]
    }
}

/// IAM checks that a trusted role exists when the trust policy is written, so trust
/// between roles must form no cycle (a role trusting itself included).
pub(super) fn reject_cycles(b: &mut Builder, edges: &[Edge]) {
    let n = b.roles.len();
    let sources = SourcesByTarget::new(n, edges);
    // 0 = unvisited, 1 = on the current path, 2 = finished
    let mut state = vec![0u8; n];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        stack.push((start, 0));
        state[start] = 1;
        while let Some(top) = stack.last_mut() {
            let node = top.0;
            if let Some(&src) = sources.of(node).get(top.1) {
                top.1 += 1;
                match state[src.0] {
                    0 => {
                        state[src.0] = 1;
                        stack.push((src.0, 0));
                    }
                    1 => {
                        let cycle: Vec<&str> = stack
                            .iter()
                            .skip_while(|(r, _)| *r != src.0)
                            .map(|(r, _)| b.roles[*r].key.as_str())
                            .chain([b.roles[src.0].key.as_str()])
                            .collect();
                        let loc = b.roles[node].loc.clone();
                        b.error(
                            &loc,
                            format!("trust between roles forms a cycle: {}", cycle.join(" trusts ")),
                            "IAM needs a trusted role to exist before the trust policy that names it; break the cycle, e.g. with `account:` plus an aws:PrincipalArn condition",
                        );
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
}

/// The identity half: per source role, `sts:AssumeRole` on exactly the target ARNs
/// (sorted, so the output does not depend on the model's order), packed into as few
/// managed policies as the size quota allows.
pub(super) fn assume_policies(b: &mut Builder, edges: &[Edge], limits: &Limits) {
    let mut by_source: BTreeMap<RoleIdx, BTreeMap<(String, RoleIdx), bool>> = BTreeMap::new();
    for e in edges {
        let target = &b.roles[e.target.0];
        let arn = role_arn(&b.accounts[target.account.0], target);
        let tags = by_source
            .entry(e.source)
            .or_default()
            .entry((arn, e.target))
            .or_default();
        *tags |= e.session_tags;
    }
    let model_name = b.model.name.as_ref().map(|n| n.value.as_str());
    for (source, targets) in by_source {
        let grants: Vec<Grant> = targets
            .iter()
            .map(|(&(_, target), &session_tags)| Grant {
                target,
                session_tags,
            })
            .collect();
        let arn_chars: BTreeMap<RoleIdx, usize> = targets
            .keys()
            .map(|(arn, target)| (*target, json_string_chars(arn)))
            .collect();
        let role = &b.roles[source.0];
        let loc = role.loc.clone();
        let documents = match pack(&grants, limits.managed_policy, &|r| arn_chars[&r]) {
            Ok(documents) => documents,
            Err(TooSmall(needed)) => {
                let message = format!(
                    "a grant of role `{}` needs {needed} characters in one managed policy; the managed_policy limit is {}",
                    role.key, limits.managed_policy
                );
                b.error(
                    &loc,
                    message,
                    "raise `limits: { managed_policy: … }` (AWS allows 6144)",
                );
                continue;
            }
        };
        let description = format!(
            "Lets {} assume the roles that trust it in model {} (generated by rolegraph)",
            role.name,
            model_name.unwrap_or_default()
        );
        let role_name = role.name.clone();
        let mut policies = Vec::new();
        for (n, document) in documents.into_iter().enumerate() {
            let name = policy_name(&role_name, n);
            b.report(&loc, checks::policy_name(&name));
            policies.push(NamedPolicy {
                name,
                description: Some(description.clone()),
                loc: loc.clone(),
                document,
            });
        }
        b.roles[source.0].assume = policies;
    }
}
