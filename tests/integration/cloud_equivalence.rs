//! Proof that both backends build exactly the IAM the model describes: each golden case,
//! the examples and random models are deployed with real Terraform (and the real
//! hashicorp/aws provider) and as CloudFormation stacks, each into its own moto server;
//! the IAM read back from each must equal `rolegraph plan --format json`. After the
//! Terraform apply, a second plan must be empty. The other layouts are deployed by
//! seqera_readme.rs, which follows the Seqera README's steps in each of them and holds
//! the result to the same plan.

use crate::support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use support::cloud::{self, Tools};
use support::{golden_cases, random_model, repo};

/// Random models per run: the issue's floor. ROLEGRAPH_PROPTEST_CASES raises it.
const RANDOM_MODELS: usize = 15;

/// Runs `check` over `items` on as many threads as the machine has cores, and returns
/// every failure (not just the first), labelled.
fn run_all<T: Sync>(
    items: &[T],
    label: impl Fn(&T) -> String + Sync,
    check: impl Fn(&T) -> Result<(), String> + Sync,
) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                while let Some(item) = items.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let started = std::time::Instant::now();
                    let result = check(item);
                    println!(
                        "{} ({:.1} s): {}",
                        label(item),
                        started.elapsed().as_secs_f64(),
                        if result.is_ok() { "ok" } else { "FAILED" }
                    );
                    if let Err(err) = result {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{}:\n{err}", label(item)));
                    }
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

fn check_model(model: &Path, tools: &Tools, lint: bool) -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let generated = cloud::generate(model, work.path())?;
    if lint {
        cloud::cfn_lint(&generated)?;
    }
    cloud::three_way(&generated, tools, work.path())
}

#[test]
fn golden_cases_build_the_planned_iam_with_both_backends() {
    let Some(tools) = cloud::tools() else { return };
    // examples/seqera is not deployed again: the golden tests hold it byte-identical to
    // golden/seed.
    // seqera_readme.rs deploys the seed in these layouts (root Terraform, per-account
    // CloudFormation) and holds both to the plan, and the case without `terraform/` (its
    // Seqera README is its only golden file): they are not deployed twice.
    // Nor seed-core: the seed's IAM with a fixed External ID and a longer session, which
    // seqera-warnings and gov-partition deploy too (adopt.rs took its place in CI's time).
    let models: Vec<PathBuf> = golden_cases()
        .iter()
        .filter(|c| {
            c.join("terraform").is_dir() && !c.ends_with("seed") && !c.ends_with("seed-core")
        })
        .map(|c| c.join("rolegraph.yaml"))
        .collect();
    let label = |m: &PathBuf| m.strip_prefix(repo()).unwrap_or(m).display().to_string();
    let failures = run_all(&models, label, |m| check_model(m, &tools, false));
    assert!(
        failures.is_empty(),
        "{} of {} models differ:\n\n{}",
        failures.len(),
        models.len(),
        failures.join("\n\n")
    );
}

/// The module layout cannot pin its providers itself (the caller configures them), so it
/// checks each one's account: wired to the wrong account, the plan must stop before
/// anything is created anywhere.
#[test]
fn a_module_given_the_wrong_providers_creates_nothing() {
    let Some(tools) = cloud::tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let model = repo().join("golden/seed/rolegraph.yaml");
    let generated = cloud::generate_layout(
        &model,
        work.path(),
        rolegraph::backend::terraform::Layout::Module,
    )
    .unwrap();
    let moto = cloud::Moto::start(&work.path().join("moto.log")).unwrap();
    let roots = cloud::terraform_on_moto(&moto, &generated, work.path()).unwrap();
    let (example, inputs) = &roots[0];
    let main = std::fs::read_to_string(example.join("main.tf")).unwrap();
    let swapped = main
        .replace(
            "aws.production  = aws.production",
            "aws.production  = aws.development",
        )
        .replace(
            "aws.development = aws.development",
            "aws.development = aws.production",
        );
    assert_ne!(
        main, swapped,
        "example/main.tf passes the providers as expected"
    );
    std::fs::write(example.join("main.tf"), swapped).unwrap();
    let config = &tools.tf_config;
    support::terraform::terraform(&["init", "-input=false", "-no-color"], example, config).unwrap();
    let mut apply = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
    let vars = cloud::var_args(&generated, inputs);
    apply.extend(vars.iter().map(String::as_str));
    let (code, output) = support::terraform::terraform_status(&apply, example, config).unwrap();
    assert_ne!(code, 0, "apply with swapped providers succeeded:\n{output}");
    for expected in [
        "The provider passed as aws.production must reach account 111111111111",
        "The provider passed as aws.development must reach account 222222222222",
    ] {
        assert!(
            output.contains(expected),
            "missing {expected:?} in:\n{output}"
        );
    }
    let state = cloud::dump(&moto, &generated.plan).unwrap();
    for (account, iam) in &state {
        assert!(
            iam.roles.is_empty() && iam.managed_policies.is_empty(),
            "{account} got {iam:#?}"
        );
    }
}

#[test]
fn random_models_build_the_planned_iam_with_both_backends() {
    let Some(tools) = cloud::tools() else { return };
    let base: u64 = match std::env::var("ROLEGRAPH_PROPTEST_SEED") {
        Ok(seed) => seed.parse().expect("ROLEGRAPH_PROPTEST_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    };
    let count = std::env::var("ROLEGRAPH_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(RANDOM_MODELS);
    println!(
        "random models: seeds {base}..{} (replay one with ROLEGRAPH_PROPTEST_SEED=<seed> ROLEGRAPH_PROPTEST_CASES=1)",
        base + count as u64
    );
    let seeds: Vec<u64> = (base..base + count as u64).collect();
    let dir = tempfile::tempdir().unwrap();
    let failures = run_all(
        &seeds,
        |seed| format!("seed {seed}"),
        |&seed| {
            let model = dir.path().join(format!("random-{seed}.yaml"));
            std::fs::write(&model, random_model::model(seed)).map_err(|e| e.to_string())?;
            check_model(&model, &tools, true).map_err(|err| {
                format!(
                    "{err}\n--- model (seed {seed}) ---\n{}",
                    random_model::model(seed)
                )
            })
        },
    );
    assert!(
        failures.is_empty(),
        "{} of {count} random models failed (base seed {base}):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The generator itself, cheaply and on many seeds: every model it makes is valid and
/// lint-clean, so a failure of the property test above is never the generator's.
#[test]
fn random_models_are_valid_and_lint_clean() {
    let dir = tempfile::tempdir().unwrap();
    let mut shapes = std::collections::BTreeSet::new();
    let mut features = std::collections::BTreeSet::new();
    for seed in 0..300 {
        let path = dir.path().join("m.yaml");
        std::fs::write(&path, random_model::model(seed)).unwrap();
        let graph = match rolegraph::compile(&path) {
            Ok(graph) => graph,
            Err(diags) => panic!(
                "seed {seed}: invalid model:\n{diags}\n{}",
                random_model::model(seed)
            ),
        };
        let errors: Vec<_> = rolegraph::lint::lint(&graph)
            .into_iter()
            .filter(|f| f.fails(rolegraph::lint::Severity::Error))
            .collect();
        assert!(errors.is_empty(), "seed {seed}: lint errors {errors:?}");
        shapes.insert((graph.accounts.len(), graph.roles.len()));
        features.extend(features_of(&graph));
    }
    let expected = [
        "account principal",
        "aws-us-gov partition",
        "external ARN principal",
        "fixed External ID",
        "inline policy",
        "input External ID",
        "instance profile",
        "managed policy",
        "permissions boundary",
        "role principal",
        "service principal",
        "session tags",
    ];
    assert_eq!(features.into_iter().collect::<Vec<_>>(), expected);
    // The generator covers the issue's ranges: 1–5 accounts and 1–8 roles.
    let accounts: std::collections::BTreeSet<_> = shapes.iter().map(|s| s.0).collect();
    let roles: std::collections::BTreeSet<_> = shapes.iter().map(|s| s.1).collect();
    assert_eq!(accounts.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert_eq!(
        roles.into_iter().collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7, 8]
    );
}

/// The harness end to end, against output broken the way a backend bug would break it:
/// the grant names the target role without its path, and a trust policy loses its
/// External ID condition. Both deploy fine; the comparison must name each one.
#[test]
fn a_deployed_backend_bug_is_caught_and_located() {
    let Some(_tools) = cloud::tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let model = repo().join("golden/role-path/rolegraph.yaml");
    let generated = cloud::generate(&model, work.path()).unwrap();
    let break_output = |account: &str, body: String| match account {
        "hub" => body.replace("role/seqera/workers/Worker", "role/Worker"),
        "spoke" => {
            // Drop the first `Condition:` block: its line and the deeper-indented ones.
            let mut lines = body.lines().peekable();
            let mut out = String::new();
            let mut dropped = false;
            while let Some(line) = lines.next() {
                if !dropped && line.trim() == "Condition:" {
                    let depth = line.len() - line.trim_start().len();
                    while lines
                        .peek()
                        .is_some_and(|l| l.len() - l.trim_start().len() > depth)
                    {
                        lines.next();
                    }
                    dropped = true;
                    continue;
                }
                out.push_str(line);
                out.push('\n');
            }
            assert!(dropped, "the worker's trust policy has a condition");
            out
        }
        _ => body,
    };
    let state = cloud::deploy_cloudformation(&generated, work.path(), &break_output).unwrap();
    let found: Vec<String> = rolegraph::plan::compare(&generated.plan, &state)
        .iter()
        .map(|d| format!("{}, {}, {}", d.account, d.resource, d.part))
        .collect();
    assert_eq!(
        found,
        [
            "hub (210000000001), managed policy Platform-assume, document",
            "spoke (210000000002), role Worker, trust policy",
        ],
        "{state:#?}"
    );
}

/// moto reports CREATE_COMPLETE for stacks it only partly built and accepts any parameter
/// value; the harness must notice each of these, or a comparison could pass on a stack
/// that real CloudFormation would reject or build differently.
#[test]
fn the_harness_catches_what_moto_lets_through() {
    let Some(_tools) = cloud::tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let moto = cloud::Moto::start(&work.path().join("moto.log")).unwrap();
    let template = work.path().join("t.yaml");
    std::fs::write(
        &template,
        r#"AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Id:
    Type: String
    AllowedPattern: ^[a-z]+$
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: Probe
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
        - Effect: Allow
          Principal: { Service: [ec2.amazonaws.com] }
          Action: [sts:AssumeRole]
  Group:
    Type: AWS::IAM::Group
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Action: [s3:GetObject], Resource: ["*"] }]
Outputs:
  PolicyArn:
    Value: !GetAtt Policy.PolicyArn
"#,
    )
    .unwrap();
    let stack = |name: &str, id: &str| {
        serde_json::json!({
            "account": "123456789012:aws:us-east-1", "stack": name,
            "template": template, "parameters": { "Id": id },
        })
    };
    let err =
        support::moto::deploy_stacks(&moto, work.path(), &[stack("bad-parameter", "NOT valid")])
            .expect_err("a parameter that breaks AllowedPattern");
    assert!(
        err.contains("parameter Id='NOT valid' does not match ^[a-z]+$"),
        "{err}"
    );
    let err = support::moto::deploy_stacks(&moto, work.path(), &[stack("skipped", "valid")])
        .expect_err("a stack with a resource moto skips");
    assert!(
        err.contains("resource Group (AWS::IAM::Group) was not created"),
        "{err}"
    );
    assert!(err.contains("output PolicyArn is missing"), "{err}");
}

/// What a model exercises, in the terms of the property test's promise.
fn features_of(graph: &rolegraph::ir::Graph) -> Vec<&'static str> {
    use rolegraph::ir::{PrincipalKind, Text};
    let mut out = Vec::new();
    if graph
        .accounts
        .iter()
        .any(|a| a.partition == rolegraph::ir::Partition::AwsUsGov)
    {
        out.push("aws-us-gov partition");
    }
    for role in &graph.roles {
        let checks = [
            (!role.inline_policies.is_empty(), "inline policy"),
            (!role.managed_policies.is_empty(), "managed policy"),
            (role.instance_profile.is_some(), "instance profile"),
            (role.permissions_boundary.is_some(), "permissions boundary"),
        ];
        out.extend(checks.iter().filter(|c| c.0).map(|c| c.1));
        for statement in &role.trust.statements {
            if statement.actions.iter().any(|a| a == "sts:TagSession") {
                out.push("session tags");
            }
            for id in statement.external_ids() {
                out.push(match id {
                    Text::Input(_) => "input External ID",
                    _ => "fixed External ID",
                });
            }
            for principal in &statement.principals {
                for id in &principal.ids {
                    out.push(match (principal.kind, id) {
                        (PrincipalKind::Service, _) => "service principal",
                        (_, Text::RoleArn(_)) => "role principal",
                        (_, Text::Lit(arn)) if arn.ends_with(":root") => "account principal",
                        _ => "external ARN principal",
                    });
                }
            }
        }
    }
    out
}
