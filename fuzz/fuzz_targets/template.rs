//! The template renderer under its bounds: any text as a `--templates` override either
//! fails to parse, fails with a diagnostic, is stopped (output past 10 MiB, or past its
//! time), or renders; never a panic, a hang or unbounded memory. A short time limit keeps
//! each run short.

#![no_main]

use std::collections::BTreeMap;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rolegraph::templates::{RENDER_LIMIT, Templates};

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(templates) = Templates::with_text("terraform-README.md", body) else {
        return;
    };
    let templates = templates.with_time_limit(Duration::from_millis(100));
    let context: BTreeMap<&str, &str> = [("model", "fuzz"), ("source", "rolegraph.yaml")].into();
    if let Ok(text) = templates.render("terraform-README.md", &context) {
        assert!(text.len() <= RENDER_LIMIT);
    }
});
