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

impl Condition {
    /// IAM condition keys are case-insensitive.
    pub fn is_external_id(&self) -> bool {
        self.key.eq_ignore_ascii_case("sts:ExternalId")
    }
}

impl Statement {
    /// The `sts:ExternalId` values this statement requires.
    pub fn external_ids(&self) -> impl Iterator<Item = &Text> {
        self.conditions
            .iter()
            .filter(|c| c.is_external_id())
            .flat_map(|c| &c.values)
    }

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

impl PolicyDocument {
    /// The statements whose principals name the role `source` itself.
    pub fn naming(&self, source: RoleIdx) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(move |s| {
            s.principals
                .iter()
                .any(|p| p.ids.contains(&Text::RoleArn(source)))
        })
    }
}
