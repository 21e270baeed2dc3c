//! Properties of the role graph that the backends rely on, checked on every golden model:
//! both halves of each `role:` edge exist, and no grant names a role the model does not
//! say it may assume.

use std::collections::BTreeSet;

use rolegraph::ir::{Graph, PrincipalKind, RoleIdx, Text};

use crate::support;

fn graphs() -> Vec<(String, Graph)> {
    support::golden_cases()
        .into_iter()
        .map(|case| {
            let graph = rolegraph::compile(&case.join("rolegraph.yaml"))
                .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
            (case.display().to_string(), graph)
        })
        .collect()
}

/// (source, target) for every role principal in a trust policy.
fn trust_edges(graph: &Graph) -> BTreeSet<(RoleIdx, RoleIdx)> {
    let mut edges = BTreeSet::new();
    for (t, role) in graph.roles.iter().enumerate() {
        for p in role.trust.statements.iter().flat_map(|s| &s.principals) {
            for id in &p.ids {
                if let (PrincipalKind::Aws, Text::RoleArn(source)) = (p.kind, id) {
                    edges.insert((*source, RoleIdx(t)));
                }
            }
        }
    }
    edges
}

/// (source, target) for every resource of every assume grant.
fn grant_edges(graph: &Graph) -> BTreeSet<(RoleIdx, RoleIdx)> {
    let mut edges = BTreeSet::new();
    for (s, role) in graph.roles.iter().enumerate() {
        for statement in role.assume.iter().flat_map(|a| &a.document.statements) {
            assert!(statement.not_resources.is_empty() && statement.not_actions.is_empty());
            for resource in &statement.resources {
                match resource {
                    Text::RoleArn(target) => {
                        edges.insert((RoleIdx(s), *target));
                    }
                    other => panic!("an assume grant names {other:?}, not a role of the model"),
                }
            }
        }
    }
    edges
}

#[test]
fn every_trust_edge_has_both_halves_and_nothing_more() {
    let graphs = graphs();
    let mut edges_seen = 0;
    for (name, graph) in &graphs {
        let trust = trust_edges(graph);
        let grants = grant_edges(graph);
        assert_eq!(trust, grants, "{name}: trust and grants disagree");
        edges_seen += trust.len();
    }
    assert!(
        edges_seen >= 8,
        "the golden cases exercise only {edges_seen} role edges"
    );
}

#[test]
fn grants_name_exact_arns_with_paths() {
    for (name, graph) in graphs() {
        for (i, role) in graph.roles.iter().enumerate() {
            let arn = graph.role_arn(RoleIdx(i));
            assert!(
                arn.ends_with(&format!(":role{}{}", role.path, role.name)),
                "{name}: {arn}"
            );
            assert!(!arn.contains('*'), "{name}: {arn}");
        }
    }
}

#[test]
fn session_tags_are_granted_only_where_the_edge_asks_for_them() {
    for (name, graph) in graphs() {
        for (s, role) in graph.roles.iter().enumerate() {
            for statement in role.assume.iter().flat_map(|a| &a.document.statements) {
                if statement.actions != ["sts:TagSession"] {
                    assert_eq!(statement.actions, ["sts:AssumeRole"], "{name}");
                    continue;
                }
                for resource in &statement.resources {
                    let Text::RoleArn(target) = resource else {
                        panic!("{name}")
                    };
                    let trusts_with_tags = graph.role(*target).trust.statements.iter().any(|st| {
                        st.actions.iter().any(|a| a == "sts:TagSession")
                            && st
                                .principals
                                .iter()
                                .any(|p| p.ids.contains(&Text::RoleArn(RoleIdx(s))))
                    });
                    assert!(
                        trusts_with_tags,
                        "{name}: TagSession granted without the trust side"
                    );
                }
            }
        }
    }
}

#[test]
fn deploy_order_puts_trusted_accounts_first() {
    for (name, graph) in graphs() {
        let order = graph.deploy_order().expect("golden models have an order");
        let position = |a: rolegraph::ir::AccountIdx| order.iter().position(|x| *x == a).unwrap();
        for (source, target) in trust_edges(&graph) {
            let (s, t) = (graph.role(source).account, graph.role(target).account);
            assert!(
                position(s) <= position(t),
                "{name}: {source:?} must deploy before {target:?}"
            );
        }
    }
}
