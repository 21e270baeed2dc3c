//! Policy documents in the IR. Strings that depend on deployment (a role's ARN, a
//! deploy-time input) stay symbolic, so each backend can render them in its own terms.

use super::RoleIdx;

/// A string in a policy: literal, or known only to the backend.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Text {
    Lit(String),
    /// The ARN of a role in this model, path included.
    RoleArn(RoleIdx),
    /// A deploy-time value: a Terraform variable or CloudFormation parameter.
    Input(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalKind {
    Aws,
    Service,
}

impl PrincipalKind {
    /// The key IAM uses in a `Principal` element, and Terraform's `principals.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Aws => "AWS",
            PrincipalKind::Service => "Service",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub ids: Vec<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<Text>,
}

pub use crate::model::Effect;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<Text>,
    pub not_resources: Vec<Text>,
    pub principals: Vec<Principal>,
    /// Sorted by operator, then key: IAM does not care, and sorted reads well in diffs.
    pub conditions: Vec<Condition>,
    /// Where the model wrote it, for lint findings; generated grants have none.
    pub loc: Option<crate::diag::Loc>,
}

impl Statement {
    pub fn allow(actions: Vec<String>) -> Self {
        Statement {
            sid: None,
            effect: Effect::Allow,
            actions,
            not_actions: Vec::new(),
            resources: Vec::new(),
            not_resources: Vec::new(),
            principals: Vec::new(),
            conditions: Vec::new(),
            loc: None,
        }
    }
}

/// IAM's policy language version; the only one that supports policy variables.
pub const POLICY_VERSION: &str = "2012-10-17";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}
