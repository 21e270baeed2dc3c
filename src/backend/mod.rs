//! Backends turn the role graph into files. They return files and never write them; the
//! closed enum below is the one place where a backend is chosen.

pub mod cloudformation;
pub mod header;
pub mod seqera;
pub mod terraform;

use crate::diag::Diagnostics;
use crate::ir::Graph;
use crate::output::FileSet;
use crate::templates::Templates;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Backend {
    Terraform,
    Cloudformation,
    /// Only for models with a `seqera:` section.
    Seqera,
}

/// Choices that change a backend's output but not the IAM it describes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    pub terraform_layout: terraform::Layout,
}

impl Backend {
    pub const ALL: [Backend; 3] = [Backend::Terraform, Backend::Cloudformation, Backend::Seqera];

    /// The folder under `--out` that holds this backend's files.
    pub fn folder(self) -> &'static str {
        match self {
            Backend::Terraform => "terraform",
            Backend::Cloudformation => "cloudformation",
            Backend::Seqera => "seqera",
        }
    }

    pub fn generate(
        self,
        graph: &Graph,
        templates: &Templates,
        options: &Options,
    ) -> Result<FileSet, Diagnostics> {
        match self {
            Backend::Terraform => terraform::generate(graph, templates, options.terraform_layout),
            Backend::Cloudformation => cloudformation::generate(graph, templates),
            Backend::Seqera => seqera::generate(graph, templates),
        }
    }
}

/// Every selected backend's files, each under its folder; all errors from all backends.
pub fn generate_all(
    graph: &Graph,
    backends: &[Backend],
    templates: &Templates,
    options: &Options,
) -> Result<FileSet, Diagnostics> {
    let mut files = FileSet::default();
    let mut diags = Diagnostics::default();
    for backend in backends {
        match backend.generate(graph, templates, options) {
            Ok(set) => files.nest(backend.folder(), set),
            Err(errors) => diags.extend(errors),
        }
    }
    diags.into_result(files)
}
