//! Every case in `golden/` is regenerated and compared byte for byte with the reviewed
//! expectation beside it, including the set of files. All mismatching cases are reported.
//! A case with a `terraform-<layout>/` folder is also generated with
//! `--terraform-layout <layout>` and compared with that folder.
//! `SNAPSHOTS=overwrite cargo test --test golden` rewrites the expectations; review the
//! diff before committing it.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{golden_cases, read_tree, run, text};

const OUTPUT_FOLDERS: [&str; 3] = ["terraform", "cloudformation", "seqera"];

/// The non-default Terraform layouts, each with the folder that holds its expectation.
const LAYOUTS: [(&str, &str); 2] = [
    ("module", "terraform-module"),
    ("per-account", "terraform-per-account"),
];

/// The non-default CloudFormation layout and its folder.
const CLOUDFORMATION_LAYOUT: (&str, &str) = ("stackset", "cloudformation-stackset");

/// One generation of a case to compare: the extra arguments, the case's folders that
/// hold the expectation, and the output folder each of them stands for.
struct Variant {
    label: String,
    args: Vec<&'static str>,
    folders: Vec<(&'static str, &'static str)>,
}

fn variants(case: &Path) -> Vec<Variant> {
    let mut variants = vec![Variant {
        label: "default".to_owned(),
        args: Vec::new(),
        folders: OUTPUT_FOLDERS.iter().map(|f| (*f, *f)).collect(),
    }];
    for (layout, folder) in LAYOUTS {
        if case.join(folder).is_dir() {
            variants.push(Variant {
                label: format!("--terraform-layout {layout}"),
                args: vec!["--only", "terraform", "--terraform-layout", layout],
                folders: vec![(folder, "terraform")],
            });
        }
    }
    let (layout, folder) = CLOUDFORMATION_LAYOUT;
    if case.join(folder).is_dir() {
        variants.push(Variant {
            label: format!("--cloudformation-layout {layout}"),
            args: vec![
                "--only",
                "cloudformation",
                "--cloudformation-layout",
                layout,
            ],
            folders: vec![(folder, "cloudformation")],
        });
    }
    variants
}

fn expected_tree(case: &Path, variant: &Variant) -> BTreeMap<String, Vec<u8>> {
    let mut tree = BTreeMap::new();
    for (folder, stands_for) in &variant.folders {
        for (path, bytes) in read_tree(&case.join(folder)) {
            tree.insert(format!("{stands_for}/{path}"), bytes);
        }
    }
    tree
}

fn generate(case: &Path, out: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    generate_variant(case, out, &[])
}

fn generate_variant(
    case: &Path,
    out: &Path,
    extra: &[&str],
) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut args = vec!["generate", "rolegraph.yaml", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let result = run(&args, case);
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

fn overwrite(case: &Path, variant: &Variant, actual: &BTreeMap<String, Vec<u8>>) {
    for (folder, _) in &variant.folders {
        let _ = std::fs::remove_dir_all(case.join(folder));
    }
    for (path, bytes) in actual {
        let (top, rest) = path.split_once('/').unwrap();
        let (folder, _) = variant.folders.iter().find(|(_, s)| *s == top).unwrap();
        let target = case.join(folder).join(rest);
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
    let mut compared = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        for variant in variants(case) {
            compared += 1;
            let out = tempfile::tempdir().unwrap();
            let actual = match generate_variant(case, out.path(), &variant.args) {
                Ok(tree) => tree,
                Err(e) => {
                    failures.push(format!("{name} ({}): {e}", variant.label));
                    continue;
                }
            };
            if rewrite {
                overwrite(case, &variant, &actual);
                continue;
            }
            let problems = compare(&expected_tree(case, &variant), &actual);
            if !problems.is_empty() {
                let problems = problems.join("\n  ");
                failures.push(format!("{name} ({}):\n  {problems}", variant.label));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} golden comparison(s) differ (review, then SNAPSHOTS=overwrite to accept):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_terraform_layout_has_golden_cases() {
    for (layout, folder) in LAYOUTS {
        let cases: Vec<String> = golden_cases()
            .iter()
            .filter(|c| c.join(folder).is_dir())
            .map(|c| c.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            cases.len() >= 4 && cases.iter().any(|c| c == "seed"),
            "layout {layout} has golden cases {cases:?}; expected the seed and at least 3 more"
        );
    }
}

#[test]
fn the_stackset_layout_has_golden_cases() {
    let (_, folder) = CLOUDFORMATION_LAYOUT;
    let stacksets = support::repo().join("golden/stackset").join(folder);
    assert!(
        stacksets.join("stacksets").is_dir()
            && support::repo().join("golden/seed").join(folder).is_dir(),
        "golden/stackset and golden/seed hold {folder}/, and the first has StackSets"
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
