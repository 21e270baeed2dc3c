//! The rules over a role's own policies (RG005, RG012): what a statement allows, read the
//! way IAM reads it: action patterns, NotAction and NotResource, and the conditions that
//! narrow iam:PassRole to some services or resources.

use super::Finding;
use super::rules::{finding, statement_loc};
use crate::catalogue;
use crate::ir::{Effect, Graph, RoleIdx, Statement, Text};

const PASS_ROLE: &str = "iam:PassRole";
const ASSUME_ROLE: &str = "sts:AssumeRole";

/// RG005 and RG012 on one statement of `policy`.
pub fn check(graph: &Graph, role: RoleIdx, policy: &str, s: &Statement, out: &mut Vec<Finding>) {
    if s.effect != Effect::Allow {
        return;
    }
    let key = &graph.role(role).key;
    let at = |rule, message: String, hint: &str| {
        finding(
            rule,
            &statement_loc(graph, role, s),
            Some(role),
            message,
            hint,
        )
    };
    if s.actions.iter().any(|a| a == "*" || a == "*:*") {
        let message = format!("policy `{policy}` of role `{key}` allows every action (`*`)");
        out.push(at(
            &catalogue::BROAD_POLICY,
            message,
            "list the actions the role needs, e.g. s3:GetObject",
        ));
        return;
    }
    if !s.not_actions.is_empty() && every_resource(s) {
        let message = format!(
            "policy `{policy}` of role `{key}` allows every action but {} on every resource (NotAction), sts:AssumeRole on every role included",
            s.not_actions.join(", ")
        );
        out.push(at(
            &catalogue::BROAD_POLICY,
            message,
            "list the actions the role needs in `actions:`; keep NotAction for Deny statements",
        ));
        return;
    }
    if allows(s, PASS_ROLE) && any_role(s) && !narrows_pass_role(s) {
        let message = format!(
            "policy `{policy}` of role `{key}` allows iam:PassRole on {}, with no iam:PassedToService condition, so the role can hand any role to any service",
            what_roles(s)
        );
        out.push(at(&catalogue::BROAD_POLICY, message, "limit iam:PassRole to the ARNs of the roles it must pass, and add `conditions: { StringEquals: { iam:PassedToService: [batch.amazonaws.com] } }`"));
    }
    if allows(s, ASSUME_ROLE) && any_role(s) {
        let message = format!(
            "policy `{policy}` of role `{key}` allows sts:AssumeRole on {}: every trust policy that names its account is then the only guard",
            what_roles(s)
        );
        out.push(at(&catalogue::ASSUME_ANY_ROLE, message, "drop the statement and add a `trusted_by: - role:` edge on each role it must assume: the edge grants exactly that ARN"));
    }
}

/// Whether the statement's actions cover `action` (NotAction lists are handled before).
fn allows(s: &Statement, action: &str) -> bool {
    s.actions.iter().any(|a| action_matches(a, action))
}

/// `*` or NotResource: IAM reads both as (nearly) every resource.
fn every_resource(s: &Statement) -> bool {
    !s.not_resources.is_empty()
        || s.resources
            .iter()
            .any(|r| matches!(r, Text::Lit(v) if v == "*"))
}

/// Every resource, or a role ARN pattern that matches every role of an account, or
/// roles of every account.
fn any_role(s: &Statement) -> bool {
    every_resource(s)
        || s.resources
            .iter()
            .any(|r| matches!(r, Text::Lit(v) if wildcard_role(v)))
}

fn what_roles(s: &Statement) -> String {
    if !s.not_resources.is_empty() {
        return "every resource but the NotResource list".to_owned();
    }
    let shown: Vec<&str> = s
        .resources
        .iter()
        .filter_map(|r| match r {
            Text::Lit(v) if v == "*" || wildcard_role(v) => Some(v.as_str()),
            _ => None,
        })
        .collect();
    format!("`{}`", shown.join("`, `"))
}

/// `arn:<partition>:iam::<account>:role/<path><name>` where the account is a wildcard
/// and the name too (`arn:aws:iam::*:role/TowerForge-*`), or the whole role part is
/// (`arn:aws:iam::111111111111:role/*`). A name prefix within one account narrows.
pub fn wildcard_role(arn: &str) -> bool {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, _, account, resource] = fields[..] else {
        return arn.contains(['*', '?']);
    };
    let wild = |part: &str| part.contains(['*', '?']);
    if service != "iam" && !wild(service) {
        return false;
    }
    let Some(name) = resource
        .strip_prefix("role/")
        .or(Some(resource).filter(|r| wild(r)))
    else {
        return false;
    };
    let everything = name.chars().all(|c| matches!(c, '*' | '?' | '/'));
    (wild(service) && wild(name))
        || (wild(partition) && wild(name))
        || (wild(account) && wild(name))
        || everything
}

/// Conditions that scope iam:PassRole to services or to tagged or associated
/// resources. A negated operator, or a `*` value, narrows nothing. IAM sets
/// iam:PassedToService on every PassRole, so IfExists narrows there as well; the other
/// keys can be absent, and an IfExists on them lets such a request through.
fn narrows_pass_role(s: &Statement) -> bool {
    s.conditions.iter().any(|c| {
        let key = c.key.to_ascii_lowercase();
        let always_present = key == "iam:passedtoservice";
        let narrowing_key = always_present
            || key == "iam:associatedresourcearn"
            || key.starts_with("aws:resourcetag/");
        narrowing_key
            && (always_present || !c.operator.ends_with("IfExists"))
            && !c.operator.contains("Not")
            && !c
                .values
                .iter()
                .any(|v| matches!(v, Text::Lit(x) if x == "*"))
    })
}

/// IAM action patterns: case-insensitive, with `*` and `?` wildcards.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::{action_matches, wildcard_role};

    #[test]
    fn action_patterns() {
        assert!(action_matches("iam:PassRole", "iam:PassRole"));
        assert!(action_matches("IAM:passrole", "iam:PassRole"));
        assert!(action_matches("iam:*", "iam:PassRole"));
        assert!(action_matches("iam:Pass*", "iam:PassRole"));
        assert!(action_matches("*", "iam:PassRole"));
        assert!(action_matches("iam:P?ssRole", "iam:PassRole"));
        assert!(!action_matches("iam:Get*", "iam:PassRole"));
        assert!(!action_matches("s3:*", "iam:PassRole"));
    }

    #[test]
    fn wildcard_roles() {
        for wide in [
            "*",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111111111111:role/*",
            "arn:aws:iam::111111111111:*",
            "arn:aws:iam::*:role/TowerForge-*",
            "arn:*:iam::111111111111:role/x*",
            "arn:aws:iam::111111111111:role/*/*",
        ] {
            assert!(wildcard_role(wide), "{wide}");
        }
        for narrow in [
            "arn:aws:iam::111111111111:role/TowerForge-*",
            "arn:aws:iam::111111111111:role/seqera/*-batch",
            "arn:aws:iam::111111111111:role/Exact",
            "arn:aws:iam::*:role/Exact",
            "arn:aws:s3:::bucket/*",
        ] {
            assert!(!wildcard_role(narrow), "{narrow}");
        }
    }
}
