//! The checks behind each rule. Each takes the graph and returns its findings.

use std::collections::{BTreeMap, BTreeSet};

use super::{Finding, Rule};
use crate::catalogue;
use crate::diag::Loc;
use crate::ir::seqera::SeqeraSetup;
use crate::ir::{Condition, Graph, PrincipalKind, RoleIdx, Statement, Text};

pub fn all(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(seqera) = &graph.seqera {
        instance_credentials(graph, seqera, &mut out);
        shared_credentials(graph, seqera, &mut out);
        credentials_without_external_id(graph, seqera, &mut out);
        fixed_external_ids(graph, seqera, &mut out);
    }
    for (i, role) in graph.roles.iter().enumerate() {
        let idx = RoleIdx(i);
        for s in role.trust.statements.iter().filter(|s| s.lets_in()) {
            root_trust(graph, idx, s, &mut out);
            wildcard_principal(graph, idx, s, &mut out);
            wildcard_external_id(graph, idx, s, &mut out);
        }
        for policy in &role.inline_policies {
            for s in &policy.document.statements {
                super::policies::check(graph, idx, &policy.name, s, &mut out);
            }
        }
        chained_session(graph, idx, &mut out);
    }
    out
}

pub(super) fn finding(
    rule: &'static Rule,
    loc: &Loc,
    role: Option<RoleIdx>,
    message: String,
    hint: &str,
) -> Finding {
    Finding {
        rule,
        loc: loc.clone(),
        message,
        hint: hint.to_owned(),
        role,
        accepted: None,
        place: None,
    }
}

/// The statements of `target`'s trust policy that name `source`.
fn trust_from(graph: &Graph, target: RoleIdx, source: RoleIdx) -> impl Iterator<Item = &Statement> {
    graph.role(target).trust.naming(source)
}

pub(super) fn statement_loc(graph: &Graph, role: RoleIdx, statement: &Statement) -> Loc {
    statement
        .loc
        .clone()
        .unwrap_or_else(|| graph.role(role).loc.clone())
}

/// RG001: the seed's scenario.
fn instance_credentials(graph: &Graph, seqera: &SeqeraSetup, out: &mut Vec<Finding>) {
    if !seqera.allow_instance_credentials {
        return;
    }
    let platform = seqera.platform_role;
    for (i, role) in graph.roles.iter().enumerate() {
        let target = RoleIdx(i);
        let Some(first) = trust_from(graph, target, platform).next() else {
            continue;
        };
        let workspaces: BTreeSet<&str> = seqera
            .credentials
            .iter()
            .filter(|c| c.role == target)
            .map(|c| c.workspace.as_str())
            .collect();
        let has_external_id =
            trust_from(graph, target, platform).all(|s| s.external_ids().next().is_some());
        let why = if workspaces.len() > 1 {
            let list: Vec<&str> = workspaces.into_iter().collect();
            format!(
                "credentials from {} workspaces ({}) reach it",
                list.len(),
                list.join(", ")
            )
        } else if !has_external_id {
            "its trust requires no External ID".to_owned()
        } else {
            continue;
        };
        let message = format!(
            "instance credentials are on (TOWER_ALLOW_INSTANCE_CREDENTIALS=true) and role `{}` is trusted by the platform role `{}`, but {why}: an admin of workspace B who knows the ARN of role `{}` can create a credential that uses it, the seed's workspace A/B risk",
            role.key,
            graph.role(platform).key,
            role.name
        );
        let hint = "set `seqera.allow_instance_credentials: false` and require the External ID Platform generates with `external_id: { input: NAME }`, or accept the risk on this role with `accept_risks: [{ rule: RG001, reason: … }]`";
        out.push(finding(
            &catalogue::INSTANCE_CREDENTIALS,
            &statement_loc(graph, target, first),
            Some(target),
            message,
            hint,
        ));
    }
}

/// RG002: credentials must not share a role, nor an External ID.
fn shared_credentials(graph: &Graph, seqera: &SeqeraSetup, out: &mut Vec<Finding>) {
    let mut by_role: BTreeMap<RoleIdx, &str> = BTreeMap::new();
    let mut by_external_id: BTreeMap<&Text, &str> = BTreeMap::new();
    for c in &seqera.credentials {
        if let Some(first) = by_role.insert(c.role, &c.name) {
            let message = format!(
                "credentials `{first}` and `{}` share role `{}`",
                c.name,
                graph.role(c.role).key
            );
            out.push(finding(&catalogue::SHARED_CREDENTIALS, &c.loc, Some(c.role), message, "give each credential its own role, so that each workspace reaches only its own resources"));
            continue;
        }
        let ids: BTreeSet<&Text> = trust_from(graph, c.role, seqera.platform_role)
            .flat_map(Statement::external_ids)
            .collect();
        for id in ids {
            if let Some(first) = by_external_id.insert(id, &c.name) {
                let shown = match id {
                    Text::Input(name) => format!("the input `{name}`"),
                    Text::Lit(value) => format!("`{value}`"),
                    Text::RoleArn(_) => "a role ARN".to_owned(),
                };
                let message = format!(
                    "credentials `{first}` and `{}` share the External ID {shown}",
                    c.name
                );
                out.push(finding(&catalogue::SHARED_CREDENTIALS, &c.loc, Some(c.role), message, "give each credential's role its own External ID, e.g. its own `external_id: { input: NAME }`"));
            }
        }
    }
}

/// RG008: a cross-account credential without an External ID.
fn credentials_without_external_id(graph: &Graph, seqera: &SeqeraSetup, out: &mut Vec<Finding>) {
    let platform_account = graph.role(seqera.platform_role).account;
    for c in &seqera.credentials {
        if graph.role(c.role).account == platform_account {
            continue;
        }
        for s in trust_from(graph, c.role, seqera.platform_role) {
            if s.external_ids().next().is_none() {
                let message = format!(
                    "credential `{}` crosses accounts into role `{}`, whose trust requires no External ID",
                    c.name,
                    graph.role(c.role).key
                );
                out.push(finding(&catalogue::NO_EXTERNAL_ID, &statement_loc(graph, c.role, s), Some(c.role), message, "add `external_id: { input: NAME }` to this trust entry and pass the ID Platform generates for the credential"));
            }
        }
    }
}

/// RG009: in role mode Platform generates the External ID, so a literal cannot match.
fn fixed_external_ids(graph: &Graph, seqera: &SeqeraSetup, out: &mut Vec<Finding>) {
    if seqera.allow_instance_credentials {
        return;
    }
    for c in &seqera.credentials {
        for s in trust_from(graph, c.role, seqera.platform_role) {
            let literals: Vec<&str> = s
                .external_ids()
                .filter_map(|t| match t {
                    Text::Lit(value) => Some(value.as_str()),
                    _ => None,
                })
                .collect();
            if !literals.is_empty() {
                let message = format!(
                    "credential `{}` is in role mode, where Platform generates the External ID, but role `{}` requires the fixed value {}",
                    c.name,
                    graph.role(c.role).key,
                    literals.join(", ")
                );
                out.push(finding(&catalogue::FIXED_EXTERNAL_ID, &statement_loc(graph, c.role, s), Some(c.role), message, "write `external_id: { input: NAME }` and pass the ID Platform prints when the credential is saved"));
            }
        }
    }
}

/// RG003: an account root without aws:PrincipalArn; RG010: with one that narrows nothing.
fn root_trust(graph: &Graph, role: RoleIdx, s: &Statement, out: &mut Vec<Finding>) {
    let is_root =
        |t: &Text| matches!(t, Text::Lit(arn) if arn.starts_with("arn:") && arn.ends_with(":root"));
    let roots: Vec<&str> = s
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Aws)
        .flat_map(|p| &p.ids)
        .filter(|t| is_root(t))
        .filter_map(|t| match t {
            Text::Lit(arn) => Some(arn.as_str()),
            _ => None,
        })
        .collect();
    if roots.is_empty() {
        return;
    }
    let principal_arn: Vec<&Condition> = s
        .conditions
        .iter()
        .filter(|c| c.key.eq_ignore_ascii_case("aws:PrincipalArn"))
        .collect();
    if principal_arn.iter().any(|c| narrows_principal(c)) {
        return;
    }
    let key = &graph.role(role).key;
    let loc = statement_loc(graph, role, s);
    let roots = roots.join(", ");
    if let Some(c) = principal_arn.first() {
        let values: Vec<String> = c.values.iter().map(shown).collect();
        let message = format!(
            "role `{key}` trusts the account root {roots} with `{}: aws:PrincipalArn: {}`, which every principal of that account satisfies",
            c.operator,
            values.join(", ")
        );
        out.push(finding(&catalogue::WIDENED_ROOT_TRUST, &loc, Some(role), message, "name the principals (`ArnEquals: { aws:PrincipalArn: <role ARN> }`), or a path prefix such as `arn:aws:iam::<account>:role/team/*`"));
        return;
    }
    let message = format!(
        "role `{key}` trusts the account root {roots} without an aws:PrincipalArn condition, so every principal of that account allowed sts:AssumeRole can assume it"
    );
    out.push(finding(&catalogue::ROOT_TRUST, &loc, Some(role), message, "add `conditions: { ArnEquals: { aws:PrincipalArn: <the principal's ARN> } }` to this entry"));
}

/// Whether an aws:PrincipalArn condition admits fewer than all of an account's
/// principals: not negated, with no value that matches every name. Every request carries
/// aws:PrincipalArn, so an IfExists operator narrows as well as the plain one; the
/// account root's own account bounds the ARN, so only the name counts.
fn narrows_principal(c: &Condition) -> bool {
    let every_name = |t: &Text| matches!(t, Text::Lit(v) if whole_name(v));
    !c.operator.contains("Not") && !c.values.is_empty() && !c.values.iter().any(every_name)
}

/// `…:role/*`, `…:user/*`, `…:*`, `*`: every name, whatever the type.
fn whole_name(arn: &str) -> bool {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    let name = ["role/", "user/", "assumed-role/"]
        .iter()
        .find_map(|t| resource.strip_prefix(t))
        .unwrap_or(resource);
    !name.is_empty() && name.chars().all(|c| matches!(c, '*' | '?' | '/'))
}

fn shown(t: &Text) -> String {
    match t {
        Text::Lit(v) => v.clone(),
        Text::Input(name) => format!("${{input.{name}}}"),
        Text::RoleArn(_) => "a role ARN".to_owned(),
    }
}

/// RG011: an sts:ExternalId pattern: any ID matches, whoever generated it.
fn wildcard_external_id(graph: &Graph, role: RoleIdx, s: &Statement, out: &mut Vec<Finding>) {
    for c in s.conditions.iter().filter(|c| c.is_external_id()) {
        let patterns: Vec<String> = c
            .values
            .iter()
            .filter(|v| c.operator.contains("Like") && v.is_wildcard())
            .map(shown)
            .collect();
        if patterns.is_empty() {
            continue;
        }
        let message = format!(
            "role `{}` requires `{}: sts:ExternalId: {}`, a pattern that any External ID matches: it guards against nothing",
            graph.role(role).key,
            c.operator,
            patterns.join(", ")
        );
        out.push(finding(&catalogue::WILDCARD_EXTERNAL_ID, &statement_loc(graph, role, s), Some(role), message, "require the exact ID with `external_id: { input: NAME }` and pass the ID Platform generates"));
    }
}

/// RG004: a `*` principal, or a wildcard in a principal ARN.
fn wildcard_principal(graph: &Graph, role: RoleIdx, s: &Statement, out: &mut Vec<Finding>) {
    for id in s
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Aws)
        .flat_map(|p| &p.ids)
    {
        if let Text::Lit(arn) = id
            && (arn.contains('*') || arn.contains('?'))
        {
            let loc = statement_loc(graph, role, s);
            let message =
                format!("principal `{arn}` is a wildcard: it trusts far more than one principal");
            out.push(finding(&catalogue::WILDCARD_PRINCIPAL, &loc, Some(role), message, "name the exact principal ARN; to allow several roles of one account, trust the account root with an ArnLike aws:PrincipalArn condition"));
        }
    }
}

/// RG006: a role reached only by chaining cannot use sessions over an hour.
fn chained_session(graph: &Graph, idx: RoleIdx, out: &mut Vec<Finding>) {
    let role = graph.role(idx);
    let Some(duration) = role
        .max_session_duration
        .filter(|d| *d > crate::iam::CHAINED_SESSION_MAX)
    else {
        return;
    };
    let is_role_session = |t: &Text| match t {
        Text::RoleArn(_) => true,
        Text::Lit(arn) => arn.contains(":role/") || arn.contains(":assumed-role/"),
        Text::Input(_) => false,
    };
    let principals: Vec<_> = role
        .trust
        .statements
        .iter()
        .flat_map(|s| &s.principals)
        .collect();
    let only_roles = !principals.is_empty()
        && principals
            .iter()
            .all(|p| p.kind == PrincipalKind::Aws && p.ids.iter().all(is_role_session));
    if only_roles {
        let message = format!(
            "role `{}` is reached only by role chaining, where AWS caps sessions at one hour, so max_session_duration {duration} has no effect",
            role.key
        );
        out.push(finding(&catalogue::CHAINED_SESSION, &role.loc, Some(idx), message, "set max_session_duration to 3600 or remove it; callers that need longer sessions must not chain"));
    }
}

/// The rules that only IAM's own view decides (`lint --live`). RG013: in a model a
/// cross-account edge without an External ID is often meant (a deployer chain); in an
/// account nobody modelled it is the seed's risk waiting for a second tenant.
pub fn live_only(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, role) in graph.roles.iter().enumerate() {
        let idx = RoleIdx(i);
        let own = &graph.account(role.account).id;
        for s in role.trust.statements.iter().filter(|s| s.lets_in()) {
            if s.conditions.iter().any(Condition::is_external_id) {
                continue;
            }
            let callers: Vec<String> = s
                .principals
                .iter()
                .filter(|p| p.kind == PrincipalKind::Aws)
                .flat_map(|p| &p.ids)
                .filter_map(|t| foreign_role(graph, own, t))
                .collect();
            if callers.is_empty() {
                continue;
            }
            let message = format!(
                "role `{}` is trusted by {} of another account without any sts:ExternalId condition: whoever controls that role can use this one for any tenant",
                role.name,
                callers.join(", ")
            );
            out.push(finding(&catalogue::CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID, &statement_loc(graph, idx, s), Some(idx), message, "add `Condition: { StringEquals: { sts:ExternalId: <the ID the caller generates> } }` (in the model, `external_id: { input: NAME }`)"));
        }
    }
    out
}

/// The ARN of a role (or role session) principal of an account other than `own`.
fn foreign_role(graph: &Graph, own: &str, t: &Text) -> Option<String> {
    match t {
        Text::RoleArn(src) if graph.account(graph.role(*src).account).id != own => {
            Some(graph.role_arn(*src))
        }
        Text::Lit(arn) if arn.contains(":role/") || arn.contains(":assumed-role/") => {
            let account = arn.split(':').nth(4)?;
            (account != own).then(|| arn.clone())
        }
        _ => None,
    }
}
