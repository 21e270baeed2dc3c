//! Proof that the compactions rolegraph applies to fit AWS's quotas never allow more than
//! the model states, on every golden model and 300 random ones:
//! - merged trust statements allow exactly the (principal, action, condition) combinations
//!   of the `trusted_by` entries they came from;
//! - packed `-assume` policies grant sts:AssumeRole on exactly the roles that trust the
//!   source, and sts:TagSession on exactly those that take its session tags.
//!
//! The random models are compiled a second time with a small `managed_policy` limit, so
//! that their grants are split over several policies.

use crate::support;

use std::collections::BTreeSet;

use rolegraph::ir::compact::atoms;
use rolegraph::ir::{Graph, RoleIdx, Text};
use support::{golden_cases, random_model};

const RANDOM_MODELS: u64 = 300;

fn compile(yaml: &str) -> Graph {
    crate::support::compile_text(yaml).unwrap_or_else(|d| panic!("{d}\n{yaml}"))
}

/// (source, target, action) for every role principal in every trust policy as the model
/// states it: what the identity side must grant, no more and no less.
fn expected_grants(graph: &Graph) -> BTreeSet<(RoleIdx, RoleIdx, String)> {
    let mut out = BTreeSet::new();
    for (t, role) in graph.roles.iter().enumerate() {
        for s in &role.trust.statements {
            for id in s.principals.iter().flat_map(|p| &p.ids) {
                if let Text::RoleArn(source) = id {
                    for action in &s.actions {
                        out.insert((*source, RoleIdx(t), action.clone()));
                    }
                }
            }
        }
    }
    out
}

fn granted(graph: &Graph) -> Vec<(RoleIdx, RoleIdx, String)> {
    let mut out = Vec::new();
    for (s, role) in graph.roles.iter().enumerate() {
        for policy in &role.assume {
            for statement in &policy.document.statements {
                for resource in &statement.resources {
                    let Text::RoleArn(target) = resource else {
                        panic!("a grant names {resource:?}, not a role of the model");
                    };
                    for action in &statement.actions {
                        out.push((RoleIdx(s), *target, action.clone()));
                    }
                }
            }
        }
    }
    out
}

/// What one graph shows: counts of merged trust policies and split grants.
#[derive(Default)]
struct Seen {
    merged_trusts: usize,
    split_grants: usize,
}

fn check(label: &str, graph: &Graph, seen: &mut Seen) -> Vec<String> {
    let mut problems = Vec::new();
    for role in &graph.roles {
        let before = atoms(&role.trust.statements);
        let after = atoms(&role.trust_policy.statements);
        if before != after {
            let wider: Vec<_> = after.difference(&before).collect();
            let narrower: Vec<_> = before.difference(&after).collect();
            problems.push(format!(
                "{label}: trust of `{}` changed: allows in addition {wider:?}, no longer {narrower:?}",
                role.key
            ));
        }
        if role.trust_policy.statements.len() < role.trust.statements.len() {
            seen.merged_trusts += 1;
        }
        if role.assume.len() > 1 {
            seen.split_grants += 1;
        }
    }
    let granted = granted(graph);
    let unique: BTreeSet<_> = granted.iter().cloned().collect();
    if unique.len() != granted.len() {
        problems.push(format!("{label}: a grant appears in two policies"));
    }
    let expected = expected_grants(graph);
    if unique != expected {
        let extra: Vec<_> = unique.difference(&expected).collect();
        let missing: Vec<_> = expected.difference(&unique).collect();
        problems.push(format!(
            "{label}: grants differ from the trust policies: extra {extra:?}, missing {missing:?}"
        ));
    }
    problems
}

/// The model compiled with the smallest `managed_policy` limit (of a few) that still
/// holds each single grant, so that grants split after one or two ARNs.
fn with_small_policies(yaml: &str) -> Graph {
    assert!(yaml.contains("\nroles:\n"));
    for limit in [250, 300, 400, 700] {
        let limits = format!("limits:\n  managed_policy: {limit}\n  managed_per_role: 20\n");
        let small = yaml.replacen("\nroles:\n", &format!("\n{limits}roles:\n"), 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rolegraph.yaml");
        std::fs::write(&path, &small).unwrap();
        match rolegraph::compile(&path) {
            Ok(graph) => return graph,
            Err(d) if d.to_string().contains("needs") => continue,
            Err(d) => panic!("{d}\n{small}"),
        }
    }
    panic!("no limit holds the grants of:\n{yaml}");
}

#[test]
fn compactions_allow_exactly_what_the_model_states() {
    let mut problems = Vec::new();
    let mut seen = Seen::default();
    let mut models = 0;
    for case in golden_cases() {
        let graph = rolegraph::compile(&case.join("rolegraph.yaml")).unwrap();
        problems.extend(check(&case.display().to_string(), &graph, &mut seen));
        models += 1;
    }
    for seed in 0..RANDOM_MODELS {
        let yaml = random_model::model(seed);
        for (variant, graph) in [
            ("default", compile(&yaml)),
            ("small", with_small_policies(&yaml)),
        ] {
            problems.extend(check(
                &format!("seed {seed} ({variant})"),
                &graph,
                &mut seen,
            ));
            models += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The proof is only as good as its coverage: both compactions must have happened.
    assert!(
        seen.merged_trusts >= 20 && seen.split_grants >= 20,
        "merged trusts in {} roles and split grants in {} of {models} models: too few to prove anything",
        seen.merged_trusts,
        seen.split_grants
    );
    println!(
        "{models} models: {} trust policies merged, {} grants split, all exactly equivalent",
        seen.merged_trusts, seen.split_grants
    );
}

/// The checks above must catch a compaction that widens: a grant naming one more role,
/// and a merged statement that lost a condition.
#[test]
fn the_checks_catch_a_widened_compaction() {
    let mut graph =
        rolegraph::compile(&support::repo().join("golden/seed/rolegraph.yaml")).unwrap();
    let mut seen = Seen::default();
    assert!(check("seed", &graph, &mut seen).is_empty());
    let (platform, _) = graph
        .roles
        .iter()
        .enumerate()
        .find(|(_, r)| !r.assume.is_empty())
        .unwrap();
    graph.roles[platform].assume[0].document.statements[0]
        .resources
        .push(Text::RoleArn(RoleIdx(platform)));
    let found = check("seed", &graph, &mut seen);
    assert!(
        found.iter().any(|p| p.contains("grants differ")),
        "{found:?}"
    );

    let mut graph =
        rolegraph::compile(&support::repo().join("golden/seed/rolegraph.yaml")).unwrap();
    let target = graph
        .roles
        .iter()
        .position(|r| {
            r.trust_policy
                .statements
                .iter()
                .any(|s| !s.conditions.is_empty())
        })
        .unwrap();
    for s in &mut graph.roles[target].trust_policy.statements {
        s.conditions.clear();
    }
    let found = check("seed", &graph, &mut seen);
    assert!(found.iter().any(|p| p.contains("trust of")), "{found:?}");
}
