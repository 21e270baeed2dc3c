//! rolegraph: one model of an AWS IAM trust topology → Terraform and CloudFormation that
//! agree by construction.

pub mod backend;
pub mod catalogue;
pub mod cli;
pub mod diag;
pub mod diagram;
pub mod drift;
pub mod explain;
pub mod heap;
pub mod iam;
pub mod import;
pub mod input;
pub mod ir;
pub mod lint;
pub mod live;
pub mod model;
pub mod ordered;
pub mod output;
pub mod plan;
pub mod platform;
pub mod templates;
pub mod term;

use std::path::Path;

use diag::Diagnostics;

/// Model file → validated role graph, with every error in the model reported at once.
pub fn compile(path: &Path) -> Result<ir::Graph, Diagnostics> {
    compile_with(path, model::Access::default())
}

/// `compile`, with what the model may make rolegraph read besides itself.
pub fn compile_with(path: &Path, access: model::Access) -> Result<ir::Graph, Diagnostics> {
    compile_read(path, access).map(|(graph, _)| graph)
}

/// `compile_with`, also returning the model's text: standard input (`-`) can be read only
/// once, and `generate` records the model's hash.
pub fn compile_read(
    path: &Path,
    access: model::Access,
) -> Result<(ir::Graph, String), Diagnostics> {
    compile_warned(path, access).map(|(graph, source, _)| (graph, source))
}

/// `compile_read`, with the warnings `generate` would give about the output (a template
/// that must go through S3), for `validate`.
pub fn compile_warned(
    path: &Path,
    access: model::Access,
) -> Result<(ir::Graph, String, Vec<backend::Warning>), Diagnostics> {
    let (source, file) = model::read_source(path, access)?;
    heap::prefault_for_model(source.len());
    let (graph, warnings) = compile_checked(&file, &source, model::base_of(path), access)?;
    Ok((graph, source, warnings))
}

/// Model text → validated role graph, as `compile` does for a file; `base` is the folder
/// policy-file paths are relative to. For the fuzzer and for models that are not files.
pub fn compile_source(
    file: &std::sync::Arc<str>,
    source: &str,
    base: &Path,
    access: model::Access,
) -> Result<ir::Graph, Diagnostics> {
    compile_checked(file, source, base, access).map(|(graph, _)| graph)
}

fn compile_checked(
    file: &std::sync::Arc<str>,
    source: &str,
    base: &Path,
    access: model::Access,
) -> Result<(ir::Graph, Vec<backend::Warning>), Diagnostics> {
    let mut diags = Diagnostics::default();
    let graph = model::parse(file, source, base, access, &mut diags)
        .and_then(|model| resolve(Path::new(file.as_ref()), model, diags));
    graph.map_err(|mut diags| {
        diags.add_source(file, source);
        diags
    })
}

fn resolve(
    path: &Path,
    model: model::Model,
    mut diags: Diagnostics,
) -> Result<(ir::Graph, Vec<backend::Warning>), Diagnostics> {
    let source_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rolegraph.yaml".to_owned());
    let graph = ir::build(&model, &source_name, &mut diags);
    // The model is no longer needed: its memory serves the name checks that follow.
    drop(model);
    match graph {
        Some(graph) if diags.is_empty() => match backend::check(&graph) {
            Ok(warnings) => Ok((graph, warnings)),
            Err(collisions) => {
                let mut collisions = collisions.sorted();
                collisions.take_sources(&mut diags);
                Err(collisions)
            }
        },
        _ => {
            if diags.is_empty() {
                diags.push(diag::Diagnostic::nowhere("the model could not be resolved"));
            }
            Err(diags.sorted())
        }
    }
}
