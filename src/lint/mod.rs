//! Security rules over the role graph. Each rule has a stable id, a severity, a message
//! that names the model position, and a fix hint. A role can accept a named rule with a
//! reason; accepted findings are reported as such and never fail a run.

mod live;
mod policies;
mod report;
mod rules;

pub use live::{Linted, Place, lint_live};
pub use report::{Format, render, render_to};

use crate::diag::Loc;
use crate::ir::{Graph, RoleIdx};

pub use crate::catalogue::{RULES, Rule, Severity, rule};

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
    /// For `lint --live`: the live role, shown instead of `loc` (a position in the model
    /// recovered in memory, which no one can open).
    pub place: Option<std::sync::Arc<Place>>,
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
