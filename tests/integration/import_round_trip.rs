//! Every golden case's plan, written out as the authorization details (and list-roles)
//! an account holding it would give, imported again: the imported model's plan must be
//! the case's plan, account by account. Offline and fast; adopt.rs does the same once
//! on moto for the seed, with dumps of real API replies.

use std::collections::BTreeMap;
use std::path::Path;

use rolegraph::plan::{AccountIam, Plan};

use crate::support::live_files::write_plan;
use crate::support::{bin, golden_cases, text};

/// The plan, with a value for every deploy-time input (IAM holds values, not inputs);
/// an error for a model that does not compile.
fn plan_of(model: &Path) -> Result<Plan, String> {
    let graph = rolegraph::compile(model).map_err(|d| d.to_string())?;
    Ok(crate::policy_engine::plan_of(model, &graph))
}

/// Imports `plan`'s accounts; the differences between the imported model's plan and it.
fn round_trip(plan: &Plan, work: &Path) -> Result<Vec<String>, String> {
    let files = write_plan(plan, work);
    let dir = work.join("imported");
    let mut import = bin();
    import
        .arg("import")
        .args(&files)
        .args(["--name", &plan.model, "-q", "--dir"])
        .arg(&dir);
    for (key, account) in &plan.accounts {
        import.args(["--account", &format!("{key}={}", account.id)]);
    }
    let out = import.output().unwrap();
    if out.status.code() != Some(0) {
        return Err(format!(
            "import exited {:?}:\n{}{}",
            out.status.code(),
            text(&out.stdout),
            text(&out.stderr)
        ));
    }
    let imported = plan_of(&dir.join("rolegraph.yaml"))?;
    let state: BTreeMap<String, AccountIam> = imported
        .accounts
        .values()
        .map(|a| (a.id.clone(), a.iam.clone()))
        .collect();
    Ok(rolegraph::plan::compare(plan, &state)
        .iter()
        .map(ToString::to_string)
        .collect())
}

#[test]
fn every_golden_case_imports_back_to_its_plan() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in golden_cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        // Its lowered `limits: managed_policy` is not in IAM, so the grants pack anew.
        if name == "compaction" {
            continue;
        }
        let Ok(plan) = plan_of(&case.join("rolegraph.yaml")) else {
            continue;
        };
        let work = tempfile::tempdir().unwrap();
        checked += 1;
        match round_trip(&plan, work.path()) {
            Ok(differences) if differences.is_empty() => {}
            Ok(differences) => failures.push(format!("{name}:\n{}", differences.join("\n"))),
            Err(err) => failures.push(format!("{name}: {err}")),
        }
    }
    assert!(checked >= 10, "only {checked} golden cases have a plan");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
