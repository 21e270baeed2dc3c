//! Any text as an account's authorization details or list-roles output: the reader must
//! return accounts or diagnostics, and `import` must make a model document and a report
//! of whatever it accepted, `lint --live` findings or diagnostics, never panic.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file: Arc<str> = "account.json".into();
    match rolegraph::live::read_texts(&[(file, text.to_owned())]) {
        Ok(accounts) => {
            let options = rolegraph::import::Options {
                keys: Vec::new(),
                name: "fuzz".to_owned(),
                include: None,
                inline_only: false,
            };
            let imported = rolegraph::import::import(&accounts, &options);
            let model = rolegraph::import::doc::render(&imported.model, "fuzz").expect("YAML");
            assert!(model.contains("version: 1"));
            let _ = imported.report.text("rolegraph.yaml");
            for account in &accounts {
                let _ = account.state();
            }
            if let Err(diags) = rolegraph::lint::lint_live(&accounts, None) {
                assert!(!diags.is_empty());
            }
        }
        Err(diags) => assert!(!diags.is_empty()),
    }
});
