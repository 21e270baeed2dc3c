//! Tera templates, used only for prose and env files: the READMEs and `tower.env`. IaC bodies are
//! built as structures, never from templates. The defaults are compiled in, so the
//! binary works alone; `--templates DIR` replaces any of them by file name.

use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};

const BUILTIN: &[(&str, &str)] = &[
    (
        "cloudformation-adopt-README.md",
        include_str!("../../templates/cloudformation-adopt-README.md"),
    ),
    (
        "cloudformation-README.md",
        include_str!("../../templates/cloudformation-README.md"),
    ),
    (
        "seqera-README.md",
        include_str!("../../templates/seqera-README.md"),
    ),
    (
        "seqera-tower.env",
        include_str!("../../templates/seqera-tower.env"),
    ),
    (
        "terraform-README.md",
        include_str!("../../templates/terraform-README.md"),
    ),
    (
        "terraform-module-README.md",
        include_str!("../../templates/terraform-module-README.md"),
    ),
    (
        "terraform-per-account-README.md",
        include_str!("../../templates/terraform-per-account-README.md"),
    ),
];

mod bounded;

pub use bounded::{RENDER_LIMIT, RENDER_TIME};

pub struct Templates {
    tera: std::sync::Arc<tera::Tera>,
    time: std::time::Duration,
}

impl Templates {
    pub fn builtin() -> Result<Self, Diagnostics> {
        Self::with_overrides(None, false)
    }

    /// The built-in templates, with those of the same name in `dir` taking their place.
    /// A file in `dir` that matches no template is an error: a misspelt name would
    /// otherwise be ignored without a word. Each must resolve, links included, inside
    /// `dir` unless `outside_files`: a committed link to a secret would be copied into
    /// the generated README.
    pub fn with_overrides(dir: Option<&Path>, outside_files: bool) -> Result<Self, Diagnostics> {
        let mut tera = tera::Tera::new();
        // Markdown and env files: HTML escaping would corrupt `&`, `<` and quotes.
        tera.autoescape_on(Vec::<&str>::new());
        let mut diags = Diagnostics::default();
        let mut sources: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(name, body)| ((*name).to_owned(), (*body).to_owned()))
            .collect();
        if let Some(dir) = dir {
            let scope = match outside_files {
                true => crate::input::Scope::Anywhere,
                false => crate::input::Scope::Within(dir),
            };
            overrides(dir, scope, &mut sources, &mut diags);
        }
        for (name, body) in &sources {
            if let Err(err) = tera.add_raw_template(name, body) {
                diags.push(template_error(name, &err));
            }
        }
        diags.into_result(Templates {
            tera: std::sync::Arc::new(tera),
            time: RENDER_TIME,
        })
    }

    /// A set of one template, `body` under `name`, with no built-in ones: for the fuzzer,
    /// which renders thousands of texts a second.
    pub fn with_text(name: &str, body: &str) -> Result<Self, Diagnostics> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        tera.add_raw_template(name, body)
            .map_err(|err| template_error(name, &err))?;
        Ok(Templates {
            tera: std::sync::Arc::new(tera),
            time: RENDER_TIME,
        })
    }

    /// `time` instead of `RENDER_TIME` for each rendering: the fuzzer's runs are short.
    pub fn with_time_limit(mut self, time: std::time::Duration) -> Self {
        self.time = time;
        self
    }

    /// The template `name` rendered with `context`, within `RENDER_LIMIT` bytes and the
    /// time limit; its output must carry rolegraph's header.
    pub fn render(
        &self,
        name: &str,
        context: &impl serde::Serialize,
    ) -> Result<String, Diagnostics> {
        let context =
            tera::Context::from_serialize(context).map_err(|err| template_error(name, &err))?;
        let bytes = match bounded::render(&self.tera, name, context, self.time) {
            Ok(bytes) => bytes,
            Err(bounded::Failure::Stopped(why)) => {
                return Err(
                    Diagnostic::nowhere(format!("template `{name}` was stopped: {why}"))
                        .hint("a template renders prose: keep its loops to the model's lists")
                        .into(),
                );
            }
            Err(bounded::Failure::Tera(err)) => return Err(template_error(name, &err).into()),
        };
        if !crate::output::manifest::carries_header(name, &bytes) {
            let mark = crate::output::manifest::HEADER_MARK.trim_end();
            return Err(Diagnostic::nowhere(format!(
                "template `{name}` writes no `{mark}` header in its first three lines"
            ))
            .hint("keep the built-in template's first line: rolegraph proves by it that a file is its own to replace or delete")
            .into());
        }
        String::from_utf8(bytes).map_err(|err| template_error(name, &err).into())
    }
}

fn overrides(
    dir: &Path,
    scope: crate::input::Scope,
    sources: &mut [(String, String)],
    diags: &mut Diagnostics,
) {
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
        match crate::input::read_text(path, limit, scope) {
            Ok(body) => slot.1 = body,
            Err(err) => {
                let hint = match err {
                    crate::input::ReadError::Outside(_) => {
                        "keep templates in the --templates folder, or pass --allow-outside-files"
                            .to_owned()
                    }
                    _ => format!(
                        "templates are regular UTF-8 text files of at most {}",
                        crate::input::mib(limit.bytes())
                    ),
                };
                let message = format!("cannot read template `{}`: {err}", path.display());
                diags.push(Diagnostic::nowhere(message).hint(hint));
            }
        }
    }
}

fn template_error(name: &str, err: &dyn std::fmt::Display) -> Diagnostic {
    Diagnostic::nowhere(format!("template `{name}` failed: {err}"))
        .hint("check the template's syntax and the variables it uses")
}
