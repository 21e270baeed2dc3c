//! What a new user meets in the first hour, one test per surprise that was reported: the
//! output folder's errors, `explain`'s usage, per-command help, the model on standard
//! input, action names in any case, two models in one folder, and `plan`'s text. (The
//! number and YAML-tag messages are cases in cli_validation.rs.)

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use crate::support::{self, repo, run, text};

fn seed() -> String {
    repo()
        .join("examples/seqera/rolegraph.yaml")
        .display()
        .to_string()
}

/// A folder holding a copy of the Seqera example: its model and its policy file.
fn seed_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(seed(), dir.path().join("rolegraph.yaml")).unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::copy(
        repo().join("examples/seqera/policies/batch.json"),
        dir.path().join("policies/batch.json"),
    )
    .unwrap();
    dir
}

fn assert_exit(out: &std::process::Output, code: i32, needle: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(needle), "no {needle:?} in:\n{stderr}");
}

#[test]
fn an_out_that_is_a_file_is_named_as_such_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("outfile"), "mine\n").unwrap();
    for force in [false, true] {
        let mut args = vec!["generate", seed_str(), "--out", "outfile"];
        if force {
            args.push("--force");
        }
        let out = run(&args, dir.path());
        assert_exit(
            &out,
            2,
            "error: --out outfile is a regular file, not a folder",
        );
        assert!(!text(&out.stderr).contains("move your changes"));
        let check = run(&["check", seed_str(), "--out", "outfile"], dir.path());
        assert_exit(&check, 2, "--out outfile is a regular file, not a folder");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("outfile")).unwrap(),
        "mine\n"
    );
}

/// The seed model's path, kept for the test run.
fn seed_str() -> &'static str {
    static SEED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SEED.get_or_init(seed)
}

#[test]
fn an_out_that_is_a_link_is_refused_dangling_or_not() {
    let dir = tempfile::tempdir().unwrap();
    symlink("/nonexistent-rolegraph-target", dir.path().join("dangling")).unwrap();
    let out = run(&["generate", seed_str(), "--out", "dangling"], dir.path());
    assert_exit(
        &out,
        2,
        "--out dangling is a symbolic link (to /nonexistent-rolegraph-target, which does not exist)",
    );
    assert!(!Path::new("/nonexistent-rolegraph-target").exists());

    // A link committed where the output folder belongs must not send the writes elsewhere.
    std::fs::create_dir(dir.path().join("elsewhere")).unwrap();
    symlink(dir.path().join("elsewhere"), dir.path().join("generated")).unwrap();
    let out = run(
        &["generate", seed_str(), "--out", "generated", "--force"],
        dir.path(),
    );
    assert_exit(&out, 2, "--out generated is a symbolic link");
    assert_eq!(
        std::fs::read_dir(dir.path().join("elsewhere"))
            .unwrap()
            .count(),
        0
    );
}

/// A folder inside the output that cannot be written is named, not the output folder.
#[test]
fn a_read_only_backend_folder_is_the_folder_named() {
    let dir = seed_folder();
    let model = dir.path().join("rolegraph.yaml");
    let first = run(&["generate", "--out", "w", "-q"], dir.path());
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let edited = std::fs::read_to_string(&model)
        .unwrap()
        .replace("runs Seqera Platform", "runs Seqera Platform!");
    std::fs::write(&model, edited).unwrap();
    let terraform = dir.path().join("w/terraform");
    std::fs::set_permissions(&terraform, PermissionsExt::from_mode(0o555)).unwrap();
    // Root writes into a folder of mode 555, so as root the run drops to user `nobody`.
    if support::running_as_root() {
        chown_nobody(dir.path());
    }
    let out = support::bin_unprivileged()
        .args(["generate", "--out", "w", "-q"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    std::fs::set_permissions(&terraform, PermissionsExt::from_mode(0o755)).unwrap();
    assert_exit(
        &out,
        1,
        "cannot write to w: cannot create a file in w/terraform: Permission denied",
    );
}

fn chown_nobody(root: &Path) {
    let status = std::process::Command::new("chown")
        .args(["-R", "65534:65534"])
        .arg(root)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn explain_takes_an_optional_model_then_one_role() {
    let dir = tempfile::tempdir().unwrap();
    let help = text(&run(&["explain", "--help"], dir.path()).stdout);
    assert!(
        help.contains("Usage: rolegraph explain [OPTIONS] [MODEL] <ROLE>"),
        "{help}"
    );
    let bare = run(&["explain"], dir.path());
    assert_exit(
        &bare,
        2,
        "the following required arguments were not provided:\n  <ROLE>",
    );
    assert!(
        !text(&bare.stderr).contains("<MODEL>"),
        "{}",
        text(&bare.stderr)
    );

    let dir = seed_folder();
    let one = run(&["explain", "production"], dir.path());
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert!(text(&one.stdout).contains("SeqeraPlatformRole-AccountA"));
    let two = run(&["explain", "rolegraph.yaml", "production"], dir.path());
    assert_eq!(two.stdout, one.stdout);
    let three = run(
        &["explain", "rolegraph.yaml", "production", "platform"],
        dir.path(),
    );
    assert_eq!(three.status.code(), Some(2));
}

/// Each command's help lists the flags it takes and the exit codes it gives, no others.
#[test]
fn each_command_help_lists_only_its_own_flags_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let help = |command: &str| text(&run(&[command, "--help"], dir.path()).stdout);
    for command in [
        "validate", "lint", "plan", "schema", "graph", "explain", "check",
    ] {
        let page = help(command);
        assert!(
            !page.contains("--verbose"),
            "{command} offers --verbose:\n{page}"
        );
        assert!(!page.contains("every file written"), "{command}:\n{page}");
        assert!(!page.contains("interrupted (SIGINT)"), "{command}:\n{page}");
    }
    for command in ["lint", "plan", "schema", "graph", "explain"] {
        assert!(
            !help(command).contains("--quiet"),
            "{command} offers --quiet"
        );
    }
    let validate = help("validate");
    assert!(validate.contains("0  the model is valid"), "{validate}");
    assert!(!validate.contains("could not be written"), "{validate}");
    assert!(help("generate").contains("--verbose"));
    assert!(help("generate").contains("interrupted (SIGINT)"));
    let verbose = run(&["validate", seed_str(), "-v"], dir.path());
    assert_eq!(verbose.status.code(), Some(2));
    let quiet = run(&["validate", seed_str(), "-q"], dir.path());
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stdout.is_empty(), "{}", text(&quiet.stdout));
}

fn run_with_stdin(args: &[&str], cwd: &Path, input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = support::bin()
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

/// `-` is standard input, piped (not only a redirected file); its policy files are
/// relative to the current folder, and its errors name `<stdin>`.
#[test]
fn a_dash_reads_the_model_from_a_pipe() {
    let dir = repo().join("examples/seqera");
    let model = std::fs::read_to_string(dir.join("rolegraph.yaml")).unwrap();
    let out = run_with_stdin(&["validate", "-"], &dir, &model);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "-: valid: 3 accounts, 3 roles, 3 trust edges\n"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = run_with_stdin(&["validate", "-"], elsewhere.path(), &model);
    assert_exit(&out, 2, "<stdin>:");
    assert!(text(&out.stderr).contains("policies/batch.json"));

    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("gen");
    let generated = run_with_stdin(
        &["generate", "-", "--out", target.to_str().unwrap(), "-q"],
        &dir,
        &model,
    );
    assert_eq!(
        generated.status.code(),
        Some(0),
        "{}",
        text(&generated.stderr)
    );
    let checked = run_with_stdin(
        &["check", "-", "--out", target.to_str().unwrap()],
        &dir,
        &model,
    );
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stderr));
}

/// IAM matches action names without regard to case: `IAM:PASSROLE` is `iam:PassRole`, so
/// it is accepted, linted as iam:PassRole, and written as the model spells it.
#[test]
fn action_names_are_matched_in_any_case_and_written_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let model = r#"version: 1
name: cased
accounts:
  main: { id: "111111111111" }
roles:
  app:
    account: main
    name: App
    trusted_by:
      - service: ec2.amazonaws.com
    policies:
      pass:
        statements:
          - actions: [IAM:PASSROLE, S3:GetObject]
            resources: ["*"]
"#;
    std::fs::write(dir.path().join("rolegraph.yaml"), model).unwrap();
    let lint = run(&["lint"], dir.path());
    assert_eq!(lint.status.code(), Some(1), "{}", text(&lint.stderr));
    assert!(
        text(&lint.stdout).contains("allows iam:PassRole on `*`"),
        "{}",
        text(&lint.stdout)
    );
    let plan = run(&["plan", "--format", "json"], dir.path());
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan.stderr));
    let plan = text(&plan.stdout);
    assert!(plan.contains("\"IAM:PASSROLE\""), "{plan}");
    assert!(plan.contains("\"S3:GetObject\""), "{plan}");
}

/// A second model sent to a folder that holds the first one's output is refused, naming
/// both; `--force` takes the folder over.
#[test]
fn another_models_folder_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let first = run(&["generate", seed_str(), "--out", "out", "-q"], root);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let other = "version: 1\nname: other\naccounts:\n  a: { id: \"123456789012\" }\nroles:\n  r:\n    account: a\n    name: R\n    trusted_by:\n      - service: ec2.amazonaws.com\n";
    std::fs::write(root.join("other.yaml"), other).unwrap();
    let before = support::read_tree(&root.join("out"));
    let refused = run(&["generate", "other.yaml", "--out", "out"], root);
    assert_exit(
        &refused,
        2,
        "out holds the output of model `seqera-platform` (its .rolegraph-manifest says so), not of `other` (other.yaml)",
    );
    assert_eq!(support::read_tree(&root.join("out")), before);
    let check = run(&["check", "other.yaml", "--out", "out"], root);
    assert_exit(&check, 2, "not of `other`");

    let forced = run(
        &["generate", "other.yaml", "--out", "out", "--force", "-q"],
        root,
    );
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert!(!root.join("out/terraform/production.tf").exists());
    let manifest = std::fs::read_to_string(root.join("out/.rolegraph-manifest")).unwrap();
    assert!(manifest.contains("\"model\": \"other\""), "{manifest}");
    let check = run(&["check", "other.yaml", "--out", "out"], root);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
}

/// `plan`'s text shows what a reviewer needs without `--format json`: description, tags,
/// and every statement of every inline and managed policy.
#[test]
fn plan_text_shows_description_tags_and_each_statement() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["plan", seed_str()], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan = text(&out.stdout);
    for line in [
        "    description  Role of the EC2 instance that runs Seqera Platform\n",
        "    tags         ManagedBy=rolegraph, Project=seqera\n",
        "    inline       data-access\n      Allow s3:GetObject, s3:PutObject on arn:aws:s3:::acme-prod-data/*\n      Allow s3:ListBucket on arn:aws:s3:::acme-prod-data\n",
        "      [JobLogs] Allow logs:DescribeLogStreams, logs:GetLogEvents on arn:aws:logs:eu-west-1:222222222222:log-group:/aws/batch/job:*\n",
    ] {
        assert!(plan.contains(line), "no {line:?} in:\n{plan}");
    }
    assert!(!plan.contains("statements)"), "{plan}");
}
