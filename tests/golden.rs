//! Every case in `golden/` is regenerated and compared byte for byte with the reviewed
//! expectation beside it, including the set of files. All mismatching cases are reported.
//! `SNAPSHOTS=overwrite cargo test --test golden` rewrites the expectations; review the
//! diff before committing it.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{golden_cases, read_tree, run, text};

const OUTPUT_FOLDERS: [&str; 3] = ["terraform", "cloudformation", "seqera"];

fn expected_tree(case: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut tree = BTreeMap::new();
    for folder in OUTPUT_FOLDERS {
        for (path, bytes) in read_tree(&case.join(folder)) {
            tree.insert(format!("{folder}/{path}"), bytes);
        }
    }
    tree
}

fn generate(case: &Path, out: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let result = run(
        &["generate", "rolegraph.yaml", "--out", out.to_str().unwrap()],
        case,
    );
    if !result.status.success() {
        return Err(format!("generate failed: {}", text(&result.stderr)));
    }
    // The manifest is the folder's bookkeeping, not a backend's output; tests/cli_check.rs
    // covers it.
    let mut tree = read_tree(out);
    tree.remove(".rolegraph-manifest");
    Ok(tree)
}

fn compare(
    expected: &BTreeMap<String, Vec<u8>>,
    actual: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for path in expected.keys().filter(|p| !actual.contains_key(*p)) {
        problems.push(format!("{path}: expected but not generated"));
    }
    for (path, bytes) in actual {
        match expected.get(path) {
            None => problems.push(format!("{path}: generated but not expected")),
            Some(want) if want != bytes => {
                let line = first_difference(want, bytes);
                problems.push(format!("{path}: differs from line {line}"));
            }
            Some(_) => {}
        }
    }
    problems
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    a.lines().zip(b.lines()).take_while(|(x, y)| x == y).count() + 1
}

fn overwrite(case: &Path, actual: &BTreeMap<String, Vec<u8>>) {
    for folder in OUTPUT_FOLDERS {
        let _ = std::fs::remove_dir_all(case.join(folder));
    }
    for (path, bytes) in actual {
        let target = case.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn golden_cases_match_byte_for_byte() {
    let cases = golden_cases();
    assert!(
        cases.len() >= 8,
        "expected at least 8 golden cases, found {}",
        cases.len()
    );
    let rewrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let out = tempfile::tempdir().unwrap();
        let actual = match generate(case, out.path()) {
            Ok(tree) => tree,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if rewrite {
            overwrite(case, &actual);
            continue;
        }
        let problems = compare(&expected_tree(case), &actual);
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} golden case(s) differ (review, then SNAPSHOTS=overwrite to accept):\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_same_input_gives_byte_identical_output_twice() {
    for case in golden_cases() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let first = generate(&case, a.path()).unwrap();
        let second = generate(&case, b.path()).unwrap();
        assert!(!first.is_empty());
        assert_eq!(first, second, "{} differs between two runs", case.display());
    }
}

#[test]
fn the_comparison_notices_a_changed_byte_and_a_missing_file() {
    let case = &golden_cases()[0];
    let out = tempfile::tempdir().unwrap();
    let actual = generate(case, out.path()).unwrap();
    let mut changed = actual.clone();
    let first = changed.keys().next().unwrap().clone();
    changed.get_mut(&first).unwrap().push(b' ');
    assert_eq!(compare(&actual, &changed).len(), 1);
    let mut missing = actual.clone();
    missing.remove(&first);
    assert_eq!(
        compare(&actual, &missing),
        vec![format!("{first}: expected but not generated")]
    );
}

#[test]
fn the_seqera_example_is_the_seed_case() {
    let example = support::repo().join("examples/seqera");
    let seed = support::repo().join("golden/seed");
    for file in ["rolegraph.yaml", "policies/batch.json"] {
        let a = std::fs::read(example.join(file)).unwrap();
        let b = std::fs::read(seed.join(file)).unwrap();
        assert!(
            a == b,
            "examples/seqera/{file} and golden/seed/{file} differ"
        );
    }
}
