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

/// A plain `<<` anywhere but as a mapping key is refused, by the fast path and the full
/// reader alike (the fuzzer found the fast path reading `00: <<` as text where the full
/// reader read null); quoted, it is text.
#[test]
fn a_merge_key_out_of_place_is_refused_and_quoted_it_is_text() {
    let file: std::sync::Arc<str> = "m.yaml".into();
    for input in [
        "00: <<",
        "a: <<\n",
        "- <<\n",
        "a: [<<]\n",
        "a: {b: <<}\n",
        "<<\n",
    ] {
        assert!(
            super::fast::read(input).is_none(),
            "fast path read {input:?}"
        );
        let errors = super::parse(&file, input).unwrap_err();
        assert!(
            errors[0].message.contains("`<<` is YAML's merge key"),
            "{input:?}: {}",
            errors[0]
        );
    }
    let quoted = super::parse(&file, "a: \"<<\"\n").expect("quoted text");
    let crate::model::node::Value::Map(pairs) = &quoted.value else {
        panic!("not a mapping: {quoted:?}");
    };
    assert!(matches!(&pairs[0].1.value, crate::model::node::Value::Str(s) if s == "<<"));
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

/// The fast path against the full reader: wherever it reads a model or a variant, the tree
/// must be the full reader's, position for position.
#[test]
fn the_fast_path_builds_the_full_readers_tree() {
    let (mut compared, mut readable, mut read_fast) = (0, 0, 0);
    let mut failures = Vec::new();
    for (name, text) in models() {
        for (i, variant) in variants(&text).iter().enumerate() {
            compared += 1;
            read_fast += usize::from(super::fast::read(variant).is_some());
            readable += usize::from(super::parse_events(&"m.yaml".into(), variant).is_ok());
            if let Some(why) = super::fast_path_disagreement(variant) {
                failures.push(format!("{name} variant {i}: {why}\n{variant}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} inputs differ; the first:\n{}",
        failures.len(),
        failures[0]
    );
    // Most variants that stay models change a value to an odd one the fast path leaves (a
    // tag, an escape, a tab), so about half of them read fast.
    assert!(
        read_fast * 3 > readable,
        "{read_fast} of {readable} readable inputs read fast"
    );
}

/// Every golden and example model reads fast but the two written to test the YAML's odd
/// corners (flow collections inside flow collections; non-ASCII keys): if a model in plain
/// block style did not, the fast path would be a slow path in disguise.
#[test]
fn block_style_models_read_fast() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut fast = 0;
    for folder in ["golden", "examples"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let dir = entry.unwrap().path();
            let Ok(text) = std::fs::read_to_string(dir.join("rolegraph.yaml")) else {
                continue;
            };
            let odd = dir.ends_with("seqera-split") || dir.ends_with("special-strings");
            assert_eq!(
                super::fast::read(&text).is_some(),
                !odd,
                "{}",
                dir.display()
            );
            fast += usize::from(!odd);
        }
    }
    assert!(fast > 10, "only {fast} models");
}

/// The shapes the fast path reads, each placed where the full reader places it: indentless
/// lists, null values before a comment or at the end, flow collections, quotes, comments.
#[test]
fn the_fast_path_reads_block_style_as_the_full_reader_does() {
    let inputs = [
        "a:\n- k: v\n  j: w\n- [a, 'b', \"c\"]\n-  \"q\"\nz: 1\n",
        "a:\n  f:   # c\n  g:\n  h: x   \n  i: arn:aws:s3:::b/${aws:username}/*\n",
        "a: {input: x}\nb: []\nc: {}\nd: { k: v, \"l\": 'w' }\n",
        "a: 'single'\nb: \"dbl\"  # c\n\"c d\": true\n1: 0x1F\n",
        "a:\n  - x\n  - y\nb:\n  c:\n    d: 1\ne:",
        "# c\n\nk: v\n",
        "k: v # c\n  # an indented comment\nj: 2\n",
        "r:\n  - k:\n    - a\n  - k:\n      x: ~\n",
    ];
    for input in inputs {
        assert!(super::fast::read(input).is_some(), "not read fast: {input}");
        assert_eq!(super::fast_path_disagreement(input), None, "{input}");
    }
}
