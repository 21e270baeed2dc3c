//! The trust graph as edges, for diagrams and `explain`: who may assume which role, on
//! which conditions. Derived from the trust policies, so it shows what is deployed.

use super::{Graph, PrincipalKind, RoleIdx, TAG_SESSION, Text};

/// The assuming side of a trust edge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    Role(RoleIdx),
    Service(String),
    /// A principal outside the model: an ARN, or an account root.
    External(String),
}

#[derive(Debug, Clone)]
pub struct TrustEdge {
    pub source: Source,
    pub target: RoleIdx,
    pub session_tags: bool,
    /// `sts:ExternalId` values, as the model states them (`input NAME` for deploy-time ones).
    pub external_ids: Vec<String>,
    /// Other conditions, as `Operator key = value, value`.
    pub conditions: Vec<String>,
}

impl TrustEdge {
    /// A short description of the conditions on this edge, e.g. `ExternalId (input x), TagSession`.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if !self.external_ids.is_empty() {
            parts.push(format!("ExternalId ({})", self.external_ids.join(" | ")));
        }
        if self.session_tags {
            parts.push("TagSession".to_owned());
        }
        parts.extend(self.conditions.iter().cloned());
        parts.join(", ")
    }
}

pub fn describe(value: &Text, graph: &Graph) -> String {
    match value {
        Text::Lit(s) => s.clone(),
        Text::RoleArn(r) => graph.role_arn(*r),
        Text::Input(name) => format!("input {name}"),
    }
}

impl Graph {
    /// Every (principal, role) pair of every trust policy, in model order.
    pub fn trust_edges(&self) -> Vec<TrustEdge> {
        let mut edges = Vec::new();
        for (t, role) in self.roles.iter().enumerate() {
            // The principals of the TagSession statements beside the AssumeRole ones.
            let tagged: Vec<&Text> = role
                .trust
                .statements
                .iter()
                .filter(|s| !s.lets_in())
                .flat_map(|s| s.principals.iter().flat_map(|p| &p.ids))
                .collect();
            for s in role.trust.statements.iter().filter(|s| s.lets_in()) {
                let tags_here = s.actions.iter().any(|a| a == TAG_SESSION);
                let mut external_ids = Vec::new();
                let mut conditions = Vec::new();
                for c in &s.conditions {
                    let values: Vec<String> = c.values.iter().map(|v| describe(v, self)).collect();
                    if c.requires_external_id() {
                        external_ids.extend(values);
                    } else {
                        conditions.push(format!(
                            "{} {} = {}",
                            c.operator,
                            c.key,
                            values.join(", ")
                        ));
                    }
                }
                for p in &s.principals {
                    for id in &p.ids {
                        let source = match (p.kind, id) {
                            (_, Text::RoleArn(r)) => Source::Role(*r),
                            (PrincipalKind::Service, other) => {
                                Source::Service(describe(other, self))
                            }
                            (PrincipalKind::Aws, other) => Source::External(describe(other, self)),
                        };
                        edges.push(TrustEdge {
                            source,
                            target: RoleIdx(t),
                            session_tags: tags_here || tagged.contains(&id),
                            external_ids: external_ids.clone(),
                            conditions: conditions.clone(),
                        });
                    }
                }
            }
        }
        edges
    }
}
