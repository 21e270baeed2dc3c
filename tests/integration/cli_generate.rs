//! The commands as a user runs them: summaries, rewrites that leave unchanged files
//! alone, template overrides, and help text.

use crate::support;

use support::{read_tree, repo, run, text};

fn seed_model() -> String {
    repo()
        .join("examples/seqera/rolegraph.yaml")
        .display()
        .to_string()
}

#[test]
fn validate_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["validate", &seed_model()], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with(": valid: 3 accounts, 3 roles, 3 trust edges\n"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "validate wrote something"
    );
}

#[test]
fn generate_writes_both_trees_and_a_rerun_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(&["generate", &seed_model(), "--out", "gen"], dir.path());
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert_eq!(
        text(&first.stdout),
        "wrote 14 of 14 files to gen (0 unchanged)\n"
    );
    let tree = read_tree(&dir.path().join("gen"));
    assert!(tree.contains_key("terraform/providers.tf"));
    assert!(tree.contains_key("cloudformation/management.yaml"));
    let stamp = |p: &str| {
        std::fs::metadata(dir.path().join("gen").join(p))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before = stamp("terraform/providers.tf");
    let second = run(&["generate", &seed_model(), "--out", "gen"], dir.path());
    assert_eq!(
        text(&second.stdout),
        "wrote 0 of 14 files to gen (14 unchanged)\n"
    );
    assert_eq!(stamp("terraform/providers.tf"), before);
    assert_eq!(
        read_tree(&dir.path().join("gen")),
        tree,
        "no temporary files are left behind"
    );
}

/// Runs `generate` on the seed with one file in a `--templates` folder.
fn generate_with_template(name: &str, body: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tpl")).unwrap();
    std::fs::write(dir.path().join("tpl").join(name), body).unwrap();
    let args = [
        "generate",
        &seed_model(),
        "--out",
        "gen",
        "--templates",
        "tpl",
    ];
    let out = run(&args, dir.path());
    (dir, out)
}

#[test]
fn a_template_can_be_replaced_by_name() {
    let body = "Stacks of {{ model }}:{% for s in stacks %} {{ s.template }}{% endfor %}\n";
    let (dir, out) = generate_with_template("cloudformation-README.md", body);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let readme = std::fs::read_to_string(dir.path().join("gen/cloudformation/README.md")).unwrap();
    assert_eq!(
        readme,
        "Stacks of seqera-platform: management.yaml production.yaml development.yaml\n"
    );
}

#[test]
fn a_template_that_replaces_nothing_is_an_error() {
    let (dir, out) = generate_with_template("README.md", "x");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("overrides no template"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("gen").exists());
}

#[test]
fn help_documents_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    for (args, line) in [
        (
            vec!["--help"],
            "2    an invalid model, a wrong command line",
        ),
        (vec!["generate", "--help"], "2    the model is invalid"),
    ] {
        let out = run(&args, dir.path());
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        assert!(help.contains("Exit codes") && help.contains(line), "{help}");
    }
    let bad = run(&["generate"], dir.path());
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a missing --out is a usage error"
    );
}

#[test]
fn only_writes_the_selected_backends() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "generate",
            &seed_model(),
            "--out",
            "gen",
            "--only",
            "cloudformation,terraform,cloudformation",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut tree = read_tree(&dir.path().join("gen"));
    assert!(tree.remove(".rolegraph-manifest").is_some());
    let folders: std::collections::BTreeSet<&str> =
        tree.keys().filter_map(|p| p.split('/').next()).collect();
    assert_eq!(
        folders.into_iter().collect::<Vec<_>>(),
        ["cloudformation", "terraform"]
    );
    let golden = read_tree(&repo().join("golden/seed"));
    for (path, bytes) in &tree {
        assert_eq!(
            golden.get(path),
            Some(bytes),
            "{path} differs from golden/seed"
        );
    }

    let out = run(
        &[
            "generate",
            &seed_model(),
            "--out",
            "gen2",
            "--only",
            "pulumi",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("[possible values: terraform, cloudformation, seqera]"));
    assert!(!dir.path().join("gen2").exists());
}
