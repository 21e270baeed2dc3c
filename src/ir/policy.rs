//! Policy documents in the IR. Strings that depend on deployment (a role's ARN, a
//! deploy-time input) stay symbolic, so each backend can render them in its own terms.

use serde_json::{Map, Value, json};

use super::RoleIdx;

pub const ASSUME_ROLE: &str = "sts:AssumeRole";
pub const TAG_SESSION: &str = "sts:TagSession";

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

    /// Whether this condition requires the `sts:ExternalId` to be one of its values: an
    /// `IfExists` or negated operator passes without one, and a value with a wildcard
    /// (`StringLike`) matches IDs that nobody chose, so neither counts.
    pub fn requires_external_id(&self) -> bool {
        const REQUIRING: [&str; 3] = ["StringEquals", "StringEqualsIgnoreCase", "StringLike"];
        self.is_external_id()
            && REQUIRING.contains(&self.operator.as_str())
            && !self.values.iter().any(Text::is_wildcard)
    }
}

impl Text {
    /// Whether IAM's `StringLike` would read this value as a pattern.
    pub fn is_wildcard(&self) -> bool {
        matches!(self, Text::Lit(value) if value.contains(['*', '?']))
    }
}

impl Statement {
    /// The `sts:ExternalId` values this statement requires (see
    /// [`Condition::requires_external_id`]).
    pub fn external_ids(&self) -> impl Iterator<Item = &Text> {
        self.conditions
            .iter()
            .filter(|c| c.requires_external_id())
            .flat_map(|c| &c.values)
    }

    /// Whether this statement can let a principal in: every trust statement but one that
    /// allows `sts:TagSession` alone, which rolegraph writes beside an AssumeRole statement.
    pub fn lets_in(&self) -> bool {
        !(self.actions.len() == 1 && self.actions[0] == TAG_SESSION)
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
    /// The statements that let the role `source` itself in (see [`Statement::lets_in`]).
    pub fn naming(&self, source: RoleIdx) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(move |s| {
            s.lets_in()
                && s.principals
                    .iter()
                    .any(|p| p.ids.contains(&Text::RoleArn(source)))
        })
    }

    /// The document as IAM stores it, with every element a list: what the size quotas
    /// count and what `rolegraph plan` shows. `resolve` spells the symbolic strings.
    pub fn to_json(&self, resolve: &dyn Fn(&Text) -> String) -> Value {
        let statements: Vec<Value> = self
            .statements
            .iter()
            .map(|s| statement_json(s, resolve))
            .collect();
        json!({ "Version": POLICY_VERSION, "Statement": statements })
    }
}

fn statement_json(s: &Statement, resolve: &dyn Fn(&Text) -> String) -> Value {
    let texts = |items: &[Text]| -> Value { items.iter().map(resolve).collect() };
    let mut out = Map::new();
    if let Some(sid) = &s.sid {
        out.insert("Sid".into(), sid.clone().into());
    }
    out.insert("Effect".into(), s.effect.as_str().into());
    if !s.principals.is_empty() {
        let mut principals: Map<String, Value> = Map::new();
        for p in &s.principals {
            let ids = principals
                .entry(p.kind.as_str())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(ids) = ids {
                ids.extend(p.ids.iter().map(|t| Value::from(resolve(t))));
            }
        }
        out.insert("Principal".into(), Value::Object(principals));
    }
    for (name, items) in [("Action", &s.actions), ("NotAction", &s.not_actions)] {
        if !items.is_empty() {
            out.insert(name.into(), items.clone().into());
        }
    }
    for (name, items) in [
        ("Resource", &s.resources),
        ("NotResource", &s.not_resources),
    ] {
        if !items.is_empty() {
            out.insert(name.into(), texts(items));
        }
    }
    if !s.conditions.is_empty() {
        let mut operators: Map<String, Value> = Map::new();
        for c in &s.conditions {
            let keys = operators
                .entry(c.operator.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = keys {
                keys.insert(c.key.clone(), texts(&c.values));
            }
        }
        out.insert("Condition".into(), Value::Object(operators));
    }
    Value::Object(out)
}
