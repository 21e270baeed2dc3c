//! An account that outgrows one CloudFormation stack (more than 500 resources, 200
//! parameters and 200 outputs) is split into `<account>.yaml`, `<account>-2.yaml`, …:
//! each within the quotas, every role in exactly one, a role of an earlier part named by
//! its literal ARN, the README in deploy order; cfn-lint passes every part, and deployed
//! to moto in the README's order the parts build exactly the planned IAM.

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{cloud, run, template_section, text};

const ROLES: usize = 300;

/// One hub; `ROLES` roles in account `big`, each with an instance profile (2 resources,
/// 2 outputs) and its own External ID input (1 parameter); the last also trusts the
/// first role of its own account, which the split puts in an earlier part.
fn model() -> String {
    let mut y = String::from(
        "version: 1\nname: split\naccounts:\n  hub: { id: \"510000000001\", region: us-east-1 }\n  big: { id: \"510000000002\", region: us-east-1 }\nroles:\n  hub:\n    account: hub\n    name: Hub\n    trusted_by:\n      - service: ec2.amazonaws.com\n",
    );
    for i in 0..ROLES {
        y += &format!(
            "  r{i:03}:\n    account: big\n    name: Role{i:03}\n    instance_profile: true\n    trusted_by:\n      - role: hub\n        external_id: {{ input: ext_{i:03} }}\n"
        );
        if i == ROLES - 1 {
            y += "      - role: r000\n";
        }
    }
    y
}

fn template(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join("cloudformation").join(file)).unwrap()
}

#[test]
fn a_large_account_is_split_into_stacks_within_the_quotas() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rolegraph.yaml"), model()).unwrap();
    let out = run(
        &["generate", "--out", "gen", "--only", "cloudformation"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let output = dir.path().join("gen");
    let files = ["big.yaml", "big-2.yaml", "big-3.yaml"];
    assert!(!output.join("cloudformation/big-4.yaml").exists());
    let mut role_names: BTreeMap<String, &str> = BTreeMap::new();
    let mut total_resources = 0;
    for file in files {
        let body = template(&output, file);
        let resources = template_section(&body, "Resources");
        let (parameters, outputs) = (
            template_section(&body, "Parameters"),
            template_section(&body, "Outputs"),
        );
        assert!(
            resources.len() <= 500 && parameters.len() <= 200 && outputs.len() <= 200,
            "{file}: {} resources, {} parameters, {} outputs",
            resources.len(),
            parameters.len(),
            outputs.len()
        );
        total_resources += resources.len();
        for line in body.lines() {
            if let Some(name) = line.trim().strip_prefix("RoleName: ") {
                assert!(
                    role_names.insert(name.to_owned(), file).is_none(),
                    "{name} in two templates"
                );
            }
        }
    }
    // Each role and its profile, and the first role's `-assume` policy (the last trusts it).
    assert_eq!(total_resources, 2 * ROLES + 1);
    assert_eq!(role_names.len(), ROLES);
    // The last role trusts the first, which is in an earlier part: a literal ARN.
    assert_eq!(role_names["Role000"], "big.yaml");
    let last = template(&output, role_names["Role299"]);
    assert_ne!(role_names["Role299"], "big.yaml");
    assert!(
        last.contains("- arn:aws:iam::510000000002:role/Role000\n"),
        "{last}"
    );
    assert!(!last.contains("R000Role.Arn"));

    let readme = template(&output, "README.md");
    let order: Vec<usize> = ["`hub.yaml`", "`big.yaml`", "`big-2.yaml`", "`big-3.yaml`"]
        .iter()
        .map(|f| {
            readme
                .find(f)
                .unwrap_or_else(|| panic!("{f} not in README"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{readme}");
    assert!(
        readme.contains("| 3 | big | 510000000002 | `big-2.yaml` | hub, big.yaml |"),
        "{readme}"
    );
    assert!(
        readme.contains("## 4. big (510000000002), part 3 of 3"),
        "{readme}"
    );
}

#[test]
fn split_stacks_pass_cfn_lint_and_deploy_the_planned_iam() {
    let Some(_tools) = cloud::tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let path = work.path().join("rolegraph.yaml");
    std::fs::write(&path, model()).unwrap();
    let generated = cloud::generate(&path, work.path()).unwrap();
    cloud::cfn_lint(&generated).unwrap();
    let state = cloud::deploy_cloudformation(&generated, work.path(), &|_, body| body).unwrap();
    let differences = rolegraph::plan::compare(&generated.plan, &state);
    let lines: Vec<String> = differences.iter().map(|d| d.to_string()).collect();
    assert!(lines.is_empty(), "{}", lines.join("\n"));
}

use crate::synth;

/// A 1,000-account model: the management template holds the hub's eight grant policies
/// and passes 51,200 bytes, so it must go through S3; and one root module with 1,001
/// provider aliases deserves the per-account layout. Both are warnings: the output is
/// written.
#[test]
fn large_output_is_written_with_warnings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rolegraph.yaml"), synth::model(1000)).unwrap();
    let out = run(&["generate", "--out", "gen"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let size = std::fs::metadata(dir.path().join("gen/cloudformation/management.yaml"))
        .unwrap()
        .len();
    assert!(size > 51_200);
    // The deploy guide gives that template, and only that one, the S3 form.
    let readme = std::fs::read_to_string(dir.path().join("gen/cloudformation/README.md")).unwrap();
    let management = readme
        .split("\n## ")
        .find(|s| s.contains("--template-file management.yaml"))
        .unwrap();
    assert!(management.contains("--s3-bucket <bucket>"), "{management}");
    assert_eq!(readme.matches("--s3-bucket <bucket>").count(), 1);
    for expected in [
        format!(
            "warning: cloudformation/management.yaml is {size} bytes; CloudFormation takes at most 51200 bytes as a template body\n  hint: deploy it through S3"
        ),
        "warning: the Terraform root module has 1001 accounts".to_owned(),
        "use `--terraform-layout per-account`".to_owned(),
    ] {
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    let per_account = run(
        &[
            "generate",
            "--out",
            "gen2",
            "--terraform-layout",
            "per-account",
        ],
        dir.path(),
    );
    assert_eq!(per_account.status.code(), Some(0));
    assert!(!text(&per_account.stderr).contains("Terraform root module"));
    let quiet = run(&["generate", "--out", "gen3", "-q"], dir.path());
    assert_eq!(text(&quiet.stderr), "");
}

/// 300 roles, each with an inline policy of about 9,000 characters: 200 fit a stack by
/// its quotas, but their template would pass CloudFormation's 1 MB even through S3.
#[test]
fn a_template_over_one_megabyte_is_an_error() {
    let mut y = String::from(
        "version: 1\nname: huge\naccounts:\n  huge: { id: \"520000000001\", region: us-east-1 }\nroles:\n",
    );
    let resources: Vec<String> = (0..150)
        .map(|i| format!("\"arn:aws:s3:::bucket-with-a-long-name-{i:04}/*\""))
        .collect();
    for i in 0..300 {
        y += &format!(
            "  r{i:03}:\n    account: huge\n    name: Role{i:03}\n    trusted_by:\n      - service: lambda.amazonaws.com\n    policies:\n      data:\n        statements:\n          - actions: [s3:GetObject]\n            resources: [{}]\n",
            resources.join(", ")
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rolegraph.yaml"), y).unwrap();
    let out = run(&["generate", "--out", "gen"], dir.path());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: the CloudFormation template huge.yaml would be ")
            && stderr
                .contains("bytes; CloudFormation takes at most 1000000 bytes, even through S3"),
        "{stderr}"
    );
    assert!(!dir.path().join("gen").exists());
}
