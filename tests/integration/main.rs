//! The integration tests, in one binary so that `support` compiles once: each module is
//! one former test file, and `cargo test <module>::` runs one of them (`cargo test
//! golden::seed` one golden case).

#[path = "../support/mod.rs"]
mod support;

#[path = "../../benches/support/synth.rs"]
mod synth;

mod adopt;
mod adopt_files;
mod cfn_split;
mod cli_check;
mod cli_generate;
mod cli_graph_explain;
mod cli_layouts;
mod cli_lint;
mod cli_pipes;
mod cli_plan;
mod cli_schema;
mod cli_shell;
mod cli_validation;
mod cloud_equivalence;
mod compaction;
mod concurrency;
mod crash_safety;
mod diagnostics;
mod drift;
mod drift_live;
mod first_hour;
mod golden;
mod graph_properties;
mod hostile;
mod hostile_bounds;
mod import;
mod import_matrix;
mod import_round_trip;
mod lint_live;
mod lint_reviewer;
mod lint_rules;
mod mermaid;
mod policy_engine;
mod pre_commit;
mod quotas;
mod readme_examples;
mod real_tools;
mod renames;
mod robustness;
mod safety_inputs;
mod safety_output;
mod scale;
mod seqera_readme;
mod seqera_script;
mod session_tags;
