//! The hooks in `.pre-commit-hooks.yaml`, run by pre-commit itself (PyPI) in a scratch
//! infra repository: pre-commit clones this repository at HEAD, builds rolegraph with its
//! `rust` language (`cargo install --path .`), and runs the hooks. `rolegraph-check` must
//! fail on a stale folder and pass after `rolegraph-generate`; `rolegraph-lint` runs as
//! `pre-commit try-repo` would offer it, on the default model.
//!
//! To keep the build short, cargo is told to build pre-commit's release profile without
//! optimisation, into a target folder kept under CARGO_TARGET_TMPDIR; pre-commit's own
//! cache is kept there too. The hooks under test are HEAD's: commit before running this.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{repo, require_tool, text};

fn git(args: &[&str], cwd: &Path) -> Output {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    out
}

fn pre_commit(args: &[&str], cwd: &Path) -> Output {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    Command::new("pre-commit")
        .args(args)
        .current_dir(cwd)
        .env("PRE_COMMIT_HOME", scratch.join("pre-commit-home"))
        .env("CARGO_TARGET_DIR", scratch.join("pre-commit-target"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
        .output()
        .expect("run pre-commit")
}

/// A scratch infra repo: the Seqera example's model and policy, its generated folder,
/// and a config naming this repository's hooks at `rev`.
fn infra_repo(rev: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let example = repo().join("examples/seqera");
    std::fs::copy(example.join("rolegraph.yaml"), root.join("rolegraph.yaml")).unwrap();
    std::fs::create_dir(root.join("policies")).unwrap();
    std::fs::copy(
        example.join("policies/batch.json"),
        root.join("policies/batch.json"),
    )
    .unwrap();
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: rolegraph-check\n        args: [rolegraph.yaml, --out, generated]\n      - id: rolegraph-lint\n",
        repo().display()
    );
    std::fs::write(root.join(".pre-commit-config.yaml"), config).unwrap();
    let generated = crate::support::run(&["generate", "--out", "generated", "-q"], root);
    assert_eq!(
        generated.status.code(),
        Some(0),
        "{}",
        text(&generated.stderr)
    );
    git(&["init", "-q"], root);
    git(&["add", "-A"], root);
    git(&["commit", "-qm", "infra"], root);
    dir
}

#[test]
fn pre_commit_runs_the_hooks_check_fails_when_stale_and_passes_after_generate() {
    let version = Command::new("pre-commit").arg("--version").output();
    if !require_tool("pre-commit", version.is_ok_and(|o| o.status.success())) {
        return;
    }
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(repo())
        .output();
    let Some(rev) = head
        .ok()
        .filter(|o| o.status.success())
        .map(|o| text(&o.stdout).trim().to_owned())
    else {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI runs in a git clone"
        );
        println!("skipped: the crate is not a git checkout, and pre-commit needs one");
        return;
    };
    let infra = infra_repo(&rev);
    let root = infra.path();

    let clean = pre_commit(&["run", "--all-files"], root);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "a fresh folder must pass:\n{}{}",
        text(&clean.stdout),
        text(&clean.stderr)
    );

    // The model changes, the folder does not: the check hook fails with the diff.
    let model = std::fs::read_to_string(root.join("rolegraph.yaml")).unwrap();
    let edited = model.replace("runs Seqera Platform", "runs Seqera Platform 26.1");
    assert_ne!(edited, model);
    std::fs::write(root.join("rolegraph.yaml"), edited).unwrap();
    let stale = pre_commit(&["run", "rolegraph-check", "--all-files"], root);
    let report = format!("{}{}", text(&stale.stdout), text(&stale.stderr));
    assert_eq!(stale.status.code(), Some(1), "{report}");
    assert!(
        report.contains("rolegraph check") && report.contains("Failed"),
        "{report}"
    );
    assert!(
        report.contains(
            "+  description        = \"Role of the EC2 instance that runs Seqera Platform 26.1\""
        ),
        "{report}"
    );

    // Regenerate through the generate hook, as its users do, then check passes.
    let config = std::fs::read_to_string(root.join(".pre-commit-config.yaml")).unwrap();
    let config = config.replace(
        "      - id: rolegraph-lint\n",
        "      - id: rolegraph-lint\n      - id: rolegraph-generate\n        args: [rolegraph.yaml, --out, generated, -q]\n",
    );
    std::fs::write(root.join(".pre-commit-config.yaml"), config).unwrap();
    let generate = pre_commit(&["run", "rolegraph-generate", "--all-files"], root);
    assert_eq!(
        generate.status.code(),
        Some(1),
        "pre-commit fails a hook that changed files:\n{}",
        text(&generate.stdout)
    );
    let fixed = pre_commit(&["run", "--all-files"], root);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}{}",
        text(&fixed.stdout),
        text(&fixed.stderr)
    );
}
