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
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub terraform_layout: terraform::Layout,
    pub cloudformation_layout: cloudformation::Layout,
    /// What already exists (`generate --adopt`): Terraform imports it.
    pub adopt: Option<std::sync::Arc<crate::live::Existing>>,
    /// What the last run in the output folder recorded (its manifest): renamed keys
    /// become `moved` blocks instead of a new role.
    pub previous: Option<std::sync::Arc<Recorded>>,
}

/// Every IaC resource's address with its IAM identity, and the moves written for them:
/// what the manifest keeps from one run to the next. Keys are `<module folder>/<address>`
/// (`terraform/aws_iam_role.platform`, `cloudformation/production.yaml/PlatformRole`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub resources: std::collections::BTreeMap<String, String>,
    /// `<module folder>/<from address>` → `<to address>`.
    pub moved: std::collections::BTreeMap<String, String>,
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

    /// The backend's files, warnings and record, from one pass over the graph: the
    /// layout's map (naming, stack splitting) is built once.
    pub fn generate(
        self,
        graph: &Graph,
        templates: &Templates,
        options: &Options,
    ) -> Result<Output, Diagnostics> {
        match self {
            Backend::Terraform => terraform::generate(graph, templates, options),
            Backend::Cloudformation => cloudformation::generate(graph, templates, options),
            Backend::Seqera => seqera::generate(graph, templates, options).map(|files| Output {
                files,
                ..Output::default()
            }),
        }
    }
}

/// What one backend produces.
#[derive(Debug, Default)]
pub struct Output {
    pub files: FileSet,
    /// What the user should know about the files.
    pub warnings: Vec<Warning>,
    /// For the next run (see `Recorded`).
    pub recorded: Recorded,
}

/// The command-line spelling of a layout (`per-account`), as clap derives it from the enum.
pub fn flag_value(layout: &impl clap::ValueEnum) -> String {
    layout
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

/// Every rejection a backend can make of a model in any layout: the identifiers and file
/// names each backend derives from model keys must be distinct, and CloudFormation's
/// templates within its size. `compile` runs it, so that `validate` and every other command
/// give `generate`'s verdict, at the same positions; the warnings are `generate`'s too.
pub fn check(graph: &Graph) -> Result<Vec<Warning>, Diagnostics> {
    let mut diags = Diagnostics::default();
    if let Err(errors) = terraform::check_names(graph) {
        diags.extend(errors);
    }
    let warnings = match cloudformation::check_names(graph) {
        Ok(warnings) => warnings,
        Err(errors) => {
            diags.extend(errors);
            Vec::new()
        }
    };
    diags.into_result(warnings)
}

/// Something to know about output that is still written: it deploys, but not the easy way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
    pub hint: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::term::{Stream, Style, paint};
        let warning = paint(Stream::Stderr, Style::Warning, "warning");
        let hint = paint(Stream::Stderr, Style::Note, "hint");
        write!(f, "{warning}: {}\n  {hint}: {}", self.message, self.hint)
    }
}

/// The output of the selected backends.
#[derive(Debug, Default)]
pub struct Generated {
    /// Every backend's files, each under its folder.
    pub files: FileSet,
    pub warnings: Vec<Warning>,
    /// For the manifest.
    pub recorded: Recorded,
}

/// Every selected backend's files and warnings; all errors from all backends.
pub fn generate_all(
    graph: &Graph,
    backends: &[Backend],
    templates: &Templates,
    options: &Options,
) -> Result<Generated, Diagnostics> {
    let mut out = Generated::default();
    let mut diags = Diagnostics::default();
    // The backends are independent; on a machine with several cores they run at once.
    let results: Vec<(Backend, Result<Output, Diagnostics>)> = std::thread::scope(|scope| {
        let running: Vec<_> = backends
            .iter()
            .map(|&backend| {
                let job = scope.spawn(move || backend.generate(graph, templates, options));
                (backend, job)
            })
            .collect();
        running
            .into_iter()
            .map(|(backend, job)| {
                let result = job
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (backend, result)
            })
            .collect()
    });
    for (backend, result) in results {
        match result {
            Ok(output) => {
                out.warnings.extend(output.warnings);
                out.recorded.resources.extend(output.recorded.resources);
                out.recorded.moved.extend(output.recorded.moved);
                out.files.nest(backend.folder(), output.files);
            }
            Err(errors) => diags.extend(errors),
        }
    }
    diags.into_result(out)
}
