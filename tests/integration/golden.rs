//! Every case in `golden/` is regenerated and compared byte for byte with the reviewed
//! expectation beside it, including the set of files: one test per case and variant
//! (`cargo test golden::seed` runs one case, `golden::seed::terraform_module` one layout).
//! The default variant compares `terraform/`, `cloudformation/` and `seqera/`; a case with
//! a `terraform-<layout>/` folder is also generated with `--terraform-layout <layout>` and
//! compared with it, and its `seqera/` with `seqera-terraform-<layout>/` (the Seqera
//! instructions name the layout's folders and addresses); the same for
//! `cloudformation-<layout>/`. Layouts come from the backends' enums.
//! `SNAPSHOTS=overwrite cargo test golden::` rewrites the expectations; review the diff
//! before committing it.

use std::collections::BTreeMap;
use std::path::Path;

use clap::ValueEnum;
use rolegraph::backend::{Backend, cloudformation, flag_value, terraform};

use crate::support::{self, golden_cases, read_tree, run, text};

/// Cases whose expectation is `seqera/` alone: a model whose Terraform and CloudFormation
/// are too large to review as golden files (tests/integration/cfn_split.rs covers those),
/// kept for what the Seqera README says about it.
const SEQERA_ONLY: &[&str] = &["seqera-split"];

/// Cases whose expectation is `lint.txt` alone: `rolegraph lint`'s report of a model kept
/// for its findings (the Seqera example as it was, before it was made clean).
const LINT_ONLY: &[&str] = &["lint-reviewer", "seqera-warnings"];

fn lint_only(case: &Path) -> bool {
    LINT_ONLY.iter().any(|c| case.ends_with(c))
}

/// Compares `rolegraph lint`'s report with `lint.txt`, or rewrites it.
fn check_lint(case: &Path) {
    let result = run(&["lint", "rolegraph.yaml"], case);
    let report = format!("{}{}", text(&result.stdout), text(&result.stderr));
    let what = format!("{}: lint's report", case.display());
    support::compare_snapshot(&report, &case.join("lint.txt"), &what);
}

fn seqera_only(case: &Path) -> bool {
    SEQERA_ONLY.iter().any(|c| case.ends_with(c))
}

/// One generation of a case to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// Every backend in its default layout.
    Default,
    Terraform(terraform::Layout),
    CloudFormation(cloudformation::Layout),
}

impl Variant {
    /// The default, then every other layout of each backend, as the enums list them.
    fn all() -> Vec<Variant> {
        let mut all = vec![Variant::Default];
        all.extend(
            terraform::Layout::value_variants()
                .iter()
                .filter(|l| **l != terraform::Layout::default())
                .map(|l| Variant::Terraform(*l)),
        );
        all.extend(
            cloudformation::Layout::value_variants()
                .iter()
                .filter(|l| **l != cloudformation::Layout::default())
                .map(|l| Variant::CloudFormation(*l)),
        );
        all
    }

    /// `terraform-per-account`: the case's folder that holds this layout's expectation.
    fn folder(self) -> Option<String> {
        match self {
            Variant::Default => None,
            Variant::Terraform(l) => Some(format!("terraform-{}", flag_value(&l))),
            Variant::CloudFormation(l) => Some(format!("cloudformation-{}", flag_value(&l))),
        }
    }

    /// `terraform_per_account`: the test's name.
    fn test_name(self) -> String {
        self.folder()
            .unwrap_or_else(|| "default".to_owned())
            .replace('-', "_")
    }

    fn args(self, case: &Path) -> Vec<String> {
        let (backend, flag, value) = match self {
            Variant::Default if seqera_only(case) => {
                return vec!["--only".to_owned(), Backend::Seqera.folder().to_owned()];
            }
            Variant::Default => return Vec::new(),
            Variant::Terraform(l) => (Backend::Terraform, "--terraform-layout", flag_value(&l)),
            Variant::CloudFormation(l) => (
                Backend::Cloudformation,
                "--cloudformation-layout",
                flag_value(&l),
            ),
        };
        let only = format!("{},{}", backend.folder(), Backend::Seqera.folder());
        vec!["--only".to_owned(), only, flag.to_owned(), value]
    }

    /// The case's folders that hold the expectation, and the output folder each stands for.
    fn folders(self, case: &Path) -> Vec<(String, &'static str)> {
        let (folder, backend) = match self {
            Variant::Default if seqera_only(case) => {
                let seqera = Backend::Seqera.folder();
                return vec![(seqera.to_owned(), seqera)];
            }
            Variant::Default => {
                return Backend::ALL
                    .iter()
                    .map(|b| (b.folder().to_owned(), b.folder()))
                    .collect();
            }
            Variant::Terraform(_) => (self.folder().unwrap(), Backend::Terraform),
            Variant::CloudFormation(_) => (self.folder().unwrap(), Backend::Cloudformation),
        };
        let seqera = Backend::Seqera.folder();
        vec![
            (format!("{seqera}-{folder}"), seqera),
            (folder, backend.folder()),
        ]
    }

    /// Whether `case` holds an expectation for this variant (every case has the default).
    fn expected_in(self, case: &Path) -> bool {
        self.folder().is_none_or(|f| case.join(f).is_dir())
    }
}

/// One test per case and variant; `every_expectation_has_its_test` holds the list to the
/// folders in `golden/`.
macro_rules! golden {
    ($($case:ident: $($variant:ident),+;)+) => {
        $(mod $case { $(
            #[test]
            fn $variant() {
                super::check(stringify!($case), stringify!($variant));
            }
        )+ })+

        const DECLARED: &[(&str, &str)] = &[$($((stringify!($case), stringify!($variant)),)+)+];
    };
}

golden! {
    chain: default, terraform_module, terraform_per_account;
    cn_deny: default;
    compaction: default, terraform_module, terraform_per_account;
    external_principals: default;
    gov_partition: default, terraform_module, terraform_per_account;
    lint_reviewer: default;
    role_path: default, terraform_module, terraform_per_account;
    same_account: default, terraform_module, terraform_per_account;
    seed: default, terraform_module, terraform_per_account, cloudformation_stackset;
    seed_core: default;
    seqera_instance_credentials: default;
    seqera_split: default;
    seqera_warnings: default;
    special_strings: default;
    stackset: default, cloudformation_stackset;
    two_sources: default;
    yaml11_tags: default;
}

/// Generates case `case` (a folder name with `-` written `_`) in `variant` and compares
/// it with the expectation, or rewrites the expectation under `SNAPSHOTS=overwrite`.
fn check(case: &str, variant: &str) {
    let dir = support::repo().join("golden").join(case.replace('_', "-"));
    let variant = Variant::all()
        .into_iter()
        .find(|v| v.test_name() == variant)
        .unwrap_or_else(|| panic!("no variant is called {variant}"));
    assert!(
        variant.expected_in(&dir),
        "{} has no {:?} folder",
        dir.display(),
        variant.folder()
    );
    if lint_only(&dir) {
        return check_lint(&dir);
    }
    let out = tempfile::tempdir().unwrap();
    let args = variant.args(&dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let actual = generate_variant(&dir, out.path(), &args).unwrap_or_else(|e| panic!("{e}"));
    if std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite") {
        overwrite(&dir, variant, &actual);
        return;
    }
    let problems = compare(&expected_tree(&dir, variant), &actual);
    assert!(
        problems.is_empty(),
        "{case} ({variant:?}) differs (review, then SNAPSHOTS=overwrite to accept):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_expectation_has_its_test() {
    let mut on_disk = Vec::new();
    for case in golden_cases() {
        let name = case
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace('-', "_");
        for variant in Variant::all().into_iter().filter(|v| v.expected_in(&case)) {
            on_disk.push((name.clone(), variant.test_name()));
        }
    }
    let declared: Vec<(String, String)> = DECLARED
        .iter()
        .map(|(c, v)| (c.to_string(), v.to_string()))
        .collect();
    on_disk.sort();
    let mut sorted = declared.clone();
    sorted.sort();
    assert_eq!(
        on_disk, sorted,
        "the golden! list must name every case and layout folder in golden/, and no other"
    );
    assert!(declared.len() >= 29, "{} golden tests", declared.len());
}

fn expected_tree(case: &Path, variant: Variant) -> BTreeMap<String, Vec<u8>> {
    let mut tree = BTreeMap::new();
    for (folder, stands_for) in variant.folders(case) {
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

fn overwrite(case: &Path, variant: Variant, actual: &BTreeMap<String, Vec<u8>>) {
    let folders = variant.folders(case);
    for (folder, _) in &folders {
        let _ = std::fs::remove_dir_all(case.join(folder));
    }
    for (path, bytes) in actual {
        let (top, rest) = path.split_once('/').unwrap();
        let (folder, _) = folders.iter().find(|(_, s)| *s == top).unwrap();
        let target = case.join(folder).join(rest);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn every_layout_has_golden_cases() {
    for variant in Variant::all().into_iter().skip(1) {
        let folder = variant.folder().unwrap();
        let cases: Vec<String> = golden_cases()
            .iter()
            .filter(|c| c.join(&folder).is_dir())
            .map(|c| c.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let enough = match variant {
            Variant::Terraform(_) => 4,
            _ => 2,
        };
        assert!(
            cases.len() >= enough && cases.iter().any(|c| c == "seed"),
            "{folder} has golden cases {cases:?}; expected the seed and at least {} more",
            enough - 1
        );
    }
}

#[test]
fn the_stackset_layout_has_golden_cases() {
    let folder = Variant::CloudFormation(cloudformation::Layout::Stackset)
        .folder()
        .unwrap();
    let stacksets = support::repo().join("golden/stackset").join(&folder);
    assert!(
        stacksets.join("stacksets").is_dir()
            && support::repo().join("golden/seed").join(&folder).is_dir(),
        "golden/stackset and golden/seed hold {folder}/, and the first has StackSets"
    );
}

#[test]
fn the_same_input_gives_byte_identical_output_twice() {
    // lint-reviewer is kept for its lint errors, which stop `generate`.
    for case in golden_cases()
        .into_iter()
        .filter(|c| !c.ends_with("lint-reviewer"))
    {
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

/// Every generated file proves itself rolegraph's (`output::manifest::carries_header`):
/// its header, or a JSON list in a folder of rolegraph's alone. Without it, a later run
/// would refuse to replace the file as a foreign one.
#[test]
fn every_generated_file_carries_the_header() {
    use rolegraph::output::manifest::carries_header;
    let mut files = 0;
    for case in golden_cases() {
        for entry in std::fs::read_dir(&case).unwrap() {
            let folder = entry.unwrap().file_name().to_string_lossy().into_owned();
            let Some(backend) = ["terraform", "cloudformation", "seqera"]
                .into_iter()
                .find(|b| folder.starts_with(b))
            else {
                continue;
            };
            for (path, bytes) in read_tree(&case.join(&folder)) {
                let path = format!("{backend}/{path}");
                assert!(
                    carries_header(&path, &bytes),
                    "{}: {path} has no header",
                    case.display()
                );
                files += 1;
            }
        }
    }
    assert!(files > 300, "only {files} generated files were found");
}
