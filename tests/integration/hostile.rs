//! What an attacker who can commit to the repository gets: nothing. Each test plants what
//! a commit can plant (a link, a forged manifest, a template) in a repository beside a
//! victim folder, runs rolegraph as a CI job would, and checks that no byte of the secret
//! is printed, the victim folder is unchanged, and the run ends with exit 2 and a message
//! that names the input and the rule. The secrets are files beside the repository and an
//! environment variable of the test's own, never the machine's.

use crate::safety_inputs::{COMMANDS as MODEL_COMMANDS, with_model};
use crate::support;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::{read_tree, repo, text};

/// The secret: in the victim file and in the environment of every run.
const SECRET: &str = "HOSTILE-SECRET-7f3a9c";
const SECRET_VAR: &str = "ROLEGRAPH_TEST_HOSTILE_SECRET";

/// A repository (a copy of the seed example) and, beside it, a victim folder with a
/// credentials file and a Terraform file of the user's own.
pub(crate) struct Scene {
    _dir: tempfile::TempDir,
    pub repo: PathBuf,
    victim: PathBuf,
}

impl Scene {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let victim = dir.path().join("victim");
        std::fs::create_dir_all(repo.join("policies")).unwrap();
        std::fs::create_dir_all(&victim).unwrap();
        let seed = support::repo().join("examples/seqera");
        for file in ["rolegraph.yaml", "policies/batch.json"] {
            std::fs::copy(seed.join(file), repo.join(file)).unwrap();
        }
        let credentials = format!("[default]\naws_secret_access_key = {SECRET}\n");
        std::fs::write(victim.join("credentials"), credentials).unwrap();
        Scene {
            _dir: dir,
            repo,
            victim,
        }
    }

    fn secret_file(&self) -> PathBuf {
        self.victim.join("credentials")
    }

    fn run(&self, args: &[&str]) -> Output {
        support::bin()
            .args(args)
            .current_dir(&self.repo)
            .env(SECRET_VAR, SECRET)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run rolegraph")
    }

    fn link(&self, at: &str, target: &Path) {
        let at = self.repo.join(at);
        let _ = std::fs::remove_file(&at);
        symlink(target, at).unwrap();
    }
}

/// Exit 2, each of `needles` on stderr, and no byte of the secret anywhere.
fn assert_refused(out: &Output, args: &[&str], needles: &[&str]) {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: no {needle:?} in:\n{stderr}"
        );
    }
    assert_no_secret(out, args);
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    let _ = stdout;
}

fn assert_no_secret(out: &Output, args: &[&str]) {
    for stream in [&out.stdout, &out.stderr] {
        let shown = text(stream);
        assert!(
            !shown.contains(SECRET),
            "{args:?} printed the secret:\n{shown}"
        );
        assert!(
            !shown.contains("aws_secret_access_key"),
            "{args:?}:\n{shown}"
        );
    }
}

#[test]
fn a_model_that_links_out_of_its_folder_shows_nothing_of_its_target() {
    let scene = Scene::new();
    for target in [scene.secret_file(), PathBuf::from("/proc/self/environ")] {
        scene.link("linked.yaml", &target);
        for command in MODEL_COMMANDS {
            let args = with_model(command, "linked.yaml");
            let out = scene.run(&args);
            assert_refused(
                &out,
                &args,
                &["linked.yaml", "outside the folder", "--allow-outside-files"],
            );
        }
    }
    assert!(
        !scene.repo.join("out").exists(),
        "a refused model wrote output"
    );
}

#[test]
fn a_kernel_file_is_never_read_even_when_named_or_allowed() {
    let scene = Scene::new();
    for args in [
        &["validate", "/proc/self/environ"][..],
        &["validate", "/proc/self/environ", "--allow-outside-files"],
        &[
            "lint",
            "--live",
            "/proc/self/environ",
            "--allow-outside-files",
        ],
        &[
            "import",
            "/proc/self/environ",
            "--dir",
            "imported",
            "--allow-outside-files",
        ],
    ] {
        let out = scene.run(args);
        assert_refused(&out, args, &["procfs, a kernel file system"]);
    }
}

#[test]
fn dumps_that_link_out_of_their_folder_are_refused_unread() {
    let scene = Scene::new();
    scene.link("dump.json", &scene.secret_file());
    let cases: &[&[&str]] = &[
        &["lint", "--live", "dump.json"],
        &[
            "drift",
            "rolegraph.yaml",
            "--live",
            "dump.json",
            "--var",
            "production_external_id=ext-production-7f3a",
            "--var",
            "development_external_id=ext-development-7f3a",
        ],
        &["import", "dump.json", "--dir", "imported"],
        &[
            "generate",
            "rolegraph.yaml",
            "--out",
            "out",
            "--adopt",
            "dump.json",
        ],
    ];
    for args in cases {
        let out = scene.run(args);
        assert_refused(&out, args, &["dump.json", "outside the folder"]);
    }
    assert!(!scene.repo.join("imported").exists() && !scene.repo.join("out").exists());
}

/// `command` (generate or check) of the scene's model into `out`, with `--templates templates`.
pub(crate) fn with_templates(command: &str) -> [&str; 6] {
    [
        command,
        "rolegraph.yaml",
        "--out",
        "out",
        "--templates",
        "templates",
    ]
}

#[test]
fn a_template_that_links_out_is_neither_copied_nor_shown() {
    let scene = Scene::new();
    std::fs::create_dir(scene.repo.join("templates")).unwrap();
    scene.link("templates/terraform-README.md", &scene.secret_file());
    for command in ["generate", "check"] {
        let args = with_templates(command);
        let out = scene.run(&args);
        assert_refused(&out, &args, &["terraform-README.md", "outside the folder"]);
    }
    assert!(!scene.repo.join("out").exists());
}

#[test]
fn a_forged_manifest_entry_deletes_no_file_of_the_users() {
    let scene = Scene::new();
    assert!(
        scene
            .run(&["generate", "rolegraph.yaml", "--out", "out"])
            .status
            .success()
    );
    let backend = scene.repo.join("out/terraform/backend.tf");
    let users = "terraform {\n  backend \"s3\" {}\n}\n";
    std::fs::write(&backend, users).unwrap();
    // The attacker commits a manifest that claims the user's file with its true hash.
    let manifest_path = scene.repo.join("out/.rolegraph-manifest");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    let hash = rolegraph::output::manifest::sha256(users.as_bytes());
    manifest["files"]["terraform/backend.tf"] = hash.into();
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let before = read_tree(&scene.repo.join("out"));
    for command in ["generate", "check"] {
        let args = [command, "rolegraph.yaml", "--out", "out"];
        let out = scene.run(&args);
        assert_refused(
            &out,
            &args,
            &["backend.tf", "carries no `Generated by rolegraph` header"],
        );
    }
    assert_eq!(
        read_tree(&scene.repo.join("out")),
        before,
        "the folder changed"
    );
    // The user may still hand it over.
    let out = scene.run(&["generate", "rolegraph.yaml", "--out", "out", "--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!backend.exists());
}

#[test]
fn no_write_passes_through_a_committed_link() {
    let scene = Scene::new();
    scene.link("infra", &scene.victim);
    let before = read_tree(&scene.victim);
    let cases: &[(&[&str], &str)] = &[
        (
            &["generate", "rolegraph.yaml", "--out", "infra/generated"],
            "--out infra/generated lies under infra",
        ),
        (
            &["check", "rolegraph.yaml", "--out", "infra/generated"],
            "--out infra/generated lies under infra",
        ),
        (
            &["init", "--dir", "infra/new"],
            "--dir infra/new lies under infra",
        ),
        (
            &["init", "--dir", "infra"],
            "--dir infra is a symbolic link",
        ),
    ];
    for (args, needle) in cases {
        let out = scene.run(args);
        assert_refused(&out, args, &[needle, "--allow-outside-files"]);
    }
    let dumps = repo().join("tests/fixtures/brownfield");
    let dump = dumps.join("111111111111.authorization.json");
    std::fs::copy(&dump, scene.repo.join("dump.json")).unwrap();
    let args = ["import", "dump.json", "--dir", "infra/imported"];
    assert_refused(
        &scene.run(&args),
        &args,
        &["--dir infra/imported lies under infra"],
    );
    assert_eq!(
        read_tree(&scene.victim),
        before,
        "the victim folder changed"
    );
    // A path the user types whole is the user's own.
    let typed = scene.victim.join("generated");
    let out = scene.run(&[
        "generate",
        "rolegraph.yaml",
        "--out",
        typed.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn init_replaces_a_link_never_its_target() {
    let scene = Scene::new();
    let dir = scene.repo.join("fresh");
    std::fs::create_dir(&dir).unwrap();
    let target = scene.victim.join("planted.json");
    symlink(&target, dir.join("rolegraph.schema.json")).unwrap();
    symlink(scene.victim.join("policies"), dir.join("policies")).unwrap();
    let before = read_tree(&scene.victim);
    let args = ["init", "--dir", "fresh"];
    assert_refused(
        &scene.run(&args),
        &args,
        &["rolegraph.schema.json already exists"],
    );
    let args = ["init", "--dir", "fresh", "--example", "seqera", "--force"];
    assert_refused(
        &scene.run(&args),
        &args,
        &["fresh/policies is not a folder"],
    );
    std::fs::remove_file(dir.join("policies")).unwrap();
    let out = scene.run(&["init", "--dir", "fresh", "--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let schema = std::fs::symlink_metadata(dir.join("rolegraph.schema.json")).unwrap();
    assert!(schema.is_file(), "the link was not replaced by a file");
    assert_eq!(
        read_tree(&scene.victim),
        before,
        "init wrote through the link"
    );
    assert!(!target.exists());
}

#[test]
fn a_dump_that_repeats_a_key_is_refused_at_the_repeat() {
    let scene = Scene::new();
    let dump = std::fs::read_to_string(
        repo().join("tests/fixtures/brownfield/111111111111.authorization.json"),
    )
    .unwrap();
    let at = dump.find("\"Effect\"").unwrap();
    let forged = format!("{}\"Effect\": \"Deny\", {}", &dump[..at], &dump[at..]);
    let line = 1 + forged[..at].matches('\n').count();
    std::fs::write(scene.repo.join("dump.json"), &forged).unwrap();
    for args in [
        &["import", "dump.json", "--dir", "imported"][..],
        &["lint", "--live", "dump.json"],
    ] {
        let out = scene.run(args);
        let position = format!("dump.json:{line}:");
        assert_refused(&out, args, &[&position, "duplicate key `Effect`"]);
    }
    // The same inside a URL-encoded document, as the raw API gives it.
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let encoded: String =
        percent_encoding::utf8_percent_encode(document, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let plain = serde_json::to_string(&serde_json::Value::String(encoded)).unwrap();
    let start = dump.find("\"AssumeRolePolicyDocument\"").unwrap();
    let value_start = start + dump[start..].find('{').unwrap();
    let value_end = value_start + matching_brace(&dump[value_start..]);
    let encoded_dump = format!("{}{}{}", &dump[..value_start], plain, &dump[value_end..]);
    std::fs::write(scene.repo.join("encoded.json"), encoded_dump).unwrap();
    let args = ["import", "encoded.json", "--dir", "imported"];
    assert_refused(&scene.run(&args), &args, &["duplicate key `Effect`"]);
}

/// The length of the JSON object at the start of `text`, braces inside strings skipped.
fn matching_brace(text: &str) -> usize {
    let (mut depth, mut in_string, mut escaped) = (0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    text.len()
}

#[test]
fn a_byte_order_mark_is_accepted_on_every_input() {
    let scene = Scene::new();
    let bom = |path: &Path| {
        let body = std::fs::read(path).unwrap();
        std::fs::write(path, [b"\xef\xbb\xbf".as_slice(), &body].concat()).unwrap();
    };
    bom(&scene.repo.join("rolegraph.yaml"));
    bom(&scene.repo.join("policies/batch.json"));
    let out = scene.run(&["validate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dump = scene.repo.join("dump.json");
    std::fs::copy(
        repo().join("tests/fixtures/brownfield/111111111111.authorization.json"),
        &dump,
    )
    .unwrap();
    bom(&dump);
    let out = scene.run(&["lint", "--live", "dump.json"]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_oversized_template_fails_validate_as_it_fails_generate() {
    let scene = Scene::new();
    let mut model =
        String::from("version: 1\nname: big\naccounts:\n  a:\n    id: \"123456789012\"\nroles:\n");
    for i in 0..150 {
        model.push_str(&format!(
            "  r{i}:\n    account: a\n    name: Role{i}\n    trusted_by:\n      - service: ec2.amazonaws.com\n    policies:\n      p:\n        statements:\n          - actions: [s3:GetObject]\n            resources:\n"
        ));
        for j in 0..80 {
            model.push_str(&format!(
                "              - arn:aws:s3:::bucket-{i}-{j}-{}/*\n",
                "x".repeat(50)
            ));
        }
    }
    std::fs::write(scene.repo.join("big.yaml"), model).unwrap();
    let first_line = |out: &Output| {
        text(&out.stderr)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let generate = scene.run(&["generate", "big.yaml", "--out", "out"]);
    assert_eq!(generate.status.code(), Some(2));
    let expected = "big.yaml:4:3: error: the CloudFormation template a.yaml would be";
    assert!(
        first_line(&generate).starts_with(expected),
        "{}",
        text(&generate.stderr)
    );
    for command in ["validate", "plan", "lint", "graph"] {
        let out = scene.run(&[command, "big.yaml"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert_eq!(first_line(&out), first_line(&generate), "{command}");
    }
}
