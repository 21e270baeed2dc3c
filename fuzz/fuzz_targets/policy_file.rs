//! Any text as a policy file: the strict JSON reader and the document checks must return
//! statements or diagnostics, never panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use rolegraph::diag::{Diagnostics, Loc};
use rolegraph::model::Sp;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let model: Arc<str> = "rolegraph.yaml".into();
    let shown: Arc<str> = "policies/fuzz.json".into();
    let reference = Sp {
        value: "policies/fuzz.json".to_owned(),
        loc: Loc::new(&model, 1, 1),
    };
    let mut diags = Diagnostics::default();
    let statements = rolegraph::model::policy_file::parse_document(text, &reference, &shown, &mut diags);
    assert!(statements.is_empty() || text.contains("Statement"));
    let _ = diags.to_string();
});
