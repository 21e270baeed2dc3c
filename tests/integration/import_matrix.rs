//! Who can assume whom, asked of the policy engine (`@cloud-copilot/iam-simulate`, see
//! policy_engine.rs) for the brownfield fixture's live accounts and for the plan of the
//! model `import` makes of them: the two matrices must be the same. Every role asks
//! `sts:AssumeRole` (without an External ID, and with each External ID any trust
//! names) and `sts:TagSession` of every role, with its inline and customer-managed
//! policies as identity policies and the target's trust as the resource policy.

use std::collections::{BTreeMap, BTreeSet};

use rolegraph::plan::AccountIam;
use serde_json::{Value, json};

use crate::policy_engine::{engine, simulate};
use crate::support::{bin, brownfield_dumps, repo, text};

fn external_ids(doc: &Value, out: &mut BTreeSet<String>) {
    match doc {
        Value::Object(map) => {
            for (key, value) in map {
                if key.eq_ignore_ascii_case("sts:ExternalId") {
                    let values = match value {
                        Value::Array(items) => items.clone(),
                        one => vec![one.clone()],
                    };
                    out.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
                } else {
                    external_ids(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| external_ids(i, out)),
        _ => {}
    }
}

/// `principal action target context` → the engine's answer, for every pair of roles.
fn matrix(
    engine: &std::path::Path,
    state: &BTreeMap<String, AccountIam>,
) -> BTreeMap<String, String> {
    let roles: Vec<(&String, &rolegraph::plan::RoleState)> = state
        .iter()
        .flat_map(|(id, iam)| iam.roles.values().map(move |r| (id, r)))
        .collect();
    let managed: BTreeMap<&String, &Value> = state
        .values()
        .flat_map(|iam| iam.managed_policies.values().map(|p| (&p.arn, &p.document)))
        .collect();
    let mut ids = BTreeSet::new();
    for (_, role) in &roles {
        external_ids(&role.trust_policy, &mut ids);
    }
    let mut contexts = vec![json!({})];
    contexts.extend(ids.iter().map(|id| json!({"sts:ExternalId": id})));
    let (mut labels, mut requests) = (Vec::new(), Vec::new());
    for (_, p) in &roles {
        let mut identity: Vec<Value> = p
            .inline_policies
            .iter()
            .map(|(name, doc)| json!({"name": name, "policy": doc}))
            .collect();
        identity.extend(p.attached_policies.iter().filter_map(|arn| {
            managed
                .get(arn)
                .map(|doc| json!({"name": arn, "policy": doc}))
        }));
        for (t_account, t) in &roles {
            for (action, contexts) in [
                ("sts:AssumeRole", &contexts[..]),
                ("sts:TagSession", &contexts[..1]),
            ] {
                for context in contexts {
                    labels.push(format!("{} {action} {} {context}", p.arn, t.arn));
                    requests.push(json!({
                        "principal": p.arn, "action": action, "resource": t.arn,
                        "accountId": t_account, "context": context,
                        "identityPolicies": identity, "resourcePolicy": t.trust_policy,
                    }));
                }
            }
        }
    }
    let asked: Vec<&Value> = requests.iter().collect();
    let answers = simulate(engine, &asked).expect("the engine answers");
    labels
        .into_iter()
        .zip(answers)
        .map(|(label, answer)| (label, answer["result"].as_str().unwrap_or("?").to_owned()))
        .collect()
}

#[test]
fn the_imported_model_lets_in_exactly_whom_the_live_accounts_let_in() {
    let Some(engine) = engine() else { return };
    let fixture = repo().join("tests/fixtures/brownfield");
    let dumps = brownfield_dumps(&fixture);
    let live: BTreeMap<String, AccountIam> =
        rolegraph::live::read_all(&dumps, rolegraph::model::Access::default())
            .unwrap()
            .iter()
            .map(|a| (a.id.clone(), a.state()))
            .collect();
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("import")
        .args(&dumps)
        .args(["-q", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let planned = bin()
        .args(["plan", "--format", "json"])
        .arg(dir.path().join("rolegraph.yaml"))
        .output()
        .unwrap();
    let plan: rolegraph::plan::Plan = serde_json::from_slice(&planned.stdout).unwrap();
    let imported: BTreeMap<String, AccountIam> = plan
        .accounts
        .values()
        .map(|a| (a.id.clone(), a.iam.clone()))
        .collect();
    let (before, after) = (matrix(&engine, &live), matrix(&engine, &imported));
    let allowed = before.values().filter(|r| *r == "Allowed").count();
    assert!(
        allowed >= 2,
        "the platform role may assume both targets: {before:#?}"
    );
    let differ: Vec<String> = before
        .iter()
        .filter(|(k, v)| after.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: live {v}, imported {:?}", after.get(k)))
        .collect();
    assert_eq!(before.len(), after.len());
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
