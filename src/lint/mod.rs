//! Security rules over the role graph. Each rule has a stable id, a severity, a message
//! that names the model position, and a fix hint. A role can accept a named rule with a
//! reason; accepted findings are reported as such and never fail a run.

mod report;
mod rules;

use serde::Serialize;

pub use report::{Format, render, render_to};

use crate::diag::Loc;
use crate::ir::{Graph, RoleIdx};

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

pub const RULES: &[Rule] = &[
    Rule {
        id: "RG001",
        severity: Severity::Error,
        title: "instance credentials let any workspace use a role",
        help: "With TOWER_ALLOW_INSTANCE_CREDENTIALS=true Seqera Platform assumes roles with the EC2 instance role and no External ID, so an admin of any workspace who knows a role's ARN can create a credential that uses it. Turn instance credentials off and use role-mode credentials whose trust requires the External ID Platform generates, or accept the risk on the role.",
    },
    Rule {
        id: "RG002",
        severity: Severity::Error,
        title: "credentials share a role or an External ID",
        help: "Each Seqera credential should reach its own role with its own External ID; a shared role or ID lets one workspace act as another.",
    },
    Rule {
        id: "RG003",
        severity: Severity::Warning,
        title: "trust to an account root without aws:PrincipalArn",
        help: "Trusting an account root lets every principal in that account with sts:AssumeRole permission assume the role. Add an ArnEquals or ArnLike condition on aws:PrincipalArn (checkov CKV_AWS_61 flags the same pattern).",
    },
    Rule {
        id: "RG004",
        severity: Severity::Error,
        title: "wildcard principal",
        help: "A `*` principal, or a principal ARN with a wildcard, trusts far more than one principal. Name the exact principal.",
    },
    Rule {
        id: "RG005",
        severity: Severity::Error,
        title: "policy allows every action, or iam:PassRole on every resource",
        help: "Grant the actions the role needs; pass only the roles it must pass.",
    },
    Rule {
        id: "RG006",
        severity: Severity::Warning,
        title: "max_session_duration above one hour on a role reached only by role chaining",
        help: "AWS caps a chained role session at one hour, whatever MaxSessionDuration says; the longer setting has no effect and suggests a session length the callers will not get.",
    },
    Rule {
        id: "RG008",
        severity: Severity::Warning,
        title: "cross-account Seqera credential without an External ID",
        help: "A Seqera credential that crosses accounts should require the External ID Platform generates for it, so that no other credential can use the role.",
    },
    Rule {
        id: "RG009",
        severity: Severity::Warning,
        title: "role-mode Seqera credential with a fixed External ID",
        help: "In role mode Seqera Platform generates the External ID when the credential is saved; a value fixed in the model will not match it, and the credential cannot assume the role. Use `external_id: { input: NAME }` and pass the generated ID at deploy time.",
    },
];

pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub loc: Loc,
    pub message: String,
    pub hint: String,
    /// The role whose `accept_risks` can accept this finding.
    pub role: Option<RoleIdx>,
    /// The reason the model gives for accepting it.
    pub accepted: Option<String>,
}

impl Finding {
    /// Whether this finding fails a run that denies `deny` and above.
    pub fn fails(&self, deny: Severity) -> bool {
        self.accepted.is_none() && self.rule.severity >= deny
    }
}

/// Every finding, in model order, with accepted ones marked.
pub fn lint(graph: &Graph) -> Vec<Finding> {
    let mut findings = rules::all(graph);
    for f in &mut findings {
        if let Some(role) = f.role {
            f.accepted = graph
                .role(role)
                .accepted_risks
                .iter()
                .find(|a| a.rule == f.rule.id)
                .map(|a| a.reason.clone());
        }
    }
    findings.sort_by(|a, b| (&a.loc, a.rule.id).cmp(&(&b.loc, b.rule.id)));
    findings.dedup_by(|a, b| a.loc == b.loc && a.rule.id == b.rule.id && a.message == b.message);
    findings
}
