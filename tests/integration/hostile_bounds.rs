//! What a hostile commit cannot make rolegraph do to the run itself: crash on a closed or
//! full standard error, or run without bound on a model of many errors, an account of a
//! long trust chain, a template that loops, or a model written on one line. Costs are
//! ratios of two sizes measured side by side in one test (the fastest of three runs each,
//! alternated), never absolute times; memory is the kernel's peak for the run.

use crate::safety_inputs::run_measured;
use crate::support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::text;

/// A model with `n` errors: roles that name an unknown key each.
fn model_with_errors(n: usize) -> String {
    let mut model = String::from(
        "version: 1\nname: errors\naccounts:\n  a:\n    id: \"123456789012\"\nroles:\n",
    );
    for i in 0..n {
        model.push_str(&format!(
            "  r{i}:\n    account: a\n    name: R{i}\n    bogus: 1\n    trusted_by:\n      - service: ec2.amazonaws.com\n"
        ));
    }
    model
}

/// One account's authorization details: roles r0 … r{n-1}, each trusted by the one
/// before it, which holds a grant on it.
fn chain_dump(n: usize) -> String {
    let account = "123456789012";
    let roles: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let principal = match i {
                0 => "arn:aws:iam::999999999999:root".to_owned(),
                _ => format!("arn:aws:iam::{account}:role/r{}", i - 1),
            };
            let grant = (i + 1 < n).then(|| {
                serde_json::json!({"PolicyName": "assume", "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Resource": format!("arn:aws:iam::{account}:role/r{}", i + 1)}]}})
            });
            serde_json::json!({
                "Arn": format!("arn:aws:iam::{account}:role/r{i}"),
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": principal}}]},
                "AttachedManagedPolicies": [], "InstanceProfileList": [], "Path": "/",
                "RoleId": format!("AROA{i:016}"), "RoleName": format!("r{i}"),
                "RolePolicyList": grant.into_iter().collect::<Vec<_>>(), "Tags": [],
            })
        })
        .collect();
    serde_json::json!({"RoleDetailList": roles, "Policies": [], "UserDetailList": [],
        "GroupDetailList": [], "IsTruncated": false})
    .to_string()
}

/// The fastest of three runs of each of `small` and `large` (alternated), and their ratio.
fn ratio(dir: &Path, small: &[&str], large: &[&str], expect: Option<i32>) -> f64 {
    let time = |args: &[&str]| {
        let start = Instant::now();
        let out = support::run(args, dir);
        let took = start.elapsed();
        assert_eq!(out.status.code(), expect, "{args:?}: {}", text(&out.stderr));
        took
    };
    let (mut fast_small, mut fast_large) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        fast_small = fast_small.min(time(small));
        fast_large = fast_large.min(time(large));
    }
    fast_large.as_secs_f64() / fast_small.as_secs_f64()
}

#[test]
fn twenty_thousand_errors_cost_at_most_fifteen_times_two_thousand() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.yaml"), model_with_errors(2_000)).unwrap();
    std::fs::write(dir.path().join("large.yaml"), model_with_errors(20_000)).unwrap();
    let out = support::run(&["validate", "large.yaml"], dir.path());
    let stderr = text(&out.stderr);
    assert!(stderr.ends_with("… and 19800 more errors (`rolegraph validate --format json` lists the first 10000)\n20000 errors\n"), "{}", &stderr[stderr.len().saturating_sub(300)..]);
    let ratio = ratio(
        dir.path(),
        &["validate", "small.yaml"],
        &["validate", "large.yaml"],
        Some(2),
    );
    assert!(
        ratio <= 15.0,
        "20,000 errors took {ratio:.1}x the time of 2,000"
    );
}

#[test]
fn a_chain_of_four_thousand_roles_costs_at_most_six_times_one_thousand() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.json"), chain_dump(1_000)).unwrap();
    std::fs::write(dir.path().join("large.json"), chain_dump(4_000)).unwrap();
    let import = |file, folder| vec!["import", file, "--force", "-q", "--dir", folder];
    let lint = |file| vec!["lint", "--live", file];
    for (small, large) in [
        (import("small.json", "s"), import("large.json", "l")),
        (lint("small.json"), lint("large.json")),
    ] {
        let code = support::run(&small, dir.path()).status.code();
        let ratio = ratio(dir.path(), &small, &large, code);
        assert!(
            ratio <= 6.0,
            "{}: 4,000 roles took {ratio:.1}x the time of 1,000",
            small[0]
        );
    }
    let imported = std::fs::read_to_string(dir.path().join("l/rolegraph.yaml")).unwrap();
    assert!(
        imported.contains("role: r3998"),
        "the chain's edges were not recovered"
    );
}

#[test]
fn a_template_that_loops_is_stopped_with_little_memory() {
    let scene = crate::hostile::Scene::new();
    let model = &scene.repo;
    std::fs::create_dir_all(model.join("templates")).unwrap();
    let bomb = "<!-- Generated by rolegraph from {{ source }} -->\n{% for i in range(end=100000) %}{% for j in range(end=100000) %}all work and no play {% endfor %}{% endfor %}\n";
    std::fs::write(model.join("templates/terraform-README.md"), bomb).unwrap();
    for command in ["generate", "check"] {
        let args = crate::hostile::with_templates(command);
        let m = run_measured(&args, model);
        assert_eq!(m.code, Some(2), "{}", m.stderr);
        assert!(
            m.stderr
                .contains("template `terraform-README.md` was stopped: its output passed 10 MiB"),
            "{}",
            m.stderr
        );
        assert!(m.peak_kib < 512 * 1024, "peak {} KiB", m.peak_kib);
    }
    assert!(!model.join("out").exists());
}

#[test]
fn a_sixty_mib_model_on_one_line_peaks_under_512_mib() {
    let dir = tempfile::tempdir().unwrap();
    let description = "A".repeat(60 << 20);
    let one_line = format!(
        "{{version: 1, name: x, accounts: {{a: {{id: \"123456789012\"}}}}, roles: {{r: {{account: a, name: R, description: \"{description}\", trusted_by: [{{service: ec2.amazonaws.com}}]}}}}}}\n"
    );
    std::fs::write(dir.path().join("long.yaml"), one_line).unwrap();
    let values = format!(
        "{{version: 1, name: x, roles: [{}]}}\n",
        vec!["x"; 30 << 20].join(",")
    );
    std::fs::write(dir.path().join("many.yaml"), values).unwrap();
    for (model, needle) in [
        ("long.yaml", "at most 1000 characters"),
        ("many.yaml", "the model holds more than 2000000 values"),
    ] {
        let m = run_measured(&["validate", model], dir.path());
        assert_eq!(m.code, Some(2), "{}", m.stderr);
        assert!(
            m.stderr.contains(needle),
            "{}",
            &m.stderr[..m.stderr.len().min(2000)]
        );
        assert!(
            m.stderr.len() < 10_000,
            "the report of {model} is {} bytes",
            m.stderr.len()
        );
        assert!(m.peak_kib < 512 * 1024, "{model}: peak {} KiB", m.peak_kib);
    }
}

/// Every command, run so that it writes to standard error.
fn failing_commands(dir: &Path) -> Vec<Vec<String>> {
    std::fs::write(dir.join("bad.yaml"), "version: 1\nname: x\nbogus: 1\n").unwrap();
    std::fs::write(dir.join("bad.json"), "{}").unwrap();
    std::fs::write(dir.join("rolegraph.yaml"), "x").unwrap();
    let lines: &[&[&str]] = &[
        &["validate", "bad.yaml"],
        &["lint", "bad.yaml"],
        &["lint", "--live", "bad.json"],
        &["plan", "bad.yaml"],
        &["graph", "bad.yaml"],
        &["explain", "bad.yaml", "r"],
        &["check", "bad.yaml", "--out", "out"],
        &["generate", "bad.yaml", "--out", "out"],
        &["drift", "bad.yaml", "--live", "bad.json"],
        &["import", "bad.json", "--dir", "imported"],
        &["init"],
        &["man", "nonsense"],
        &["nonsense"],
    ];
    lines
        .iter()
        .map(|line| line.iter().map(|s| (*s).to_owned()).collect())
        .collect()
}

#[test]
fn a_closed_or_full_standard_error_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[String], stderr: Stdio| {
        Command::new(env!("CARGO_BIN_EXE_rolegraph"))
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stderr(stderr)
            .output()
            .unwrap()
    };
    for args in failing_commands(dir.path()) {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = run(&args, full.into());
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} 2>/dev/full: {}",
            text(&out.stdout)
        );
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = run(&args, writer.into());
        assert_eq!(
            out.status.code(),
            Some(141),
            "{args:?} 2>closed pipe: {}",
            text(&out.stdout)
        );
        assert!(!text(&out.stdout).contains("panicked"), "{args:?}");
    }
}
