//! The new reader against the old one on the project's own models and on every variant the
//! robustness test makes of them, and on the YAML features a model may use.

use super::oracle::disagreement;

#[path = "../../../tests/support/variants.rs"]
mod shared;

fn models() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for folder in ["golden", "examples"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path().join("rolegraph.yaml");
            if let Ok(text) = std::fs::read_to_string(&path) {
                found.push((path.display().to_string(), text));
            }
        }
    }
    assert!(found.len() > 10, "too few models: {}", found.len());
    found.sort();
    found.into_iter().step_by(steps().0).collect()
}

/// Every how-manyth model, cut point and line the test varies: all of them with
/// `ROLEGRAPH_ORACLE_ALL=1` (about 32,000 inputs, a minute in a release build), a sample by
/// default, since the old reader takes some 40 ms an input in a debug build.
fn steps() -> (usize, usize, usize) {
    if std::env::var_os("ROLEGRAPH_ORACLE_ALL").is_some() {
        (1, 7, 1)
    } else {
        (5, 101, 5)
    }
}

/// More odd values than the robustness test's: block scalars, escapes, tags, aliases.
const MORE_ODD_VALUES: &[&str] = &[
    "0x1F",
    "3_600",
    ".inf",
    "True",
    "!!str 5",
    "!!int 5",
    "|\n  text",
    ">-\n  folded",
    "\"\\u00e9\"",
    "'it''s'",
    "a # comment",
    "!Ref x",
    "*nope",
    "&x [*x]",
    "\"multi\n  line\"",
    "plain\n  continued",
];

fn variants(seed: &str) -> Vec<String> {
    let (_, cut_step, line_step) = steps();
    let mut out = vec![seed.replace('\n', "\r\n"), format!("\u{feff}{seed}")];
    let odd: Vec<&str> = shared::ODD_VALUES
        .iter()
        .chain(MORE_ODD_VALUES)
        .copied()
        .collect();
    out.extend(shared::variants(seed, &odd, cut_step, line_step));
    out
}

#[test]
fn reads_every_model_and_variant_as_the_old_reader_did() {
    let mut compared = 0;
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeMap::new();
    for (name, text) in models() {
        for (i, variant) in variants(&text).iter().enumerate() {
            compared += 1;
            if let Some(why) = disagreement(variant) {
                let kind: String = why
                    .split(": ")
                    .skip(1)
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(": ")
                    .chars()
                    .take(60)
                    .collect();
                kinds
                    .entry(kind)
                    .or_insert_with(|| format!("{name} variant {i}: {why}\n{variant}"));
                failures.push(format!("{name} variant {i}: {why}\n{variant}"));
            }
        }
    }
    assert!(compared > 300, "only {compared} inputs compared");
    assert!(
        failures.is_empty(),
        "{} of {compared} inputs differ; the first:\n{}",
        failures.len(),
        kinds
            .values()
            .cloned()
            .collect::<Vec<_>>()
            .join("\n-----\n")
    );
}

#[test]
fn anchors_aliases_and_merges_read_as_before() {
    let inputs = [
        "base: &b {x: 1, y: [a, b]}\nuse: *b\n",
        "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n",
        "a: &a {x: 1}\nb: &b {x: 2, z: 3}\nc:\n  <<: [*a, *b]\n  w: 0\n",
        "list: &l [1, 2]\nagain: *l\nnested: [*l, *l]\n",
        "k: &s text\nv: *s\n",
        "<<: {a: 1}\nb: 2\n",
        "<<: {a: {deep: [1, {x: y}]}}\nb: 2\n",
        "x: &x {a: {deep: [1, {x: y}]}}\ny:\n  <<: [{q: 1}, *x]\n  b: 2\n",
        "a: ~\n<<: ~\n",
    ];
    for input in inputs {
        assert_eq!(disagreement(input), None, "{input}");
    }
}

#[test]
fn aliases_cannot_nest_deeper_than_the_limit() {
    use std::fmt::Write;
    // Each anchor nests 40 levels and holds the one before: written out, the last would be
    // 40 times as deep as any bracket in the file.
    let mut text = String::new();
    for i in 0..40 {
        let inner = if i == 0 {
            "x".to_owned()
        } else {
            format!("*a{}", i - 1)
        };
        writeln!(
            text,
            "k{i}: &a{i} {}{inner}{}",
            "[".repeat(40),
            "]".repeat(40)
        )
        .unwrap();
    }
    let file: std::sync::Arc<str> = "m.yaml".into();
    let errors = super::parse(&file, &text).unwrap_err();
    assert!(
        errors[0].message.contains("nests deeper than 64 levels"),
        "{}",
        errors[0]
    );
    assert_eq!(errors[0].loc.as_ref().map(|l| l.line), Some(2));
}
