//! The planned IAM evaluated by an independent policy engine, `@cloud-copilot/iam-simulate`
//! (npm, pinned in `tests/policy-engine/package-lock.json`, AGPL-3.0-or-later: a test
//! tool run as a separate process, never shipped). For every golden case and random
//! model, every pair of roles (P, T) of `rolegraph plan --format json`: P asks for
//! `sts:AssumeRole` and `sts:TagSession` on T, with P's inline and attached policies as
//! identity policies and T's trust policy as the resource policy. Exactly the model's
//! edges may assume, and only with the right External ID (none, or a wrong one, is
//! denied); TagSession, asked without an External ID as STS asks it, is allowed exactly
//! where the edge has session tags. Pairs whose trust has conditions the request cannot
//! carry, or trusts P's whole account, are counted and left out, and so are principals
//! that no trust policy of the plan names (then no statement can let them in; this keeps
//! golden/seqera-split's 200 filler roles from making 40,000 pairs of certain denials).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use rolegraph::ir::edges::{Source, TrustEdge};
use rolegraph::ir::{Graph, RoleIdx};
use rolegraph::plan::{Plan, RoleState};
use serde_json::{Value, json};

use crate::support::cloud::input_value;
use crate::support::{bin, golden_cases, random_model, repo, text};

/// Random models checked, after the golden cases: cheap, as nothing is deployed.
const RANDOM_MODELS: u64 = 100;

/// `npm ci` of the pinned engine, once per test run, into cargo's scratch folder.
pub fn engine() -> Option<PathBuf> {
    static ENGINE: OnceLock<Option<PathBuf>> = OnceLock::new();
    ENGINE.get_or_init(install).clone()
}

fn install() -> Option<PathBuf> {
    crate::support::npm::install(
        "policy-engine",
        &["simulate.mjs"],
        "@cloud-copilot/iam-simulate",
        "@cloud-copilot/iam-simulate",
    )
}

/// One evaluation and the answer the model calls for.
struct Ask {
    what: String,
    request: Value,
    allowed: bool,
}

/// How the model lets P assume T.
struct Edge {
    external_ids: Vec<String>,
    session_tags: bool,
    /// Conditions other than the External ID, which the request would have to carry.
    conditioned: bool,
}

#[derive(Default, Debug)]
struct Counts {
    asked: usize,
    allowed: usize,
    skipped_pairs: usize,
    unnamed_principals: usize,
}

fn edges(all: &[TrustEdge], inputs: &BTreeMap<String, String>) -> BTreeMap<(usize, usize), Edge> {
    let mut out = BTreeMap::new();
    for e in all {
        let Source::Role(p) = e.source else { continue };
        let external_ids = e
            .external_ids
            .iter()
            .map(|id| match id.strip_prefix("input ") {
                Some(name) => inputs[name].clone(),
                None => id.clone(),
            })
            .collect();
        out.insert(
            (p.0, e.target.0),
            Edge {
                external_ids,
                session_tags: e.session_tags,
                conditioned: !e.conditions.is_empty(),
            },
        );
    }
    out
}

/// Whether T's trust lets in a principal outside the model that covers P: its account's
/// root, or anyone. Then P's own policies decide, which is not what this test is about.
fn trusts_account_of(graph: &Graph, all: &[TrustEdge], target: usize, source: usize) -> bool {
    let account = &graph.account(graph.role(RoleIdx(source)).account).id;
    all.iter().any(|e| {
        e.target.0 == target
            && matches!(&e.source, Source::External(s) if s == "*" || s.contains(account.as_str()))
    })
}

fn role_state<'p>(plan: &'p Plan, arn: &str) -> (&'p RoleState, &'p str) {
    plan.accounts
        .values()
        .find_map(|a| {
            a.iam
                .roles
                .values()
                .find(|r| r.arn == arn)
                .map(|r| (r, a.id.as_str()))
        })
        .unwrap_or_else(|| panic!("{arn} is not in the plan"))
}

/// P's inline policies and the attached policies the plan creates (AWS-managed ones
/// are not in the plan; rolegraph's grants never rely on them).
fn identity_policies(plan: &Plan, role: &RoleState) -> Vec<Value> {
    let mut out: Vec<Value> = role
        .inline_policies
        .iter()
        .map(|(name, doc)| json!({"name": name, "policy": doc}))
        .collect();
    for arn in &role.attached_policies {
        let managed = plan
            .accounts
            .values()
            .flat_map(|a| a.iam.managed_policies.values())
            .find(|m| &m.arn == arn);
        if let Some(m) = managed {
            out.push(json!({"name": arn, "policy": m.document}));
        }
    }
    out
}

fn asks(graph: &Graph, plan: &Plan, inputs: &BTreeMap<String, String>) -> (Vec<Ask>, Counts) {
    let all = graph.trust_edges();
    let edges = edges(&all, inputs);
    let mut asks = Vec::new();
    let mut counts = Counts::default();
    let trusts: Vec<String> = plan
        .accounts
        .values()
        .flat_map(|a| a.iam.roles.values())
        .map(|r| r.trust_policy.to_string())
        .collect();
    for p in 0..graph.roles.len() {
        let p_arn = graph.role_arn(RoleIdx(p));
        if !trusts.iter().any(|t| t.contains(&format!("\"{p_arn}\""))) {
            counts.unnamed_principals += 1;
            continue;
        }
        let (p_state, _) = role_state(plan, &p_arn);
        let identity = identity_policies(plan, p_state);
        for t in 0..graph.roles.len() {
            let edge = edges.get(&(p, t));
            if edge.is_some_and(|e| e.conditioned) || trusts_account_of(graph, &all, t, p) {
                counts.skipped_pairs += 1;
                continue;
            }
            let t_arn = graph.role_arn(RoleIdx(t));
            let (t_state, t_account) = role_state(plan, &t_arn);
            let ask = |action: &str, context: Value, allowed: bool, what: &str| Ask {
                what: format!("{p_arn} {action} on {t_arn} {what}"),
                request: json!({
                    "principal": p_arn,
                    "action": action,
                    "resource": t_arn,
                    "accountId": t_account,
                    "context": context,
                    "identityPolicies": identity,
                    "resourcePolicy": t_state.trust_policy,
                }),
                allowed,
            };
            match edge {
                Some(e) if !e.external_ids.is_empty() => {
                    let right = json!({"sts:ExternalId": e.external_ids[0]});
                    asks.push(ask("sts:AssumeRole", right, true, "with its External ID"));
                    asks.push(ask(
                        "sts:AssumeRole",
                        json!({}),
                        false,
                        "without an External ID",
                    ));
                    let wrong = json!({"sts:ExternalId": "not-the-external-id"});
                    asks.push(ask(
                        "sts:AssumeRole",
                        wrong,
                        false,
                        "with a wrong External ID",
                    ));
                }
                Some(_) => asks.push(ask("sts:AssumeRole", json!({}), true, "(no External ID)")),
                None => asks.push(ask("sts:AssumeRole", json!({}), false, "(no edge)")),
            }
            let tags = edge.is_some_and(|e| e.session_tags);
            asks.push(ask("sts:TagSession", json!({}), tags, "(session tags)"));
        }
    }
    counts.asked = asks.len();
    counts.allowed = asks.iter().filter(|a| a.allowed).count();
    (asks, counts)
}

/// The engine's answers, in order.
pub fn simulate(engine: &Path, requests: &[&Value]) -> Result<Vec<Value>, String> {
    let mut child = Command::new("node")
        .arg(engine.join("simulate.mjs"))
        .current_dir(engine)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let input = serde_json::to_vec(requests).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("simulate.mjs failed:\n{}", text(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// The asks of one model.
fn asks_of(graph: &Graph, plan: &Plan) -> (Vec<Ask>, Counts) {
    asks(graph, plan, &inputs(graph))
}

/// Every answer that differs from the model's, one line each, for asks of many models
/// (one engine process: loading its IAM data costs more than the evaluations).
fn check(engine: &Path, asks: &[&Ask]) -> Result<(), Vec<String>> {
    let requests: Vec<&Value> = asks.iter().map(|a| &a.request).collect();
    let answers = simulate(engine, &requests).map_err(|e| vec![e])?;
    let wrong: Vec<String> = asks
        .iter()
        .zip(&answers)
        .filter_map(|(ask, answer)| {
            let got = answer["result"].as_str();
            let want = if ask.allowed { "Allowed" } else { "denied" };
            match (got, ask.allowed) {
                (Some("Allowed"), true) => None,
                (Some(r), false) if r != "Allowed" => None,
                _ => Some(format!(
                    "{}: the model says {want}, the engine {answer}",
                    ask.what
                )),
            }
        })
        .collect();
    match wrong.is_empty() {
        true => Ok(()),
        false => Err(wrong),
    }
}

fn inputs(graph: &Graph) -> BTreeMap<String, String> {
    graph
        .inputs
        .iter()
        .map(|i| (i.name.clone(), input_value(&i.name)))
        .collect()
}

pub(crate) fn plan_of(model: &Path, graph: &Graph) -> Plan {
    let mut cmd = bin();
    cmd.arg("plan").arg(model).args(["--format", "json"]);
    for (name, value) in inputs(graph) {
        cmd.arg("--var").arg(format!("{name}={value}"));
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn models() -> Vec<(String, PathBuf, tempfile::TempDir)> {
    let mut out: Vec<(String, PathBuf, tempfile::TempDir)> = golden_cases()
        .into_iter()
        .map(|case| {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                case.join("rolegraph.yaml"),
                tempfile::tempdir().unwrap(),
            )
        })
        .collect();
    for seed in 0..RANDOM_MODELS {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rolegraph.yaml");
        std::fs::write(&path, random_model::model(seed)).unwrap();
        out.push((format!("random seed {seed}"), path, dir));
    }
    out
}

#[test]
fn the_engine_allows_exactly_the_models_edges() {
    let Some(engine) = engine() else { return };
    let mut all = Vec::new();
    let mut total = Counts::default();
    for (name, model, _dir) in models() {
        let graph = rolegraph::compile(&model).unwrap_or_else(|d| panic!("{name}: {d}"));
        let plan = plan_of(&model, &graph);
        let (asks, counts) = asks_of(&graph, &plan);
        total.asked += counts.asked;
        total.allowed += counts.allowed;
        total.skipped_pairs += counts.skipped_pairs;
        total.unnamed_principals += counts.unnamed_principals;
        all.extend(asks.into_iter().map(|mut a| {
            a.what = format!("{name}: {}", a.what);
            a
        }));
    }
    println!("policy engine: {total:?}");
    let refs: Vec<&Ask> = all.iter().collect();
    if let Err(wrong) = check(&engine, &refs) {
        panic!(
            "{} answers differ from the model:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }
    assert!(
        total.allowed > 50 && total.asked > 4 * total.allowed,
        "{total:?}"
    );
}

/// The output before TagSession had a statement of its own: one statement allowed both
/// actions under the External ID condition. The engine denies TagSession there (STS
/// sends no External ID with it), and the check above must say so.
#[test]
fn the_check_fails_on_a_trust_that_puts_tag_session_under_the_external_id() {
    let Some(engine) = engine() else { return };
    let model = repo().join("golden/seed/rolegraph.yaml");
    let graph = rolegraph::compile(&model).unwrap();
    let mut plan = plan_of(&model, &graph);
    let mut merged = 0;
    for account in plan.accounts.values_mut() {
        for role in account.iam.roles.values_mut() {
            merged += merge_tag_session(&mut role.trust_policy);
        }
    }
    assert_eq!(merged, 2, "the seed's two credential roles tag sessions");
    let (asks, _) = asks_of(&graph, &plan);
    let refs: Vec<&Ask> = asks.iter().collect();
    let wrong = check(&engine, &refs).expect_err("the old form must fail");
    assert_eq!(wrong.len(), 2, "{wrong:#?}");
    assert!(
        wrong
            .iter()
            .all(|w| w.contains("sts:TagSession") && w.contains("the model says Allowed")),
        "{wrong:#?}"
    );
}

/// Folds a TagSession-only statement into the AssumeRole statement of the same
/// principal, as rolegraph wrote it before; the number of statements folded.
fn merge_tag_session(trust: &mut Value) -> usize {
    let statements = trust["Statement"].as_array_mut().unwrap();
    let Some(tag) = statements
        .iter()
        .position(|s| s["Action"] == json!(["sts:TagSession"]))
    else {
        return 0;
    };
    let principal = statements[tag]["Principal"].clone();
    statements.remove(tag);
    for s in statements.iter_mut() {
        if s["Principal"] == principal {
            s["Action"] = json!(["sts:AssumeRole", "sts:TagSession"]);
        }
    }
    1
}
