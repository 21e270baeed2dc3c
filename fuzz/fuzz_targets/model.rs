//! Any text as a model: the loader and the role-graph build (with the backends' name
//! checks) must return a graph or diagnostics, never panic, hang or exhaust memory; and
//! wherever the YAML reader's fast path reads the text, its tree must be the full reader's.
#![no_main]

use std::path::Path;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(difference) = rolegraph::model::fast_path_disagreement(source) {
        panic!("the fast path and the full reader disagree: {difference}");
    }
    let file: Arc<str> = "fuzz/rolegraph.yaml".into();
    // Policy files resolve against a folder that does not exist: the fuzzer exercises the
    // model, not the disk.
    let base = Path::new("/nonexistent/rolegraph-fuzz");
    let access = rolegraph::model::Access::default();
    if let Err(diags) = rolegraph::compile_source(&file, source, base, access) {
        // Every diagnostic renders.
        let _ = diags.to_string();
    }
});
