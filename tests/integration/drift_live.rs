//! `rolegraph drift` against accounts on moto. seqera_readme.rs deploys the Seqera
//! example by its README's steps and then calls [`hand_edits`]: the accounts read back
//! are in sync, the issue's three hand edits are each named, and Terraform's next apply
//! undoes all three (the example sets `exclusive: true`). Without `exclusive`, a policy
//! attached by hand survives the apply: [`only_exclusive_removes_policies_added_by_hand`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolegraph::backend::{cloudformation, terraform};
use rolegraph::plan::Plan;
use serde_json::{Value, json};

use crate::adopt::brownfield;
use crate::support::cloud::{self, Generated, Moto};
use crate::support::moto::account_specs;
use crate::support::terraform::terraform;
use crate::support::{bin, text};

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// The plan's accounts as the AWS CLI dumps them: authorization details and list-roles.
pub fn dump(moto: &Moto, plan: &Plan, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let specs = account_specs(plan);
    let mut args = vec!["dump", moto.url.as_str(), dir.to_str().unwrap()];
    args.extend(specs.iter().map(String::as_str));
    brownfield(&args)?;
    Ok(plan
        .accounts
        .values()
        .flat_map(|a| ["authorization", "roles"].map(|k| dir.join(format!("{}.{k}.json", a.id))))
        .collect())
}

/// One IAM call in the account of the plan with key `account`, made by hand.
fn by_hand(
    moto: &Moto,
    plan: &Plan,
    account: &str,
    method: &str,
    args: Value,
) -> Result<(), String> {
    let a = &plan.accounts[account];
    let spec = format!("{}:{}:{}", a.id, a.partition, a.region);
    brownfield(&["call", &moto.url, &spec, method, &args.to_string()])
}

/// `rolegraph drift MODEL --var … --live FILES EXTRA…`: exit code and stdout.
fn drift(
    model: &Path,
    inputs: &BTreeMap<String, String>,
    files: &[PathBuf],
    extra: &[&str],
) -> Result<(Option<i32>, String), String> {
    let mut cmd = bin();
    cmd.arg("drift").arg(model).args(extra);
    for (name, value) in inputs {
        cmd.arg("--var").arg(format!("{name}={value}"));
    }
    let out = cmd
        .arg("--live")
        .args(files)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.stderr.is_empty() && out.status.code() == Some(2) {
        return Err(format!("drift exited 2:\n{}", text(&out.stderr)));
    }
    Ok((out.status.code(), text(&out.stdout)))
}

/// `(resource name, part)` of each difference in drift's JSON report.
fn parts(report: &str) -> Result<Vec<(String, String)>, String> {
    let value: Value = serde_json::from_str(report).map_err(|e| format!("{e}: {report}"))?;
    Ok(value["differences"]
        .as_array()
        .ok_or("no differences array")?
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap_or("").to_owned(),
                d["part"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect())
}

fn role_names(plan: &Plan, account: &str) -> Vec<String> {
    plan.accounts[account].iam.roles.keys().cloned().collect()
}

/// The Seqera example deployed with Terraform (`g`, External IDs `inputs`), then edited
/// by hand; `apply` runs the deployment's apply again.
pub fn hand_edits(
    moto: &Moto,
    g: &Generated,
    model: &Path,
    inputs: &BTreeMap<String, String>,
    work: &Path,
    apply: &dyn Fn() -> Result<(), String>,
) -> Result<(), String> {
    let files = dump(moto, &g.plan, &work.join("drift-before"))?;
    let (code, out) = drift(model, inputs, &files, &[])?;
    if code != Some(0) {
        return Err(format!(
            "drift of the fresh deployment exited {code:?}:\n{out}"
        ));
    }
    let platform = &role_names(&g.plan, "management")[0];
    let production = &role_names(&g.plan, "production")[0];
    let development = &role_names(&g.plan, "development")[0];
    by_hand(
        moto,
        &g.plan,
        "management",
        "attach_role_policy",
        json!({"RoleName": platform, "PolicyArn": ADMIN}),
    )?;
    let mut trust = g.plan.accounts["production"].iam.roles[production]
        .trust_policy
        .clone();
    trust["Statement"].as_array_mut().ok_or("trust without statements")?.push(json!({
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444444444444:root"}, "Action": "sts:AssumeRole"
    }));
    by_hand(
        moto,
        &g.plan,
        "production",
        "update_assume_role_policy",
        json!({"RoleName": production, "PolicyDocument": trust.to_string()}),
    )?;
    by_hand(
        moto,
        &g.plan,
        "development",
        "tag_role",
        json!({"RoleName": development, "Tags": [{"Key": "Project", "Value": "incident"}]}),
    )?;

    let files = dump(moto, &g.plan, &work.join("drift-edited"))?;
    let (code, out) = drift(model, inputs, &files, &[])?;
    let named = [
        (development, "tags", "\"Project\":\"incident\""),
        (platform, "attached policies", ADMIN),
        (production, "trust policy", "arn:aws:iam::444444444444:root"),
    ];
    for (role, part, what) in named {
        let found = out
            .lines()
            .any(|l| l.contains(&format!("role {role}, {part}:")));
        if code != Some(1) || !found || !out.contains(what) {
            return Err(format!(
                "drift exited {code:?} and does not name {role}'s {part} ({what}):\n{out}"
            ));
        }
    }
    let (_, json_out) = drift(model, inputs, &files, &["--format", "json"])?;
    let expected: Vec<(String, String)> = named
        .iter()
        .map(|(r, p, _)| (r.to_string(), p.to_string()))
        .collect();
    if parts(&json_out)? != expected {
        return Err(format!(
            "drift's JSON names other differences than {expected:?}:\n{json_out}"
        ));
    }

    // The example sets `exclusive: true`: the apply puts the trust and the tag back (they
    // are the role's attributes) and detaches the policy (the role's exclusive set).
    apply()?;
    let files = dump(moto, &g.plan, &work.join("drift-reapplied"))?;
    let (code, out) = drift(model, inputs, &files, &[])?;
    if code != Some(0) {
        return Err(format!(
            "the next apply did not undo the hand edits:\n{out}"
        ));
    }
    Ok(())
}

/// One role with an attached and an inline policy; `EXCLUSIVE` is the line to turn on.
const MODEL: &str = r#"version: 1
name: exclusive
accounts:
  main: { id: "123456789012" }
roles:
  app:
    account: main
    name: App
    trusted_by:
      - service: ec2.amazonaws.com
    managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
    policies:
      read:
        statements:
          - actions: [s3:GetObject]
            resources: ["arn:aws:s3:::acme-data/*"]
"#;
const EXCLUSIVE: &str = "exclusive: true\n";

/// Without `exclusive` Terraform does not know a policy attached by hand, so the next
/// apply leaves it and drift names it; once the model turns `exclusive: true` on, the
/// next apply detaches the managed policy and deletes the inline one added by hand.
#[test]
fn only_exclusive_removes_policies_added_by_hand() {
    let Some(tools) = cloud::tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    let model = work.join("rolegraph.yaml");
    std::fs::write(&model, MODEL).unwrap();
    let generate = || {
        cloud::generate_with(
            &model,
            &work.join("gen"),
            terraform::Layout::Root,
            cloudformation::Layout::default(),
        )
        .unwrap()
    };
    let g = generate();
    let moto = Moto::start(&work.join("moto.log")).unwrap();
    let roots = cloud::terraform_on_moto(&moto, &g, work).unwrap();
    let root = &roots[0].0;
    let apply = || {
        terraform(
            &["apply", "-auto-approve", "-input=false", "-no-color"],
            root,
            &tools.tf_config,
        )
        .unwrap_or_else(|e| panic!("{e}{}", moto.errors()))
    };
    terraform(
        &["init", "-input=false", "-no-color"],
        root,
        &tools.tf_config,
    )
    .unwrap();
    apply();
    by_hand(
        &moto,
        &g.plan,
        "main",
        "attach_role_policy",
        json!({"RoleName": "App", "PolicyArn": ADMIN}),
    )
    .unwrap();
    let inline = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    by_hand(
        &moto,
        &g.plan,
        "main",
        "put_role_policy",
        json!({"RoleName": "App", "PolicyName": "by-hand", "PolicyDocument": inline.to_string()}),
    )
    .unwrap();
    let by_hand_parts = [
        ("App".to_owned(), "attached policies".to_owned()),
        ("App".to_owned(), "inline policy by-hand".to_owned()),
    ];
    apply();
    let files = dump(&moto, &g.plan, &work.join("not-exclusive")).unwrap();
    let (code, out) = drift(&model, &g.inputs, &files, &["--format", "json"]).unwrap();
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(parts(&out).unwrap(), by_hand_parts, "{out}");

    std::fs::write(
        &model,
        MODEL.replace(
            "name: exclusive\n",
            &format!("name: exclusive\n{EXCLUSIVE}"),
        ),
    )
    .unwrap();
    let g = generate();
    crate::support::terraform::copy_dir(&g.out.join("terraform"), &work.join("terraform"));
    apply();
    let files = dump(&moto, &g.plan, &work.join("exclusive")).unwrap();
    let (code, out) = drift(&model, &g.inputs, &files, &[]).unwrap();
    assert_eq!(
        code,
        Some(0),
        "the apply left what was added by hand:\n{out}"
    );
}
