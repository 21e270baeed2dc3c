//! `--terraform-layout` as a user switches it: the folder follows the layout (the manifest
//! deletes the old layout's files and keeps the user's own), `check` compares against the
//! layout it is given and says how to regenerate, and the per-account layout refuses a
//! model whose accounts trust each other both ways. The layouts' contents are golden
//! cases, checked by real terraform in real_tools.rs and deployed to moto in
//! seqera_readme.rs.

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;

use support::{read_tree, repo, run, text};

fn seed_model() -> String {
    repo()
        .join("golden/seed/rolegraph.yaml")
        .display()
        .to_string()
}

fn terraform_files(out: &Path) -> BTreeSet<String> {
    read_tree(&out.join("terraform")).into_keys().collect()
}

fn generate(dir: &Path, layout: &str) {
    let out = run(
        &[
            "generate",
            &seed_model(),
            "--out",
            "gen",
            "--only",
            "terraform",
            "--terraform-layout",
            layout,
        ],
        dir,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn switching_layouts_replaces_the_old_layouts_files_and_keeps_the_users() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), "root");
    assert!(terraform_files(&dir.path().join("gen")).contains("providers.tf"));
    let backend = dir.path().join("gen/terraform/backend.tf");
    std::fs::write(&backend, "# the user's own\n").unwrap();

    generate(dir.path(), "per-account");
    let files = terraform_files(&dir.path().join("gen"));
    let expected: BTreeSet<String> = read_tree(&repo().join("golden/seed/terraform-per-account"))
        .into_keys()
        .chain(["backend.tf".to_owned()])
        .collect();
    assert_eq!(files, expected);

    generate(dir.path(), "module");
    let files = terraform_files(&dir.path().join("gen"));
    let expected: BTreeSet<String> = read_tree(&repo().join("golden/seed/terraform-module"))
        .into_keys()
        .chain(["backend.tf".to_owned()])
        .collect();
    assert_eq!(files, expected);
    assert_eq!(
        std::fs::read_to_string(&backend).unwrap(),
        "# the user's own\n"
    );
}

#[test]
fn check_compares_with_the_layout_it_is_given_and_names_it_in_the_hint() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), "per-account");
    let check = |layout: &str| {
        run(
            &[
                "check",
                &seed_model(),
                "--out",
                "gen",
                "--only",
                "terraform",
                "--terraform-layout",
                layout,
            ],
            dir.path(),
        )
    };
    let in_sync = check("per-account");
    assert_eq!(in_sync.status.code(), Some(0), "{}", text(&in_sync.stderr));

    let other = check("module");
    assert_eq!(other.status.code(), Some(1));
    let stderr = text(&other.stderr);
    let hint = format!(
        "run `rolegraph generate {} --out gen --only terraform --terraform-layout module`",
        seed_model()
    );
    assert!(stderr.contains(&hint), "{stderr}");
    assert!(
        stderr.contains("no longer generated: gen/terraform/production/main.tf"),
        "{stderr}"
    );
}

/// Two accounts, each with a role that the other account's role trusts: no role cycle,
/// but no account can go first.
const TWO_WAY: &str = r#"version: 1
name: two-way
accounts:
  a:
    id: "100000000001"
  b:
    id: "100000000002"
roles:
  a_source:
    account: a
    name: ASource
    trusted_by:
      - service: lambda.amazonaws.com
  a_target:
    account: a
    name: ATarget
    trusted_by:
      - role: b_source
        external_id: a-from-b
  b_source:
    account: b
    name: BSource
    trusted_by:
      - service: lambda.amazonaws.com
  b_target:
    account: b
    name: BTarget
    trusted_by:
      - role: a_source
        external_id: b-from-a
"#;

#[test]
fn per_account_roots_need_an_order_of_accounts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rolegraph.yaml"), TWO_WAY).unwrap();
    let generate = |extra: &[&str]| {
        let mut args = vec!["generate", "--out", "gen", "--only", "terraform"];
        args.extend_from_slice(extra);
        run(&args, dir.path())
    };
    let per_account = generate(&["--terraform-layout", "per-account"]);
    assert_eq!(per_account.status.code(), Some(2));
    let stderr = text(&per_account.stderr);
    assert!(
        stderr.starts_with("rolegraph.yaml:4:3: error: accounts trust each other's roles in both directions, so no order of per-account Terraform root modules can create every trusted role first\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("or use `--terraform-layout root`"),
        "{stderr}"
    );
    assert!(!dir.path().join("gen").exists(), "an error wrote output");

    let root = generate(&[]);
    assert_eq!(root.status.code(), Some(0), "{}", text(&root.stderr));

    let cloudformation = run(
        &["generate", "--out", "cfn", "--only", "cloudformation"],
        dir.path(),
    );
    assert_eq!(cloudformation.status.code(), Some(2));
    assert!(text(&cloudformation.stderr).contains("no order of CloudFormation stacks"));
}

/// A platform role without credentials grants nothing, so the StackSet layout may put it
/// in a StackSet with its twin in another account; the Seqera README then names that
/// StackSet's template (the Seqera backend once assumed it could not happen, and panicked).
#[test]
fn a_platform_role_in_a_stackset_is_named_by_the_seqera_readme() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("rolegraph.yaml");
    std::fs::write(
        &model,
        "version: 1\nname: twin\naccounts:\n  a: { id: \"111111111111\" }\n  b: { id: \"222222222222\" }\nroles:\n  platform: { account: a, name: P, trusted_by: [{ service: ec2.amazonaws.com }] }\n  twin: { account: b, name: P, trusted_by: [{ service: ec2.amazonaws.com }] }\nseqera:\n  platform_role: platform\n",
    )
    .unwrap();
    let out = run(
        &[
            "generate",
            "rolegraph.yaml",
            "--out",
            "out",
            "--cloudformation-layout",
            "stackset",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let readme = std::fs::read_to_string(dir.path().join("out/seqera/README.md")).unwrap();
    assert!(
        readme.contains("--template-body file://../cloudformation/stacksets/p.yaml"),
        "{readme}"
    );
    assert!(
        dir.path()
            .join("out/cloudformation/stacksets/p.yaml")
            .is_file()
    );
}
