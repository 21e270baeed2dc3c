//! Bad input gets errors, never a panic: the seed model is broken in many deterministic
//! ways and each variant must either compile, lint, draw, explain and generate, or return
//! diagnostics that all carry a position.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rolegraph::backend::{Backend, generate_all};
use rolegraph::lint::Format;
use rolegraph::templates::Templates;

use crate::support;

#[test]
fn no_variant_of_the_seed_panics() {
    let example = support::repo().join("examples/seqera");
    let seed = std::fs::read_to_string(example.join("rolegraph.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::copy(
        example.join("policies/batch.json"),
        dir.path().join("policies/batch.json"),
    )
    .unwrap();
    let model = dir.path().join("rolegraph.yaml");
    let templates = Templates::builtin().unwrap();
    let all = support::variants::variants(&seed, support::variants::ODD_VALUES, 7, 1);
    let (mut valid, mut invalid) = (0, 0);
    for (i, text) in all.iter().enumerate() {
        std::fs::write(&model, text).unwrap();
        let result = catch_unwind(AssertUnwindSafe(|| {
            rolegraph::compile(&model).and_then(|graph| {
                // Every reader of a valid graph must cope with it too.
                let findings = rolegraph::lint::lint(&graph);
                for format in [Format::Text, Format::Json, Format::Sarif] {
                    rolegraph::lint::render(&findings, format);
                }
                rolegraph::diagram::render(&graph, rolegraph::diagram::Format::Dot);
                for i in 0..graph.roles.len() {
                    rolegraph::explain::explain(&graph, rolegraph::ir::RoleIdx(i));
                }
                generate_all(&graph, &Backend::ALL, &templates, &Default::default())
            })
        }));
        match result {
            Err(_) => panic!("variant {i} panicked:\n{text}"),
            Ok(Ok(generated)) => {
                assert!(!generated.files.is_empty());
                valid += 1;
            }
            Ok(Err(diags)) => {
                assert!(!diags.is_empty(), "variant {i} failed without a diagnostic");
                for d in diags.iter() {
                    assert!(
                        d.loc.is_some(),
                        "variant {i}: error without a position: {d}"
                    );
                    assert!(d.hint.is_some(), "variant {i}: error without a hint: {d}");
                }
                invalid += 1;
            }
        }
    }
    assert!(
        invalid > 100 && valid > 0,
        "{valid} valid and {invalid} invalid variants"
    );
}
