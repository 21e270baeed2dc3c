//! The lint rule catalogue: ids, severities, titles and help. A leaf that imports nothing
//! of rolegraph, so that `ir` can check `accept_risks` against it and `lint` can attach the
//! rules to findings without the two layers importing each other (cxx's `syntax/error.rs`).
//! Code names a rule by its constant, never by its id string.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub title: &'static str,
    /// Why it matters and what to do, for `--format sarif` and the README.
    pub help: &'static str,
}

pub static INSTANCE_CREDENTIALS: Rule = Rule {
    id: "RG001",
    severity: Severity::Error,
    title: "instance credentials let any workspace use a role",
    help: "With TOWER_ALLOW_INSTANCE_CREDENTIALS=true Seqera Platform assumes roles with the EC2 instance role and no External ID, so an admin of any workspace who knows a role's ARN can create a credential that uses it. Turn instance credentials off and use role-mode credentials whose trust requires the External ID Platform generates, or accept the risk on the role.",
};

pub static SHARED_CREDENTIALS: Rule = Rule {
    id: "RG002",
    severity: Severity::Error,
    title: "credentials share a role or an External ID",
    help: "Each Seqera credential should reach its own role with its own External ID; a shared role or ID lets one workspace act as another.",
};

pub static ROOT_TRUST: Rule = Rule {
    id: "RG003",
    severity: Severity::Warning,
    title: "trust to an account root without aws:PrincipalArn",
    help: "Trusting an account root lets every principal in that account with sts:AssumeRole permission assume the role. Add an ArnEquals or ArnLike condition on aws:PrincipalArn (checkov CKV_AWS_61 flags the same pattern).",
};

pub static WILDCARD_PRINCIPAL: Rule = Rule {
    id: "RG004",
    severity: Severity::Error,
    title: "wildcard principal",
    help: "A `*` principal, or a principal ARN with a wildcard, trusts far more than one principal. Name the exact principal.",
};

pub static BROAD_POLICY: Rule = Rule {
    id: "RG005",
    severity: Severity::Error,
    title: "policy allows every action, or iam:PassRole on any role to any service",
    help: "`*` actions, or NotAction on every resource, allow almost everything, sts:AssumeRole on every role included. iam:PassRole on `*`, on NotResource or on wildcard role ARNs lets the role hand any role to a service; an iam:PassedToService (or iam:AssociatedResourceArn, aws:ResourceTag) condition narrows it. Grant the actions the role needs; pass only the roles it must pass, to the services that need them.",
};

pub static CHAINED_SESSION: Rule = Rule {
    id: "RG006",
    severity: Severity::Warning,
    title: "max_session_duration above one hour on a role reached only by role chaining",
    help: "AWS caps a chained role session at one hour, whatever MaxSessionDuration says; the longer setting has no effect and suggests a session length the callers will not get.",
};

pub static NO_EXTERNAL_ID: Rule = Rule {
    id: "RG008",
    severity: Severity::Warning,
    title: "cross-account Seqera credential without an External ID",
    help: "A Seqera credential that crosses accounts should require the External ID Platform generates for it, so that no other credential can use the role.",
};

pub static FIXED_EXTERNAL_ID: Rule = Rule {
    id: "RG009",
    severity: Severity::Warning,
    title: "role-mode Seqera credential with a fixed External ID",
    help: "In role mode Seqera Platform generates the External ID when the credential is saved; a value fixed in the model will not match it, and the credential cannot assume the role. Use `external_id: { input: NAME }` and pass the generated ID at deploy time.",
};

pub static WIDENED_ROOT_TRUST: Rule = Rule {
    id: "RG010",
    severity: Severity::Warning,
    title: "trust to an account root narrowed by a wildcard aws:PrincipalArn",
    help: "An aws:PrincipalArn condition such as `*` or `arn:aws:iam::111111111111:*` on an account-root principal looks like the narrowing RG003 asks for but admits every principal of the account (a negated operator narrows nothing either). Name the principals, or a path prefix (`role/team/*`).",
};

pub static WILDCARD_EXTERNAL_ID: Rule = Rule {
    id: "RG011",
    severity: Severity::Error,
    title: "an sts:ExternalId condition that any External ID satisfies",
    help: "StringLike with `*` (or another pattern) on sts:ExternalId looks like the confused-deputy guard but lets any caller that sends some External ID in, whichever Seqera workspace generated it. Require the exact ID: `external_id: { input: NAME }`.",
};

pub static ASSUME_ANY_ROLE: Rule = Rule {
    id: "RG012",
    severity: Severity::Error,
    title: "sts:AssumeRole on `*`, on NotResource or on wildcard role ARNs",
    help: "A policy that lets a role assume every role (or every role of every account) makes each trust policy that names its account the only guard. Trust edges in the model (`trusted_by: - role:`) grant exactly the roles they name; list those.",
};

pub static CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID: Rule = Rule {
    id: "RG013",
    severity: Severity::Warning,
    title: "a role trusted by a role of another account without any sts:ExternalId condition (lint --live)",
    help: "The precondition of the seed's confused-deputy risk, read from IAM alone: whoever controls the trusted role (Seqera Platform, for every workspace) can use this role without proving which tenant it acts for. Require the External ID the caller generates for this tenant; `lint --live MODEL` then tells Seqera's credentials apart (RG001, RG008).",
};

/// Every rule, in id order.
pub static RULES: [&Rule; 12] = [
    &INSTANCE_CREDENTIALS,
    &SHARED_CREDENTIALS,
    &ROOT_TRUST,
    &WILDCARD_PRINCIPAL,
    &BROAD_POLICY,
    &CHAINED_SESSION,
    &NO_EXTERNAL_ID,
    &FIXED_EXTERNAL_ID,
    &WIDENED_ROOT_TRUST,
    &WILDCARD_EXTERNAL_ID,
    &ASSUME_ANY_ROLE,
    &CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID,
];

/// The rule with id `id`, as a model's `accept_risks` names it.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}
