//! The 1,000-account model of the benchmark, checked as a user's CI would: every
//! CloudFormation template within the stack and IAM quotas (counted here from the
//! templates themselves, not from rolegraph's own accounting) and through cfn-lint; the
//! Terraform through `terraform fmt -check` and `terraform validate`.
//!
//! Terraform is validated in the `module` layout, called from a root that passes one
//! provider for all 1,001 aliases: `validate` starts a provider process per provider
//! configuration, and the `root` layout's 1,001 configurations took over 11 minutes and
//! 20 GB before we stopped it (which is why rolegraph recommends the `per-account` layout
//! above 50 accounts). The account files are the same in every layout, so this validates
//! every resource rolegraph writes for the model.

use crate::support;

use std::path::Path;

use serde_json::Value;
use support::terraform::{available, cli_config, provider_mirror, terraform};
use support::{read_tree, require_tool, run, text};

use crate::synth;

const TARGETS: usize = 1000;

fn generate(dir: &Path, out: &str, extra: &[&str]) {
    let mut args = vec!["generate", "big.yaml", "--out", out, "--quiet"];
    args.extend_from_slice(extra);
    let result = run(&args, dir);
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
}

/// Characters of a policy document as IAM counts them: its JSON without whitespace.
fn chars(doc: &Value) -> usize {
    doc.to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// The quota problems of one template, counted from the template alone.
fn quota_problems(file: &str, body: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if body.len() > 1_000_000 {
        problems.push(format!("{file}: {} bytes", body.len()));
    }
    // serde-saphyr drops `!Ref`/`!GetAtt` tags and keeps their argument, a name no
    // longer than the ARN or value it stands for.
    let template: Value = serde_saphyr::from_str(body).unwrap();
    let section = |name: &str| template[name].as_object().cloned().unwrap_or_default();
    let resources = section("Resources");
    for (name, count, limit) in [
        ("resources", resources.len(), 500),
        ("parameters", section("Parameters").len(), 200),
        ("outputs", section("Outputs").len(), 200),
    ] {
        if count > limit {
            problems.push(format!("{file}: {count} {name}, quota {limit}"));
        }
    }
    let mut attached: std::collections::BTreeMap<String, usize> = Default::default();
    for (id, resource) in &resources {
        let props = &resource["Properties"];
        match resource["Type"].as_str() {
            Some("AWS::IAM::Role") => {
                let trust = chars(&props["AssumeRolePolicyDocument"]);
                if trust > 2048 {
                    problems.push(format!("{file}: {id} trust policy {trust} characters"));
                }
                let inline: usize = props["Policies"]
                    .as_array()
                    .map(|p| p.iter().map(|p| chars(&p["PolicyDocument"])).sum())
                    .unwrap_or(0);
                if inline > 10240 {
                    problems.push(format!("{file}: {id} inline policies {inline} characters"));
                }
                let arns = props["ManagedPolicyArns"].as_array().map_or(0, Vec::len);
                *attached.entry(id.clone()).or_default() += arns;
            }
            Some("AWS::IAM::ManagedPolicy") => {
                let size = chars(&props["PolicyDocument"]);
                if size > 6144 {
                    problems.push(format!("{file}: {id} {size} characters"));
                }
                for role in props["Roles"].as_array().into_iter().flatten() {
                    let role = role.as_str().unwrap_or_default().to_owned();
                    *attached.entry(role).or_default() += 1;
                }
            }
            _ => {}
        }
    }
    for (role, count) in attached {
        if count > 10 {
            problems.push(format!("{file}: {role} has {count} managed policies"));
        }
    }
    problems
}

#[test]
fn a_thousand_accounts_pass_the_quotas_and_cfn_lint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.yaml"), synth::model(TARGETS)).unwrap();
    generate(dir.path(), "gen", &["--only", "cloudformation"]);
    let templates = read_tree(&dir.path().join("gen/cloudformation"));
    let yaml: Vec<(&String, String)> = templates
        .iter()
        .filter(|(path, _)| path.ends_with(".yaml"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes.clone()).unwrap()))
        .collect();
    assert_eq!(yaml.len(), TARGETS + 1);
    let problems: Vec<String> = yaml
        .iter()
        .flat_map(|(path, body)| quota_problems(path, body))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The hub's eight grant policies are in the management template.
    let management = &yaml
        .iter()
        .find(|(p, _)| *p == "management.yaml")
        .unwrap()
        .1;
    assert_eq!(
        management.matches("Type: AWS::IAM::ManagedPolicy").count(),
        8
    );

    if !require_tool("cfn-lint", available("cfn-lint", "--version")) {
        return;
    }
    let lint = std::process::Command::new("cfn-lint")
        .args(
            yaml.iter()
                .map(|(p, _)| dir.path().join("gen/cloudformation").join(p)),
        )
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "cfn-lint:\n{}{}",
        text(&lint.stdout),
        text(&lint.stderr)
    );
    println!("{} templates pass the quotas and cfn-lint", yaml.len());
}

#[test]
fn a_thousand_accounts_pass_terraform_fmt_and_validate() {
    if !require_tool("terraform", available("terraform", "version")) {
        return;
    }
    let Some(mirror) =
        provider_mirror().filter(|m| m.join("registry.terraform.io/hashicorp/aws").is_dir())
    else {
        require_tool("the hashicorp/aws provider mirror", false);
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.yaml"), synth::model(TARGETS)).unwrap();
    generate(
        dir.path(),
        "gen",
        &["--only", "terraform", "--terraform-layout", "module"],
    );
    let module = dir.path().join("gen/terraform");
    let config = cli_config(dir.path(), &mirror);
    terraform(&["fmt", "-check", "-recursive", "."], &module, &config).unwrap();
    // The generated example passes each alias its own provider; this caller passes one
    // provider as all of them, so that `validate` runs one provider process.
    let example = std::fs::read_to_string(module.join("example/main.tf")).unwrap();
    let aliases: Vec<&str> = example
        .lines()
        .filter_map(|l| l.trim().split_once(" = ").map(|(k, _)| k.trim()))
        .filter(|k| k.starts_with("aws."))
        .collect();
    assert_eq!(aliases.len(), TARGETS + 1);
    let caller = dir.path().join("caller");
    std::fs::create_dir_all(&caller).unwrap();
    let passed: String = aliases.iter().map(|a| format!("    {a} = aws\n")).collect();
    std::fs::write(
        caller.join("main.tf"),
        format!(
            "provider \"aws\" {{\n  region = \"us-east-1\"\n}}\n\nmodule \"under_test\" {{\n  source = \"../gen/terraform\"\n  providers = {{\n{passed}  }}\n}}\n"
        ),
    )
    .unwrap();
    terraform(
        &["init", "-backend=false", "-input=false", "-no-color"],
        &caller,
        &config,
    )
    .unwrap();
    terraform(&["validate", "-no-color"], &caller, &config).unwrap();
    println!(
        "terraform fmt and validate passed for {} account files",
        TARGETS + 1
    );
}

/// The counting above must be able to fail: a stack over 500 resources and a managed
/// policy over 6,144 characters are both reported.
#[test]
fn the_quota_count_notices_oversized_templates() {
    let mut body = String::from("Resources:\n");
    for i in 0..501 {
        body += &format!("  R{i}:\n    Type: AWS::SNS::Topic\n");
    }
    assert_eq!(
        quota_problems("t.yaml", &body),
        ["t.yaml: 501 resources, quota 500"]
    );
    let long = "x".repeat(6200);
    let policy = format!(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n        Statement:\n        - Resource: {long}\n"
    );
    let problems = quota_problems("p.yaml", &policy);
    assert!(
        problems.len() == 1 && problems[0].starts_with("p.yaml: P "),
        "{problems:?}"
    );
}

/// The binary has a kernel worker on another core map heap pages while it reads a large
/// model (`rolegraph::heap`); nothing it prints or writes may depend on that. Run pinned to one
/// core (`taskset`), it does not: the two runs must agree byte for byte, on a valid model
/// and on one with a mistake.
#[test]
fn a_large_model_reads_the_same_with_one_core_and_with_two() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let taskset = std::process::Command::new("taskset")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool("taskset", taskset) {
        return;
    }
    if cores < 2 {
        println!("skipped: this machine has one core, so the binary never prefaults");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let model = synth::model(TARGETS);
    // Large enough for the binary to prefault: see HEAP_PER_MODEL_BYTE and FEWEST.
    assert!(model.len() * 14 >= 1 << 20, "{} bytes", model.len());
    std::fs::write(dir.path().join("big.yaml"), &model).unwrap();
    let broken = model.replacen("account: target-00500", "account: target-0500", 1);
    assert_ne!(broken, model);
    std::fs::write(dir.path().join("broken.yaml"), broken).unwrap();
    let pinned = |args: &[&str]| {
        let mut cmd = std::process::Command::new("taskset");
        cmd.args(["-c", "0", env!("CARGO_BIN_EXE_rolegraph")]);
        cmd.args(args).current_dir(dir.path()).output().unwrap()
    };
    for args in [
        &["generate", "big.yaml", "--out", "two", "--quiet"][..],
        &["validate", "broken.yaml"][..],
    ] {
        let two = run(args, dir.path());
        let pinned_args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "two" { "one" } else { a })
            .collect();
        let one = pinned(&pinned_args);
        assert_eq!(two.status.code(), one.status.code(), "{args:?}");
        assert_eq!(text(&two.stdout), text(&one.stdout), "{args:?}");
        assert_eq!(text(&two.stderr), text(&one.stderr), "{args:?}");
    }
    let broken = run(&["validate", "broken.yaml"], dir.path());
    assert_eq!(broken.status.code(), Some(2), "{}", text(&broken.stderr));
    assert!(text(&broken.stderr).contains("target-0500"));
    let (two, one) = (
        read_tree(&dir.path().join("two")),
        read_tree(&dir.path().join("one")),
    );
    assert_eq!(two.len(), one.len());
    assert!(two.len() > 2 * TARGETS, "{} files", two.len());
    assert!(two == one, "the trees differ");
}
