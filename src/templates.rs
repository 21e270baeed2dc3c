//! Tera templates, used only for prose and env files: the READMEs and `tower.env`. IaC bodies are
//! built as structures, never from templates. The defaults are compiled in, so the
//! binary works alone; `--templates DIR` replaces any of them by file name.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};

const BUILTIN: &[(&str, &str)] = &[
    (
        "cloudformation-adopt-README.md",
        include_str!("../templates/cloudformation-adopt-README.md"),
    ),
    (
        "cloudformation-README.md",
        include_str!("../templates/cloudformation-README.md"),
    ),
    (
        "seqera-README.md",
        include_str!("../templates/seqera-README.md"),
    ),
    (
        "seqera-tower.env",
        include_str!("../templates/seqera-tower.env"),
    ),
    (
        "terraform-README.md",
        include_str!("../templates/terraform-README.md"),
    ),
    (
        "terraform-module-README.md",
        include_str!("../templates/terraform-module-README.md"),
    ),
    (
        "terraform-per-account-README.md",
        include_str!("../templates/terraform-per-account-README.md"),
    ),
];

pub struct Templates {
    tera: tera::Tera,
}

impl Templates {
    pub fn builtin() -> Result<Self, Diagnostics> {
        Self::with_overrides(None)
    }

    /// The built-in templates, with those of the same name in `dir` taking their place.
    /// A file in `dir` that matches no template is an error: a misspelt name would
    /// otherwise be ignored without a word.
    pub fn with_overrides(dir: Option<&Path>) -> Result<Self, Diagnostics> {
        let mut tera = tera::Tera::new();
        // Markdown and env files: HTML escaping would corrupt `&`, `<` and quotes.
        tera.autoescape_on(Vec::<&str>::new());
        let mut diags = Diagnostics::default();
        let mut sources: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(name, body)| ((*name).to_owned(), (*body).to_owned()))
            .collect();
        if let Some(dir) = dir {
            overrides(dir, &mut sources, &mut diags);
        }
        for (name, body) in &sources {
            if let Err(err) = tera.add_raw_template(name, body) {
                diags.push(template_error(name, &err));
            }
        }
        diags.into_result(Templates { tera })
    }

    pub fn render(
        &self,
        name: &str,
        context: &impl serde::Serialize,
    ) -> Result<String, Diagnostics> {
        let context =
            tera::Context::from_serialize(context).map_err(|err| template_error(name, &err))?;
        self.tera
            .render(name, &context)
            .map_err(|err| template_error(name, &err).into())
    }
}

fn overrides(dir: &Path, sources: &mut [(String, String)], diags: &mut Diagnostics) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            diags.push(
                Diagnostic::nowhere(format!(
                    "cannot read templates folder `{}`: {err}",
                    dir.display()
                ))
                .hint("--templates takes a folder of files named like the built-in templates"),
            );
            return;
        }
    };
    let mut names: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    names.sort();
    for path in names.iter().filter(|p| !p.is_dir()) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let Some(slot) = sources.iter_mut().find(|(n, _)| *n == name) else {
            let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
            diags.push(
                Diagnostic::nowhere(format!("`{}` overrides no template", path.display()))
                    .hint(format!("template names are: {}", known.join(", "))),
            );
            continue;
        };
        let limit = crate::input::Limit::Template;
        match crate::input::read_text(path, limit, crate::input::Links::Follow) {
            Ok(body) => slot.1 = body,
            Err(err) => diags.push(
                Diagnostic::nowhere(format!("cannot read template `{}`: {err}", path.display()))
                    .hint(format!(
                        "templates are regular UTF-8 text files of at most {}",
                        crate::input::mib(limit.bytes())
                    )),
            ),
        }
    }
}

fn template_error(name: &str, err: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::nowhere(format!("template `{name}` failed: {err}"))
        .hint("check the template's syntax and the variables it uses")
}
