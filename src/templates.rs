//! Tera templates, used only for prose: the README of a generated tree. IaC bodies are
//! built as structures, never from templates. The defaults are compiled in, so the
//! binary works alone; the files live in `templates/` where users can read them.

use crate::diag::{Diagnostic, Diagnostics};

const BUILTIN: &[(&str, &str)] = &[(
    "cloudformation-README.md",
    include_str!("../templates/cloudformation-README.md"),
)];

pub struct Templates {
    tera: tera::Tera,
}

impl Templates {
    pub fn builtin() -> Result<Self, Diagnostics> {
        let mut tera = tera::Tera::new();
        // Markdown and env files: HTML escaping would corrupt `&`, `<` and quotes.
        tera.autoescape_on(Vec::<&str>::new());
        for (name, body) in BUILTIN {
            tera.add_raw_template(name, body)
                .map_err(|err| template_error(name, &err))?;
        }
        Ok(Templates { tera })
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
            .map_err(|err| template_error(name, &err))
    }
}

fn template_error(name: &str, err: &dyn std::fmt::Display) -> Diagnostics {
    Diagnostic::nowhere(format!("template `{name}` failed: {err}"))
        .hint("check the template's syntax and the variables it uses")
        .into()
}
