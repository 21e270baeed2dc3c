//! How errors look: `golden/diagnostics/` holds models with faults of every kind and the
//! reviewed report for each, as text (with and without colour) and as `validate --format
//! json`. `SNAPSHOTS=overwrite cargo test diagnostics::` rewrites them; review the diff.

use std::path::Path;

use crate::support::{compare_snapshot, repo, run, text};

/// Runs `validate` on `model` in the diagnostics folder with `extra` flags and compares
/// what it printed (stdout, then stderr) with `expected`.
fn compare(model: &str, extra: &[&str], expected: &str) {
    let dir = repo().join("golden/diagnostics");
    let mut args = vec!["validate", model];
    args.extend_from_slice(extra);
    let out = run(&args, &dir);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
    let what = format!("`rolegraph {}`", args.join(" "));
    compare_snapshot(&report, &dir.join(expected), &what);
}

#[test]
fn text_without_colour() {
    compare("model.yaml", &["--color", "never"], "model.txt");
}

#[test]
fn text_with_colour() {
    compare("model.yaml", &["--color", "always"], "model.color.txt");
}

#[test]
fn json() {
    compare("model.yaml", &["--format", "json"], "model.json");
}

#[test]
fn a_yaml_tag_is_marked_where_it_is_written() {
    compare("tag.yaml", &["--color", "never"], "tag.txt");
}

/// The first line of each error stays `file:line:column: error: message`, which editors'
/// and CI's problem matchers read; the snippet and hint come after it.
#[test]
fn the_first_line_is_unchanged_by_the_snippet() {
    let out = run(
        &["validate", "model.yaml"],
        &repo().join("golden/diagnostics"),
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "\nmodel.yaml:16:14: error: role `spoke` refers to unknown account `mian`\n   |\n16 |     account: mian\n   |              ^^^^\n"
        ),
        "{stderr}"
    );
}

/// The JSON form is one object a tool can rely on: every error with its position, and the
/// counts when the model is valid.
#[test]
fn json_lists_every_error_and_the_summary_of_a_valid_model() {
    let dir = repo().join("golden/diagnostics");
    let text_errors = text(&run(&["validate", "model.yaml"], &dir).stderr)
        .lines()
        .filter(|l| l.contains(": error: "))
        .count();
    let out = run(&["validate", "model.yaml", "--format", "json"], &dir);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    let entries = json["diagnostics"].as_array().unwrap();
    assert_eq!(entries.len(), text_errors);
    for entry in entries {
        for key in ["file", "line", "column", "message", "hint"] {
            assert!(!entry[key].is_null(), "{key} missing in {entry}");
        }
    }
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));

    let seed = repo().join("examples/seqera/rolegraph.yaml");
    let seed = seed.to_str().unwrap();
    let out = run(&["validate", seed, "--format", "json"], Path::new("."));
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["diagnostics"], serde_json::json!([]));
    assert_eq!(
        json["summary"],
        serde_json::json!({"accounts": 3, "roles": 3, "trust_edges": 3})
    );
}
