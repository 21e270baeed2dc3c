//! The golden expectations, checked by the real tools as users will run them:
//! `terraform init` (offline, from the provider mirror) + `validate` + `fmt -check`, and
//! `cfn-lint`. A missing tool skips with a printed reason, and fails under `CI=true`.

use crate::support;

use std::path::PathBuf;
use std::process::Command;

use support::terraform::{available, cli_config, copy_dir, provider_mirror, terraform};
use support::{golden_cases, repo, require_tool, text};

#[test]
fn terraform_validates_and_formats_every_golden_case() {
    if !require_tool("terraform", available("terraform", "version")) {
        return;
    }
    let Some(mirror) =
        provider_mirror().filter(|m| m.join("registry.terraform.io/hashicorp/aws").is_dir())
    else {
        require_tool("the hashicorp/aws provider mirror", false);
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let config = cli_config(work.path(), &mirror);
    let mut failures = Vec::new();
    // Every root module, with the folder it came from; `fmt` runs per folder.
    let mut roots: Vec<(String, PathBuf)> = Vec::new();
    for case in golden_cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        for folder in ["terraform", "terraform-module", "terraform-per-account"] {
            if !case.join(folder).is_dir() {
                continue;
            }
            let copy = work.path().join(&name).join(folder);
            copy_dir(&case.join(folder), &copy);
            let fmt = terraform(
                &["fmt", "-check", "-diff", "-recursive", "."],
                &copy,
                &config,
            );
            if let Err(err) = fmt {
                failures.push(format!("{name}/{folder}: {err}"));
            }
            let found = terraform_roots(&copy);
            if found.is_empty() {
                failures.push(format!("{name}/{folder}: no root module found"));
            }
            // The root layout of every case but seed-core is applied by
            // cloud_equivalence.rs (the seed's by seqera_readme.rs), and `apply` validates
            // first; under CI, where those run, the rest need `validate` here.
            let applied = folder == "terraform" && name != "seed-core";
            if applied && std::env::var("CI").is_ok_and(|v| v == "true") {
                continue;
            }
            roots.extend(found.into_iter().map(|r| (format!("{name}/{folder}"), r)));
        }
    }
    let validate = |root: &std::path::Path| {
        let steps = [
            vec!["init", "-backend=false", "-input=false", "-no-color"],
            vec!["validate", "-no-color"],
        ];
        steps
            .iter()
            .find_map(|args| terraform(args, root, &config).err())
    };
    // The first `init` fills the plugin cache alone (parallel fills race, see
    // `cli_config`); the rest run two at a time, as the machine has cores.
    if let Some((label, first)) = roots.first()
        && let Some(err) = validate(first)
    {
        failures.push(format!("{label}: {err}"));
    }
    let next = std::sync::atomic::AtomicUsize::new(1);
    let found = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some((label, root)) =
                    roots.get(next.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                {
                    if let Some(err) = validate(root) {
                        found.lock().unwrap().push(format!("{label}: {err}"));
                    }
                }
            });
        }
    });
    failures.extend(found.into_inner().unwrap());
    failures.sort();
    let validated = roots.len();
    assert!(
        failures.is_empty(),
        "{} folder(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("terraform fmt, init and validate passed for {validated} root modules");
}

/// The root modules of a generated Terraform folder: the folder itself for the `root`
/// layout; `example/` for the `module` layout, which validates the module as it is
/// called (run in the module itself, `validate` fails on every aliased provider:
/// hashicorp/terraform#28490); each account's folder for the `per-account` layout.
fn terraform_roots(dir: &std::path::Path) -> Vec<PathBuf> {
    if dir.join("providers.tf").is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut roots: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("providers.tf").is_file())
        .collect();
    roots.sort();
    roots
}

#[test]
fn cfn_lint_passes_every_golden_case() {
    if !require_tool("cfn-lint", available("cfn-lint", "--version")) {
        return;
    }
    // Both layouts: `cloudformation/` and, where a case has it, `cloudformation-stackset/`
    // with its `stacksets/` folder.
    let templates: Vec<PathBuf> = golden_cases()
        .iter()
        .flat_map(|case| {
            [
                "cloudformation",
                "cloudformation-stackset",
                "cloudformation-stackset/stacksets",
            ]
            .map(|folder| case.join(folder))
        })
        .filter(|dir| dir.is_dir())
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    assert!(
        templates
            .iter()
            .any(|t| t.to_string_lossy().contains("/stacksets/")),
        "the StackSet templates are linted too"
    );
    assert!(
        templates.len() >= golden_cases().len(),
        "every case has at least one template"
    );
    let out = Command::new("cfn-lint")
        .args(&templates)
        .current_dir(repo())
        .output()
        .expect("run cfn-lint");
    assert!(
        out.status.success(),
        "cfn-lint found problems:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    println!("cfn-lint passed for {} templates", templates.len());
}

/// Strings that YAML 1.1 readers turn into other types or mangle unless quoted or
/// escaped: booleans, nulls, numbers in every base, sexagesimals, dates, indicators.
const TRICKY: &[&str] = &[
    "",
    " ",
    "a  b",
    "trailing ",
    " leading",
    "multi\nline",
    "multi\n\nblank",
    "tab\tin",
    "#comment",
    "a #b",
    "- dash",
    "key: value",
    "'quoted'",
    "\"dq\"",
    "@at",
    "`bt",
    "%pc",
    "!bang",
    "&amp",
    "*star",
    "|pipe",
    ">gt",
    "?q",
    "[x]",
    "{x}",
    "0x1F",
    "1e3",
    ".inf",
    "NaN",
    "~",
    "Null",
    "null",
    "TRUE",
    "yes",
    "on",
    "Off",
    "y",
    "n",
    "0o17",
    "+1",
    "-1",
    "1_000",
    "12:30",
    "12:30:00",
    "2012-10-17",
    "2012-10-17T10:00:00Z",
    "2012-10-17 10:00",
    "0123",
    "0777",
    "1.0",
    ".5",
    "0b101",
    "1,000",
    "=",
    "<<",
    "ends with colon:",
    "välue",
    "\\backslash",
    "crlf\r\nx",
    "${interpolation} %{directive}",
];

/// cfn-lint and the AWS CLI read templates with PyYAML; every string must come back as
/// the same string.
#[test]
fn pyyaml_reads_every_string_back_unchanged() {
    let has_pyyaml = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !require_tool("python3 with PyYAML", has_pyyaml) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let long = "x ".repeat(200);
    let values: Vec<&str> = TRICKY.iter().copied().chain([long.as_str()]).collect();
    let mut model =
        String::from("version: 1\nname: t\naccounts:\n  a:\n    id: \"111111111111\"\nroles:\n");
    for (i, v) in values.iter().enumerate() {
        let quoted = serde_json::to_string(v).unwrap();
        model.push_str(&format!(
            "  r{i}:\n    account: a\n    name: R{i}\n    description: {quoted}\n    trusted_by:\n      - service: ec2.amazonaws.com\n"
        ));
    }
    std::fs::write(dir.path().join("rolegraph.yaml"), model).unwrap();
    let out = support::run(&["generate", "--out", "out"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let script = r#"
import json, sys, yaml
class Loader(yaml.SafeLoader):
    pass
Loader.add_multi_constructor("!", lambda loader, tag, node: {tag: loader.construct_scalar(node)})
template = yaml.load(open(sys.argv[1]), Loader=Loader)
print(json.dumps({k: v["Properties"].get("Description") for k, v in template["Resources"].items()}))
"#;
    let read = Command::new("python3")
        .args(["-c", script, "out/cloudformation/a.yaml"])
        .current_dir(dir.path())
        .output()
        .expect("run python3");
    assert!(read.status.success(), "{}", text(&read.stderr));
    let descriptions: std::collections::BTreeMap<String, Option<String>> =
        serde_json::from_slice(&read.stdout).unwrap();
    let mut mismatches = Vec::new();
    for (i, v) in values.iter().enumerate() {
        let got = descriptions.get(&format!("R{i}Role")).cloned().flatten();
        if got.as_deref() != Some(*v) {
            mismatches.push(format!("{v:?} came back as {got:?}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "PyYAML read back:\n{}",
        mismatches.join("\n")
    );
}

/// Every `credentials.sh` of every layout (the golden files are the generated ones).
fn credential_scripts() -> Vec<PathBuf> {
    let scripts: Vec<PathBuf> = golden_cases()
        .iter()
        .flat_map(|case| std::fs::read_dir(case).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy();
            name == "seqera" || name.starts_with("seqera-")
        })
        .map(|dir| dir.join("credentials.sh"))
        .filter(|p| p.is_file())
        .collect();
    assert!(
        scripts.len() >= 8,
        "the golden cases hold {} credential scripts",
        scripts.len()
    );
    scripts
}

/// `credentials.sh` must parse: `bash -n` reads it without running a command.
#[test]
fn every_generated_credentials_script_parses() {
    for script in credential_scripts() {
        let out = Command::new("bash")
            .arg("-n")
            .arg(&script)
            .output()
            .expect("run bash");
        assert!(
            out.status.success(),
            "{}: {}",
            script.display(),
            text(&out.stderr)
        );
    }
}

/// And pass ShellCheck with every check on (quoting, unused variables, bash 3.2 traps).
#[test]
fn every_generated_credentials_script_passes_shellcheck() {
    let found = Command::new("shellcheck").arg("--version").output();
    if !require_tool("shellcheck", found.is_ok_and(|o| o.status.success())) {
        return;
    }
    let scripts = credential_scripts();
    let out = Command::new("shellcheck")
        .args(["--shell=bash", "--severity=style"])
        .args(&scripts)
        .output()
        .expect("run shellcheck");
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
