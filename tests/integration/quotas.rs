//! AWS's IAM quotas, each tested just below and just above its limit, at AWS's default
//! and at a limit set in `limits:`. Sizes are measured with the library's counter, which
//! src/ir/size.rs holds equal to the rendered JSON; each model is then tuned to land
//! exactly on the limit.

use crate::support;

use rolegraph::ir::size::policy_chars;
use rolegraph::ir::{Graph, RoleIdx, Text};
use support::{run, text};

use crate::synth;

fn compile(yaml: &str) -> Result<Graph, String> {
    crate::support::compile_text(yaml)
}

fn role<'g>(graph: &'g Graph, key: &str) -> (RoleIdx, &'g rolegraph::ir::Role) {
    let i = graph.roles.iter().position(|r| r.key == key).unwrap();
    (RoleIdx(i), &graph.roles[i])
}

/// A hub in one account and `targets` roles in another that trust it; `limits` and the
/// extra lines of the hub and of the first target are spliced in.
fn model(limits: &str, hub_extra: &str, targets: &[String], target_extra: &str) -> String {
    let mut out = format!(
        "version: 1\nname: quotas\naccounts:\n  hub: {{ id: \"100000000001\" }}\n  spoke: {{ id: \"100000000002\" }}\n{limits}roles:\n  hub:\n    account: hub\n    name: Hub\n    trusted_by:\n      - service: ec2.amazonaws.com\n{hub_extra}"
    );
    for (i, name) in targets.iter().enumerate() {
        out += &format!(
            "  target{i}:\n    account: spoke\n    name: {name}\n    trusted_by:\n      - role: hub\n        external_id: ext-{i}\n"
        );
        if i == 0 {
            out += target_extra;
        }
    }
    out
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("Target{i:04}")).collect()
}

fn trust_size(graph: &Graph, key: &str) -> usize {
    policy_chars(graph, &role(graph, key).1.trust_policy)
}

/// `trusted_by` entries with `count` account principals (each its own statement: the
/// conditions differ), the last padded by `pad` characters.
fn many_principals(count: usize, pad: usize) -> String {
    let mut out = String::new();
    for i in 0..count {
        let name = if i + 1 == count {
            format!("Deployer{}", "x".repeat(pad))
        } else {
            "Deployer".to_owned()
        };
        out += &format!(
            "      - arn: arn:aws:iam::3000000000{i:02}:role/{name}\n        external_id: e{i}\n"
        );
    }
    out
}

#[test]
fn trust_policy_at_and_over_the_default_quota() {
    let with = |count, pad| {
        let targets = names(1);
        let extra = "    trusted_by:\n".to_owned() + &many_principals(count, pad);
        // The first target's own `trusted_by` comes first in the model; this second key
        // would be a duplicate, so the extra trust goes on a role of its own instead.
        let mut yaml = model("", "", &targets, "");
        yaml += &format!("  padded:\n    account: spoke\n    name: Padded\n{extra}");
        yaml
    };
    let raised = |yaml: String| yaml.replace("roles:\n", "limits:\n  trust_policy: 4096\nroles:\n");
    let mut count = 1;
    while trust_size(&compile(&raised(with(count + 1, 0))).unwrap(), "padded") <= 2048 {
        count += 1;
    }
    let base = trust_size(&compile(&raised(with(count, 0))).unwrap(), "padded");
    let pad = 2048 - base;
    assert!(pad < 60, "padding of {pad} would exceed a role name");
    let at = compile(&with(count, pad)).unwrap();
    assert_eq!(trust_size(&at, "padded"), 2048);
    let over = compile(&with(count, pad + 1)).unwrap_err();
    assert!(
        over.contains("the trust policy of role `padded` is 2049 characters")
            && over.contains("the quota is 2048"),
        "{over}"
    );
    assert!(
        over.contains("set `limits: { trust_policy: 4096 }`"),
        "{over}"
    );
    compile(&raised(with(count, pad + 1))).unwrap();
}

#[test]
fn trust_policy_at_and_over_a_set_limit() {
    let yaml = |limit: usize| {
        model(
            &format!("limits:\n  trust_policy: {limit}\n"),
            "",
            &names(1),
            "",
        )
    };
    let size = trust_size(&compile(&yaml(4096)).unwrap(), "target0");
    compile(&yaml(size)).unwrap();
    let err = compile(&yaml(size - 1)).unwrap_err();
    assert!(err.contains(&format!("is {size} characters")), "{err}");
}

/// The hub's grant to `n` targets, the last one's name padded.
fn hub_with_targets(limits: &str, n: usize, pad: usize) -> String {
    let mut targets = names(n);
    if let Some(last) = targets.last_mut() {
        last.push_str(&"x".repeat(pad));
    }
    model(limits, "", &targets, "")
}

fn grants(graph: &Graph) -> (Vec<usize>, Vec<String>) {
    grants_of(graph, "hub")
}

/// The sizes of a role's generated `-assume` policies, and the ARNs they grant, in order.
fn grants_of(graph: &Graph, key: &str) -> (Vec<usize>, Vec<String>) {
    let hub = role(graph, key).1;
    let sizes = hub
        .assume
        .iter()
        .map(|p| policy_chars(graph, &p.document))
        .collect();
    let mut arns = Vec::new();
    for p in &hub.assume {
        for s in &p.document.statements {
            for r in &s.resources {
                match r {
                    Text::RoleArn(idx) => arns.push(graph.role_arn(*idx)),
                    other => panic!("unexpected resource {other:?}"),
                }
            }
        }
    }
    (sizes, arns)
}

#[test]
fn managed_policy_at_and_over_the_default_quota() {
    let policies = |n| {
        grants(&compile(&hub_with_targets("", n, 0)).unwrap())
            .0
            .len()
    };
    let mut n = 1;
    while policies(n + 1) == 1 {
        n += 1;
    }
    let (sizes, _) = grants(&compile(&hub_with_targets("", n, 0)).unwrap());
    assert_eq!(sizes.len(), 1);
    let pad = 6144 - sizes[0];
    assert!(pad < 50, "padding {pad}");
    let (at, _) = grants(&compile(&hub_with_targets("", n, pad)).unwrap());
    assert_eq!(at, [6144]);
    let (over, arns) = grants(&compile(&hub_with_targets("", n, pad + 1)).unwrap());
    assert_eq!(over.len(), 2, "{over:?}");
    assert!(over.iter().all(|&s| s <= 6144));
    let mut sorted = arns.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(arns, sorted, "each target once, in ARN order");
    assert_eq!(arns.len(), n);
}

#[test]
fn managed_policy_at_and_over_a_set_limit() {
    let yaml =
        |limit: usize| hub_with_targets(&format!("limits:\n  managed_policy: {limit}\n"), 12, 0);
    let (sizes, _) = grants(&compile(&yaml(6144)).unwrap());
    assert_eq!(sizes.len(), 1);
    let graph = compile(&yaml(sizes[0])).unwrap();
    assert_eq!(grants(&graph).0.len(), 1);
    let graph = compile(&yaml(sizes[0] - 1)).unwrap();
    let names: Vec<&str> = role(&graph, "hub")
        .1
        .assume
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Hub-assume", "Hub-assume-2"]);
}

/// 1,000 targets, the benchmark hub: the grants fit ten policies of the default
/// size, and all 1,000 ARNs are granted exactly once.
#[test]
fn a_thousand_targets_pack_into_at_most_ten_policies() {
    let graph = compile(&synth::model(1000)).unwrap();
    let (sizes, arns) = grants_of(&graph, "platform");
    assert!(sizes.len() <= 10, "{} policies", sizes.len());
    assert!(sizes.iter().all(|&s| s <= 6144), "{sizes:?}");
    let unique: std::collections::BTreeSet<&String> = arns.iter().collect();
    assert_eq!((arns.len(), unique.len()), (1000, 1000));
}

fn managed_arns(n: usize) -> String {
    let mut out = "    managed_policies:\n".to_owned();
    for i in 0..n {
        out += &format!("      - arn:aws:iam::aws:policy/Policy{i:02}\n");
    }
    out
}

#[test]
fn managed_policies_per_role_at_and_over_the_default_quota() {
    // The hub's one generated `-assume` policy counts too.
    compile(&model("", &managed_arns(9), &names(1), "")).unwrap();
    let err = compile(&model("", &managed_arns(10), &names(1), "")).unwrap_err();
    assert!(
        err.contains("role `hub` needs 11 managed policies, 10 from `managed_policies` and 1 to grant sts:AssumeRole on 1 roles"),
        "{err}"
    );
    assert!(err.contains("the quota is 10 per role"), "{err}");
    assert!(
        err.contains("set `limits: { managed_per_role: 20 }`"),
        "{err}"
    );
    compile(&model(
        "limits:\n  managed_per_role: 11\n",
        &managed_arns(10),
        &names(1),
        "",
    ))
    .unwrap();
}

#[test]
fn managed_policies_per_role_at_and_over_a_set_limit() {
    compile(&model(
        "limits:\n  managed_per_role: 3\n",
        &managed_arns(2),
        &names(1),
        "",
    ))
    .unwrap();
    let err = compile(&model(
        "limits:\n  managed_per_role: 3\n",
        &managed_arns(3),
        &names(1),
        "",
    ))
    .unwrap_err();
    assert!(err.contains("the quota is 3 per role"), "{err}");
}

fn inline_policy(resource_chars: usize) -> String {
    format!(
        "    policies:\n      data:\n        statements:\n          - actions: [s3:GetObject]\n            resources: [\"arn:aws:s3:::{}\"]\n",
        "b".repeat(resource_chars)
    )
}

fn inline_size(graph: &Graph) -> usize {
    let target = role(graph, "target0").1;
    target
        .inline_policies
        .iter()
        .map(|p| policy_chars(graph, &p.document))
        .sum()
}

#[test]
fn inline_policies_at_and_over_the_default_quota() {
    let raised = |chars| model("", "", &names(1), &inline_policy(chars));
    let base = inline_size(&compile(&raised(1)).unwrap());
    let exact = 1 + 10240 - base;
    assert_eq!(inline_size(&compile(&raised(exact)).unwrap()), 10240);
    let err = compile(&raised(exact + 1)).unwrap_err();
    assert!(
        err.contains("the inline policies of role `target0` are 10241 characters together")
            && err.contains("the quota is 10240"),
        "{err}"
    );
}

#[test]
fn inline_policies_at_and_over_a_set_limit() {
    let yaml = |limit: usize| {
        model(
            &format!("limits:\n  inline_total: {limit}\n"),
            "",
            &names(1),
            &inline_policy(20),
        )
    };
    let size = inline_size(&compile(&yaml(10240)).unwrap());
    compile(&yaml(size)).unwrap();
    assert!(
        compile(&yaml(size - 1))
            .unwrap_err()
            .contains("the quota is")
    );
}

#[test]
fn limits_outside_what_aws_allows_are_errors() {
    for (key, value) in [
        ("trust_policy", 4097),
        ("managed_policy", 6145),
        ("inline_total", 10241),
        ("managed_per_role", 21),
        ("managed_per_role", 0),
    ] {
        let err = compile(&model(
            &format!("limits:\n  {key}: {value}\n"),
            "",
            &names(1),
            "",
        ))
        .unwrap_err();
        assert!(
            err.contains(&format!("{key} limit {value} is out of range")),
            "{err}"
        );
    }
}

/// The impossible model: one hub cannot hold grants for 10,000 exact ARNs.
/// The error states what is needed, what is available, and the ways out; nothing is
/// written.
#[test]
fn an_impossible_hub_is_an_error_with_the_numbers_and_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rolegraph.yaml"), synth::model(10_000)).unwrap();
    let out = run(&["generate", "--out", "gen"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    for expected in [
        "error: role `platform` needs 79 managed policies, 0 from `managed_policies` and 79 to grant sts:AssumeRole on 10000 roles (",
        "characters, at most 6144 per policy); the quota is 10 per role, which leaves room for 61440 characters of grants",
        "set `limits: { managed_per_role: 20 }`",
        "spread the target roles over more source roles",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(!dir.path().join("gen").exists());
}
