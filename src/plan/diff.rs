//! Where two IAM states differ, named the way a reviewer looks for it: which account,
//! which resource, which part, and for documents the statements on each side.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::{AccountIam, Plan};

#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// `production (111111111111)`
    pub account: String,
    /// `role SeqeraPlatformRole-AccountA`, `managed policy X`, `instance profile Y`
    pub resource: String,
    /// `role`, `managed policy` or `instance profile`.
    pub kind: &'static str,
    /// The resource's IAM name.
    pub name: String,
    /// `trust policy`, `path`, …; empty when the whole resource is missing or extra.
    pub part: String,
    pub detail: String,
    /// For documents: the statements expected and not found, and found and not expected.
    pub missing: Vec<Value>,
    pub unexpected: Vec<Value>,
}

/// One part's difference, before it is placed in its account and resource.
struct Change {
    part: String,
    detail: String,
    missing: Vec<Value>,
    unexpected: Vec<Value>,
}

impl Change {
    fn new(part: &str, detail: String) -> Self {
        Change {
            part: part.to_owned(),
            detail,
            missing: Vec::new(),
            unexpected: Vec::new(),
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "account {}, {}", self.account, self.resource)?;
        if !self.part.is_empty() {
            write!(f, ", {}", self.part)?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// The expected plan against the state found, keyed by account id. Accounts the plan does
/// not know are reported too, so nothing created in the wrong account goes unnoticed.
pub fn compare(expected: &Plan, found: &BTreeMap<String, AccountIam>) -> Vec<Difference> {
    let mut out = Vec::new();
    let empty = AccountIam::default();
    for (key, account) in &expected.accounts {
        let label = format!("{key} ({})", account.id);
        let actual = found.get(&account.id).unwrap_or(&empty);
        out.extend(compare_account(&label, &account.iam, actual));
    }
    for (id, actual) in found {
        if !expected.accounts.values().any(|a| &a.id == id) {
            out.extend(compare_account(id, &empty, actual));
        }
    }
    out
}

pub fn compare_account(label: &str, expected: &AccountIam, found: &AccountIam) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |kind: &'static str, name: &str, change: Change| {
        out.push(Difference {
            account: label.to_owned(),
            resource: format!("{kind} {name}"),
            kind,
            name: name.to_owned(),
            part: change.part,
            detail: change.detail,
            missing: change.missing,
            unexpected: change.unexpected,
        })
    };
    each(
        &expected.roles,
        &found.roles,
        "role",
        &mut push,
        |e, f, add| {
            // Every field, without `..`: a new one does not compile until it is compared.
            let super::RoleState {
                arn,
                path,
                description,
                max_session_duration,
                permissions_boundary,
                tags,
                trust_policy,
                attached_policies,
                inline_policies,
            } = e;
            field("ARN", arn, &f.arn, add);
            field("path", path, &f.path, add);
            field("description", description, &f.description, add);
            field(
                "max session duration",
                max_session_duration,
                &f.max_session_duration,
                add,
            );
            field(
                "permissions boundary",
                permissions_boundary,
                &f.permissions_boundary,
                add,
            );
            field("tags", tags, &f.tags, add);
            list(
                "attached policies",
                attached_policies,
                &f.attached_policies,
                add,
            );
            documents("trust policy", trust_policy, &f.trust_policy, add);
            let names: std::collections::BTreeSet<&String> = inline_policies
                .keys()
                .chain(f.inline_policies.keys())
                .collect();
            for name in names {
                let part = format!("inline policy {name}");
                match (inline_policies.get(name), f.inline_policies.get(name)) {
                    (Some(e), Some(f)) => documents(&part, e, f, add),
                    (Some(_), None) => add(Change::new(&part, "missing".to_owned())),
                    (None, Some(_)) => add(Change::new(&part, "not in the model".to_owned())),
                    (None, None) => {}
                }
            }
        },
    );
    each(
        &expected.instance_profiles,
        &found.instance_profiles,
        "instance profile",
        &mut push,
        |e, f, add| {
            field("path", &e.path, &f.path, add);
            list("roles", &e.roles, &f.roles, add);
        },
    );
    each(
        &expected.managed_policies,
        &found.managed_policies,
        "managed policy",
        &mut push,
        |e, f, add| {
            field("ARN", &e.arn, &f.arn, add);
            field("path", &e.path, &f.path, add);
            field("description", &e.description, &f.description, add);
            documents("document", &e.document, &f.document, add);
        },
    );
    out
}

type Add<'a> = dyn FnMut(Change) + 'a;

/// Walks the union of two name-keyed maps: missing, extra, or compared part by part.
fn each<T>(
    expected: &BTreeMap<String, T>,
    found: &BTreeMap<String, T>,
    kind: &'static str,
    push: &mut dyn FnMut(&'static str, &str, Change),
    parts: impl Fn(&T, &T, &mut Add),
) {
    let names: std::collections::BTreeSet<&String> = expected.keys().chain(found.keys()).collect();
    for name in names {
        match (expected.get(name), found.get(name)) {
            (Some(e), Some(f)) => parts(e, f, &mut |change| push(kind, name, change)),
            (Some(_), None) => push(kind, name, Change::new("", "missing".to_owned())),
            (None, Some(_)) => push(
                kind,
                name,
                Change::new("", "exists but is not in the model".to_owned()),
            ),
            (None, None) => {}
        }
    }
}

fn field<T: PartialEq + Serialize>(part: &str, expected: &T, found: &T, add: &mut Add) {
    if expected != found {
        add(Change::new(
            part,
            format!("expected {}, found {}", json(expected), json(found)),
        ));
    }
}

/// Item by item, for sorted lists whose members are added and removed one at a time.
fn list(part: &str, expected: &[String], found: &[String], add: &mut Add) {
    let missing: Vec<&String> = expected.iter().filter(|e| !found.contains(e)).collect();
    let extra: Vec<&String> = found.iter().filter(|f| !expected.contains(f)).collect();
    let mut said = Vec::new();
    if !missing.is_empty() {
        said.push(format!("missing {}", json(&missing)));
    }
    if !extra.is_empty() {
        said.push(format!("not in the model {}", json(&extra)));
    }
    if !said.is_empty() {
        add(Change::new(part, said.join("; ")));
    }
}

/// Statement by statement: documents are normalized, so a statement that differs in any
/// way shows up as one missing and one unexpected.
fn documents(part: &str, expected: &Value, found: &Value, add: &mut Add) {
    if expected == found {
        return;
    }
    let statements = |doc: &Value| -> Vec<Value> {
        match doc.get("Statement") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        }
    };
    let (e, f) = (statements(expected), statements(found));
    let missing: Vec<Value> = e.iter().filter(|s| !f.contains(s)).cloned().collect();
    let unexpected: Vec<Value> = f.iter().filter(|s| !e.contains(s)).cloned().collect();
    let mut lines = Vec::new();
    for s in &missing {
        lines.push(format!("\n  - missing statement     {s}"));
    }
    for s in &unexpected {
        lines.push(format!("\n  + unexpected statement  {s}"));
    }
    if lines.is_empty() {
        lines.push(format!("\n  - expected {expected}\n  + found    {found}"));
    }
    add(Change {
        part: part.to_owned(),
        detail: format!("documents differ:{}", lines.concat()),
        missing,
        unexpected,
    });
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("<{e}>"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Inputs, plan};

    fn seed_plan() -> Plan {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/seqera/rolegraph.yaml"
        );
        let graph = crate::compile(std::path::Path::new(path)).expect("the seed example is valid");
        let mut inputs = Inputs::default();
        inputs
            .0
            .insert("production_external_id".into(), "ext-123456".into());
        plan(&graph, &inputs)
    }

    /// The state a faithful deployment reports: the plan's own IAM, keyed by account id.
    fn deployed(plan: &Plan) -> BTreeMap<String, AccountIam> {
        plan.accounts
            .values()
            .map(|a| (a.id.clone(), a.iam.clone()))
            .collect()
    }

    #[test]
    fn a_faithful_deployment_has_no_differences() {
        let plan = seed_plan();
        assert_eq!(compare(&plan, &deployed(&plan)), Vec::new());
    }

    #[test]
    fn a_grant_that_lost_the_role_path_is_caught() {
        let plan = seed_plan();
        let mut found = deployed(&plan);
        let policy = found
            .get_mut("999999999999")
            .and_then(|a| {
                a.managed_policies
                    .get_mut("SeqeraPlatform-EC2-InstanceRole-assume")
            })
            .expect("the platform role's grant");
        let text = policy.document.to_string().replace(
            "role/seqera/SeqeraPlatformRole-AccountA",
            "role/SeqeraPlatformRole-AccountA",
        );
        policy.document = serde_json::from_str(&text).unwrap();
        let diffs = compare(&plan, &found);
        assert_eq!(diffs.len(), 1, "{diffs:#?}");
        let d = &diffs[0];
        assert_eq!(d.account, "management (999999999999)");
        assert_eq!(
            d.resource,
            "managed policy SeqeraPlatform-EC2-InstanceRole-assume"
        );
        assert_eq!(d.part, "document");
        assert!(d.detail.contains("- missing statement"), "{d}");
        assert!(
            d.detail
                .contains("\"arn:aws:iam::111111111111:role/SeqeraPlatformRole-AccountA\""),
            "{d}"
        );
    }

    #[test]
    fn a_trust_policy_that_dropped_its_condition_is_caught() {
        let plan = seed_plan();
        let mut found = deployed(&plan);
        let role = found
            .get_mut("111111111111")
            .and_then(|a| a.roles.get_mut("SeqeraPlatformRole-AccountA"))
            .expect("the production role");
        let statement = &mut role.trust_policy["Statement"][0];
        statement.as_object_mut().unwrap().remove("Condition");
        let diffs = compare(&plan, &found);
        assert_eq!(diffs.len(), 1, "{diffs:#?}");
        assert_eq!(
            diffs[0].to_string().lines().next().unwrap(),
            "account production (111111111111), role SeqeraPlatformRole-AccountA, trust policy: documents differ:"
        );
        assert!(diffs[0].detail.contains("ext-123456"), "{}", diffs[0]);
    }

    #[test]
    fn extra_and_misplaced_resources_are_caught() {
        let plan = seed_plan();
        let mut found = deployed(&plan);
        let role = found["222222222222"].roles["SeqeraPlatformRole-AccountB"].clone();
        found.get_mut("222222222222").unwrap().roles.clear();
        let stray = found.entry("333333333333".into()).or_default();
        stray
            .roles
            .insert("SeqeraPlatformRole-AccountB".into(), role);
        let text: Vec<String> = compare(&plan, &found)
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            text,
            [
                "account development (222222222222), role SeqeraPlatformRole-AccountB: missing",
                "account 333333333333, role SeqeraPlatformRole-AccountB: exists but is not in the model",
            ]
        );
    }

    #[test]
    fn every_role_field_is_compared() {
        let plan = seed_plan();
        type Edit = fn(&mut crate::plan::RoleState);
        let edits: [(&str, Edit); 6] = [
            ("path", |r| r.path = "/other/".into()),
            ("max session duration", |r| r.max_session_duration = 7200),
            ("description", |r| r.description = Some("x".into())),
            ("permissions boundary", |r| {
                r.permissions_boundary = Some("arn:aws:iam::aws:policy/x".into())
            }),
            ("tags", |r| {
                r.tags.remove("Project");
            }),
            ("attached policies", |r| {
                r.attached_policies.push("arn:aws:iam::aws:policy/x".into())
            }),
        ];
        for (part, edit) in edits {
            let mut found = deployed(&plan);
            edit(
                found
                    .get_mut("222222222222")
                    .unwrap()
                    .roles
                    .get_mut("SeqeraPlatformRole-AccountB")
                    .unwrap(),
            );
            let diffs = compare(&plan, &found);
            assert_eq!(diffs.len(), 1, "{part}: {diffs:#?}");
            assert_eq!(diffs[0].part, part);
        }
    }
}
