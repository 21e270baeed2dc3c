//! What a commit can hand rolegraph to read: FIFOs, devices and oversized files as the
//! model, a policy file, a template or the manifest; policy files outside the model's
//! folder; policy JSON that a lax reader would take. Each ends at once with exit 2, a
//! message that names the rule (and the limit, for sizes), and little memory.

use crate::support;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use support::{repo, text};

/// What a run printed and how it ended, with its peak memory.
pub(crate) struct Measured {
    pub code: Option<i32>,
    pub stderr: String,
    pub peak_kib: i64,
}

/// Runs rolegraph under a small Python parent that reads its peak resident memory from
/// the kernel (`wait4`). The test process itself cannot: a child forked from it inherits
/// its memory high-water mark. The parent kills it after 20 s, a guard against a hang (not
/// a timing test: a hang is the failure).
pub(crate) fn run_measured(args: &[&str], cwd: &Path) -> Measured {
    const PARENT: &str = r#"
import resource, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
try:
    child.wait(timeout=20)
except subprocess.TimeoutExpired:
    child.kill()
    child.wait()
    sys.stderr.write("\nHUNG\n")
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stderr.write(f"\nmaxrss={peak}\n")
sys.exit(child.returncode if child.returncode >= 0 else 128 - child.returncode)
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(PARENT)
        .arg(env!("CARGO_BIN_EXE_rolegraph"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .expect("run python3");
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("\nHUNG\n"), "rolegraph {args:?} hung");
    let (stderr, peak) = stderr
        .trim_end()
        .rsplit_once("\nmaxrss=")
        .unwrap_or_else(|| panic!("no maxrss in {stderr}"));
    Measured {
        code: out.status.code(),
        stderr: stderr.to_owned(),
        peak_kib: peak.parse().unwrap(),
    }
}

fn assert_rejected(m: &Measured, needles: &[&str]) {
    assert_eq!(m.code, Some(2), "{}", m.stderr);
    for needle in needles {
        assert!(
            m.stderr.contains(needle),
            "expected {needle:?} in:\n{}",
            m.stderr
        );
    }
    assert!(
        m.peak_kib < 100 * 1024,
        "peak memory {} KiB is over 100 MiB",
        m.peak_kib
    );
}

/// A copy of the seed example, whose policy file is `policies/batch.json`.
fn seed_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir_all(model.join("policies")).unwrap();
    let seed = repo().join("examples/seqera");
    for file in ["rolegraph.yaml", "policies/batch.json"] {
        std::fs::copy(seed.join(file), model.join(file)).unwrap();
    }
    (dir, model)
}

/// A sparse file one byte over `mib` MiB: large on paper, nothing on disk.
fn oversized(path: &Path, mib: u64) {
    let file = std::fs::File::create(path).unwrap();
    file.set_len(mib * 1024 * 1024 + 1).unwrap();
}

pub(crate) const COMMANDS: &[&[&str]] = &[
    &["validate"],
    &["plan"],
    &["lint"],
    &["graph"],
    &["explain"],
    &["generate", "--out", "out"],
    &["check", "--out", "out"],
];

/// `command` with the model and, for explain, a role.
pub(crate) fn with_model<'a>(command: &[&'a str], model: &'a str) -> Vec<&'a str> {
    let mut args = vec![command[0], model];
    if command[0] == "explain" {
        args.push("platform");
    }
    args.extend_from_slice(&command[1..]);
    args
}

#[test]
fn a_model_that_is_no_regular_file_or_too_large_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    support::mkfifo(&dir.path().join("fifo.yaml"));
    oversized(&dir.path().join("big.yaml"), 64);
    std::fs::create_dir(dir.path().join("folder.yaml")).unwrap();
    let cases: &[(&str, &[&str])] = &[
        ("fifo.yaml", &["it is a FIFO, not a regular file", "64 MiB"]),
        ("/dev/zero", &["it is a character device", "64 MiB"]),
        ("folder.yaml", &["it is a folder", "64 MiB"]),
        ("big.yaml", &["67108865 bytes, over the limit of 64 MiB"]),
    ];
    for (model, needles) in cases {
        for command in COMMANDS {
            let m = run_measured(&with_model(command, model), dir.path());
            assert_rejected(&m, needles);
        }
    }
    assert!(!dir.path().join("out").exists(), "generate created --out");
}

#[test]
fn a_policy_file_that_is_no_regular_file_or_too_large_is_refused_at_its_entry() {
    let (_dir, model) = seed_copy();
    let policy = model.join("policies/batch.json");
    type Plant<'a> = Box<dyn Fn() + 'a>;
    // A link to /dev/zero resolves outside the model's folder: the flag lets it through
    // to the read, which must refuse it too.
    let cases: Vec<(&str, Plant, Vec<&str>, Option<&str>)> = vec![
        (
            "FIFO",
            Box::new(|| support::mkfifo(&policy)),
            vec!["it is a FIFO", "10 MiB"],
            None,
        ),
        (
            "device",
            Box::new(|| symlink("/dev/zero", &policy).unwrap()),
            vec!["it is a character device", "10 MiB"],
            Some("--allow-outside-files"),
        ),
        (
            "oversized",
            Box::new(|| oversized(&policy, 10)),
            vec!["10485761 bytes, over the limit of 10 MiB"],
            None,
        ),
    ];
    for (what, plant, needles, flag) in cases {
        std::fs::remove_file(&policy).unwrap();
        plant();
        for command in COMMANDS {
            let mut args = with_model(command, "rolegraph.yaml");
            args.extend(flag);
            let m = run_measured(&args, &model);
            let mut all = needles.clone();
            all.push("rolegraph.yaml:54:22: error: cannot read policy file `policies/batch.json`");
            assert_rejected(&m, &all);
            assert!(
                !model.join("out").exists(),
                "{what}: generate created --out"
            );
        }
    }
}

#[test]
fn a_template_or_manifest_that_is_no_regular_file_is_refused() {
    let (_dir, model) = seed_copy();
    let templates = model.join("templates");
    std::fs::create_dir(&templates).unwrap();
    let with_templates = [
        "generate",
        "rolegraph.yaml",
        "--out",
        "out",
        "--templates",
        "templates",
    ];
    support::mkfifo(&templates.join("terraform-README.md"));
    let m = run_measured(&with_templates, &model);
    assert_rejected(&m, &["terraform-README.md", "it is a FIFO", "10 MiB"]);
    std::fs::remove_file(templates.join("terraform-README.md")).unwrap();
    oversized(&templates.join("terraform-README.md"), 10);
    let m = run_measured(&with_templates, &model);
    assert_rejected(&m, &["over the limit of 10 MiB"]);

    let m = run_measured(&["generate", "rolegraph.yaml", "--out", "out"], &model);
    assert_eq!(m.code, Some(0), "{}", m.stderr);
    let manifest = model.join("out/.rolegraph-manifest");
    std::fs::remove_file(&manifest).unwrap();
    oversized(&manifest, 256);
    for command in [
        &["generate", "--out", "out"][..],
        &["check", "--out", "out"],
    ] {
        let m = run_measured(&with_model(command, "rolegraph.yaml"), &model);
        assert_rejected(&m, &["over the limit of 256 MiB"]);
    }
}

#[test]
fn policy_files_outside_the_models_folder_need_the_flag() {
    let (dir, model) = seed_copy();
    let secret = dir.path().join("secret.json");
    std::fs::write(&secret, "{\"aws_secret_access_key\": \"SECRETVALUE\"}").unwrap();
    symlink(&secret, model.join("policies/link.json")).unwrap();
    let yaml = std::fs::read_to_string(model.join("rolegraph.yaml")).unwrap();
    let secret_path = secret.display().to_string();
    for reference in ["../secret.json", secret_path.as_str(), "policies/link.json"] {
        let edited = yaml.replace("policies/batch.json", reference);
        std::fs::write(model.join("rolegraph.yaml"), edited).unwrap();
        for command in COMMANDS {
            let m = run_measured(&with_model(command, "rolegraph.yaml"), &model);
            assert_rejected(
                &m,
                &[
                    "rolegraph.yaml:54:22: error: cannot read policy file",
                    "it is outside the folder that holds the model",
                    "--allow-outside-files",
                ],
            );
            assert!(!m.stderr.contains("SECRETVALUE"), "{}", m.stderr);
            assert!(!m.stderr.contains("aws_secret_access_key"), "{}", m.stderr);
        }
        // With the flag the file is read: it is no policy, and says so.
        let m = run_measured(
            &["validate", "rolegraph.yaml", "--allow-outside-files"],
            &model,
        );
        assert_eq!(m.code, Some(2));
        assert!(m.stderr.contains("unknown key"), "{}", m.stderr);
    }
    std::fs::write(
        &secret,
        std::fs::read(repo().join("examples/seqera/policies/batch.json")).unwrap(),
    )
    .unwrap();
    for command in COMMANDS {
        let mut args = with_model(command, "rolegraph.yaml");
        args.push("--allow-outside-files");
        let m = run_measured(&args, &model);
        assert!(
            matches!(m.code, Some(0) | Some(1)),
            "{args:?}: {}",
            m.stderr
        );
    }
}

fn validate_with_policy(policy: &str) -> Measured {
    let (_dir, model) = seed_copy();
    std::fs::write(model.join("policies/batch.json"), policy).unwrap();
    run_measured(&["validate", "rolegraph.yaml"], &model)
}

#[test]
fn duplicate_keys_in_a_policy_file_are_an_error_at_their_line() {
    let m = validate_with_policy(
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \"Effect\": \"Allow\",\n    \"Action\": \"*\", \"Action\": \"s3:GetObject\",\n    \"Resource\": \"*\"\n  }]\n}\n",
    );
    assert_rejected(&m, &["policies/batch.json:5:", "duplicate key `Action`"]);
    let m = validate_with_policy(
        "{\"Version\": \"2012-10-17\", \"Version\": \"2012-10-17\", \"Statement\": []}",
    );
    assert_rejected(&m, &["policies/batch.json:1:", "duplicate key `Version`"]);
}

#[test]
fn unknown_condition_operators_are_errors_in_files_and_in_the_model() {
    let m = validate_with_policy(
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\",\n \"Condition\": {\"Bogus\": {\"aws:SourceVpc\": \"vpc-1\"}}}]}",
    );
    assert_rejected(
        &m,
        &[
            "policies/batch.json:2:",
            "`Bogus` is not an IAM condition operator",
        ],
    );
    let m = validate_with_policy(
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\", \"Condition\": {\"ForAnyValue:StringLikeIfExists\": {\"aws:TagKeys\": \"a*\"}}}]}",
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);

    let dir = tempfile::tempdir().unwrap();
    let model = "version: 1\nname: ops\naccounts:\n  a: { id: \"111111111111\" }\nroles:\n  r:\n    account: a\n    name: R\n    trusted_by:\n      - service: ec2.amazonaws.com\n        conditions:\n          StringEqualz: { \"aws:SourceAccount\": \"111111111111\" }\n";
    std::fs::write(dir.path().join("rolegraph.yaml"), model).unwrap();
    let m = run_measured(&["validate", "rolegraph.yaml"], dir.path());
    assert_rejected(
        &m,
        &[
            "rolegraph.yaml:12:11: error: `StringEqualz` is not an IAM condition operator",
            "did you mean `StringEquals`?",
        ],
    );
}

#[test]
fn validate_gives_the_backends_verdict_on_name_collisions() {
    let cases = [
        (
            "roles prod-a and prod_a",
            "  a: { id: \"111111111111\" }\n",
            "prod-a",
            "prod_a",
            "a",
            "a",
        ),
        (
            "accounts Prod and prod",
            "  prod: { id: \"111111111111\" }\n  Prod: { id: \"222222222222\" }\n",
            "r1",
            "r2",
            "prod",
            "Prod",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (what, accounts, role_a, role_b, account_a, account_b) in cases {
        let model = format!(
            "version: 1\nname: collide\naccounts:\n{accounts}roles:\n  {role_a}:\n    account: {account_a}\n    name: One\n    trusted_by:\n      - service: ec2.amazonaws.com\n  {role_b}:\n    account: {account_b}\n    name: Two\n    trusted_by:\n      - service: ec2.amazonaws.com\n"
        );
        std::fs::write(dir.path().join("rolegraph.yaml"), model).unwrap();
        let generate = run_measured(&["generate", "rolegraph.yaml", "--out", "out"], dir.path());
        assert_eq!(generate.code, Some(2), "{what}: {}", generate.stderr);
        for command in ["validate", "plan", "lint", "graph"] {
            let m = run_measured(&[command, "rolegraph.yaml"], dir.path());
            assert_eq!(m.code, Some(2), "{what}, {command}: {}", m.stderr);
            assert_eq!(
                m.stderr, generate.stderr,
                "{what}: {command} and generate disagree"
            );
        }
    }
    // The CloudFormation IDs collide too: roles `a-b` and `a_b` are both `ABRole`.
    let model = "version: 1\nname: collide\naccounts:\n  a: { id: \"111111111111\" }\nroles:\n  ext-id:\n    account: a\n    name: One\n    trusted_by:\n      - service: ec2.amazonaws.com\n  extId:\n    account: a\n    name: Two\n    trusted_by:\n      - service: ec2.amazonaws.com\n";
    std::fs::write(dir.path().join("rolegraph.yaml"), model).unwrap();
    let m = run_measured(&["validate", "rolegraph.yaml"], dir.path());
    assert_rejected(&m, &["CloudFormation"]);
}
