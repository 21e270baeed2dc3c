//! Renamed model keys keep their IAM resources: `generate` compares this run's resources
//! with the addresses and identities the last run recorded in the manifest and writes
//! `moved` blocks, one to one, in every layout; a move between two root modules becomes
//! a warning with its steps, a swap is an error, and CloudFormation warns of replacement.
//! On moto the rename is applied: the RoleId stays.

use std::path::{Path, PathBuf};

use rolegraph::backend::{cloudformation, flag_value, terraform::Layout};

use crate::support::cloud::{self, Moto};
use crate::support::terraform::{terraform, terraform_status};
use crate::support::{bin, repo, text};

fn seed(dir: &Path) -> PathBuf {
    crate::support::terraform::copy_dir(&repo().join("examples/seqera"), dir);
    dir.join("rolegraph.yaml")
}

/// A folder with the Seqera example in `model/`; the model's path and `out/`.
fn seeded() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let model = seed(&dir.path().join("model"));
    let out = dir.path().join("out");
    (dir, model, out)
}

fn edit(model: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(model).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(model, text.replace(from, to)).unwrap();
}

/// The `production` role's key becomes `prod-a` (its account keeps its key).
fn rename_role(model: &Path) {
    edit(
        model,
        "\n  production:\n    account: production",
        "\n  prod-a:\n    account: production",
    );
    edit(model, "role: production\n", "role: prod-a\n");
}

fn generate(model: &Path, out: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = bin()
        .arg("generate")
        .arg(model)
        .arg("--out")
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code(),
        format!("{}{}", text(&o.stdout), text(&o.stderr)),
    )
}

const MOVES: &str = "moved {
  from = aws_iam_role.production
  to   = aws_iam_role.prod_a
}

moved {
  from = aws_iam_role_policies_exclusive.production
  to   = aws_iam_role_policies_exclusive.prod_a
}

moved {
  from = aws_iam_role_policy.production_data_access
  to   = aws_iam_role_policy.prod_a_data_access
}

moved {
  from = aws_iam_role_policy_attachments_exclusive.production
  to   = aws_iam_role_policy_attachments_exclusive.prod_a
}
";

#[test]
fn a_renamed_role_key_is_moved_in_every_layout() {
    for (layout, folder) in [
        (Layout::Root, "terraform"),
        (Layout::Module, "terraform"),
        (Layout::PerAccount, "terraform/production"),
    ] {
        let (_dir, model, out) = seeded();
        let flag = flag_value(&layout);
        let args = ["--terraform-layout", flag.as_str()];
        assert_eq!(generate(&model, &out, &args).0, Some(0));
        assert!(!out.join(folder).join("moved.tf").exists());
        rename_role(&model);
        let (code, said) = generate(&model, &out, &args);
        assert_eq!(code, Some(0), "{layout:?}: {said}");
        let moved = std::fs::read_to_string(out.join(folder).join("moved.tf")).unwrap();
        assert!(moved.ends_with(MOVES), "{layout:?}:\n{moved}");
        // CloudFormation cannot move: it says the role would be replaced.
        assert!(
            said.contains("ProductionRole in the last run and is production.yaml: ProdARole now"),
            "{said}"
        );
        // A second run before the apply keeps the moves, and `check` agrees.
        assert_eq!(generate(&model, &out, &args).0, Some(0));
        assert!(
            std::fs::read_to_string(out.join(folder).join("moved.tf"))
                .unwrap()
                .ends_with(MOVES)
        );
        let check = bin()
            .arg("check")
            .arg(&model)
            .arg("--out")
            .arg(&out)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(0), "{}", text(&check.stdout));
    }
}

/// Two keys that trade places cannot be moved one to one: exit 2, both named, nothing
/// written.
#[test]
fn swapped_keys_are_an_error_naming_both() {
    let (_dir, model, out) = seeded();
    assert_eq!(generate(&model, &out, &[]).0, Some(0));
    let before = std::fs::read(out.join(".rolegraph-manifest")).unwrap();
    edit(
        &model,
        "\n  production:\n    account: production",
        "\n  swap-x:\n    account: production",
    );
    edit(
        &model,
        "\n  development:\n    account: development",
        "\n  production:\n    account: development",
    );
    edit(
        &model,
        "\n  swap-x:\n    account: production",
        "\n  development:\n    account: production",
    );
    edit(&model, "role: production\n", "role: swap-x\n");
    edit(&model, "role: development\n", "role: production\n");
    edit(&model, "role: swap-x\n", "role: development\n");
    let (code, said) = generate(&model, &out, &[]);
    assert_eq!(code, Some(2), "{said}");
    assert!(
        said.contains("would move from terraform/aws_iam_role.production to terraform/aws_iam_role.development, but terraform/aws_iam_role.production is now role arn:aws:iam::222222222222:role/SeqeraPlatformRole-AccountB"),
        "{said}"
    );
    assert!(said.contains("rename in two steps"), "{said}");
    assert_eq!(
        std::fs::read(out.join(".rolegraph-manifest")).unwrap(),
        before
    );
    assert!(!out.join("terraform/moved.tf").exists());
}

/// Per-account roots have a state each: a renamed account key moves its roles to
/// another root, which a moved block cannot do; the warning gives the steps.
#[test]
fn a_move_between_roots_prints_its_steps() {
    let (_dir, model, out) = seeded();
    let args = ["--terraform-layout", "per-account", "--only", "terraform"];
    assert_eq!(generate(&model, &out, &args).0, Some(0));
    edit(&model, "\n  production:\n    id:", "\n  prod-a:\n    id:");
    edit(&model, "    account: production\n", "    account: prod-a\n");
    let (code, said) = generate(&model, &out, &args);
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("4 resources move from the root module terraform/production to terraform/prod-a (aws_iam_role.production, aws_iam_role_policies_exclusive.production, aws_iam_role_policy.production_data_access, aws_iam_role_policy_attachments_exclusive.production)"),
        "{said}"
    );
    assert!(said.contains("`terraform -chdir=production state rm aws_iam_role.production aws_iam_role_policies_exclusive.production aws_iam_role_policy.production_data_access aws_iam_role_policy_attachments_exclusive.production`, then `terraform -chdir=prod-a import aws_iam_role.production <id>`"), "{said}");
    assert_eq!(
        said.matches("warning: ").count(),
        1,
        "one warning for the pair of roots: {said}"
    );
    assert!(!out.join("terraform/prod-a/moved.tf").exists());
}

/// A manifest is read from the repository: addresses rolegraph could not have written
/// never reach `moved.tf`.
#[test]
fn a_forged_record_writes_no_moved_block() {
    let (_dir, model, out) = seeded();
    assert_eq!(generate(&model, &out, &["--only", "terraform"]).0, Some(0));
    let path = out.join(".rolegraph-manifest");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let resources = manifest["resources"].as_object_mut().unwrap();
    let identity = resources
        .remove("terraform/aws_iam_role.production")
        .unwrap();
    resources.insert(
        "terraform/aws_iam_role.x } resource \"evil\" \"y\" {".into(),
        identity,
    );
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let (code, said) = generate(&model, &out, &["--only", "terraform"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(!out.join("terraform/moved.tf").exists());
}

/// On moto: apply, rename the role key, generate, apply: the plan shows the move, the
/// RoleId stays, and the next plan is empty.
#[test]
fn a_rename_applied_keeps_the_role() {
    let Some(tools) = cloud::tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let model = seed(&work.join("model"));
    let layout = cloudformation::Layout::default();
    let g = cloud::generate_with(&model, &work.join("gen"), Layout::Root, layout).unwrap();
    let moto = Moto::start(&work.join("moto.log")).unwrap();
    let roots = cloud::terraform_on_moto(&moto, &g, work).unwrap();
    let (root, inputs) = &roots[0];
    let vars = crate::support::deploy_terraform::var_args(&g, inputs);
    let config = &tools.tf_config;
    let with_vars = |command: &[&str]| -> Vec<String> {
        command
            .iter()
            .map(|s| s.to_string())
            .chain(vars.iter().cloned())
            .collect()
    };
    let run = |command: Vec<String>| {
        let args: Vec<&str> = command.iter().map(String::as_str).collect();
        terraform_status(&args, root, config).unwrap_or_else(|e| panic!("{e}{}", moto.errors()))
    };
    terraform(&["init", "-input=false", "-no-color"], root, config).unwrap();
    let (code, out) = run(with_vars(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ]));
    assert_eq!(code, 0, "{out}");
    let role_id = |when: &str| {
        let dumps = crate::drift_live::dump(&moto, &g.plan, &work.join(when)).unwrap();
        let accounts =
            rolegraph::live::read_all(&dumps, rolegraph::model::Access::default()).unwrap();
        accounts
            .iter()
            .find(|a| a.id == "111111111111")
            .unwrap()
            .role("SeqeraPlatformRole-AccountA")
            .unwrap()
            .id
            .clone()
    };
    let before = role_id("before");
    rename_role(&model);
    let g2 = cloud::generate_with(&model, &work.join("gen"), Layout::Root, layout).unwrap();
    crate::support::terraform::copy_dir(&g2.out.join("terraform"), root);
    let (code, plan) = run(with_vars(&["plan", "-input=false", "-no-color"]));
    assert_eq!(code, 0, "{plan}");
    assert!(
        plan.contains("aws_iam_role.production has moved to aws_iam_role.prod_a"),
        "{plan}"
    );
    assert!(
        plan.contains("0 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    let (code, out) = run(with_vars(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ]));
    assert_eq!(code, 0, "{out}");
    assert_eq!(role_id("after"), before, "the role was replaced");
    let (code, plan) = run(with_vars(&[
        "plan",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
    ]));
    assert_eq!(code, 0, "{plan}");
}
