//! Reads `policies: { name: { file: x.json } }`: an ordinary IAM identity-policy document,
//! checked for shape so that a typo fails here rather than at `apply` time.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value as Json;

use super::Access;
use super::types::{Condition, Effect, Sp, Statement};
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::input;

const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Reads the file named at `reference` (relative to the model's folder, `base`).
pub fn load(
    base: &Path,
    reference: &Sp<String>,
    access: Access,
    diags: &mut Diagnostics,
) -> Vec<Statement> {
    let path = base.join(&reference.value);
    let cannot = |why: String, hint: String| {
        Diagnostic::at(
            &reference.loc,
            format!("cannot read policy file `{}`: {why}", reference.value),
        )
        .hint(hint)
    };
    let limit = input::Limit::PolicyFile;
    let scope = match access.outside_files {
        true => input::Scope::Anywhere,
        false => input::Scope::Within(base),
    };
    let text = match input::read_text(&path, limit, scope) {
        Ok(text) => text,
        Err(input::ReadError::Outside(_)) => {
            diags.push(cannot(
                "it is outside the folder that holds the model".to_owned(),
                "keep policy files in the model's folder, or pass --allow-outside-files to read them from elsewhere".to_owned(),
            ));
            return Vec::new();
        }
        Err(err) => {
            let hint = match err.is_refusal() {
                true => format!(
                    "a policy file is a regular file of at most {}",
                    input::mib(limit.bytes())
                ),
                false => "the path is relative to the folder that holds the model".to_owned(),
            };
            diags.push(cannot(err.to_string(), hint));
            return Vec::new();
        }
    };
    let shown: Arc<str> = path.display().to_string().into();
    parse_document(&text, reference, &shown, diags)
}

/// Checks the text of a policy document for shape; `shown` names the file in messages.
pub fn parse_document(
    text: &str,
    reference: &Sp<String>,
    shown: &Arc<str>,
    diags: &mut Diagnostics,
) -> Vec<Statement> {
    let json: Json = match super::strict_json::parse(text) {
        Ok(json) => json,
        Err(err) => {
            let loc = Loc::new(shown, err.line() as u32, err.column() as u32);
            diags.add_source(shown, text);
            let text = err.to_string();
            let text = text.split(" at line ").next().unwrap_or(&text);
            let message = match err.classify() {
                serde_json::error::Category::Data => format!("policy file is not accepted: {text}"),
                _ => format!("policy file is not valid JSON: {text}"),
            };
            diags.push(Diagnostic::at(&loc, message).hint(format!(
                "referenced at {}; fix the policy document",
                reference.loc
            )));
            return Vec::new();
        }
    };
    let mut reader = DocReader {
        reference,
        shown,
        diags,
    };
    reader.document(&json)
}

struct DocReader<'a> {
    reference: &'a Sp<String>,
    shown: &'a str,
    diags: &'a mut Diagnostics,
}

impl DocReader<'_> {
    fn fail(&mut self, at: &str, message: impl std::fmt::Display, hint: &str) {
        let message = format!("{} ({at}): {message}", self.shown);
        self.diags
            .push(Diagnostic::at(&self.reference.loc, message).hint(hint.to_owned()));
    }

    fn sp(&self, value: String) -> Sp<String> {
        Sp {
            value,
            loc: self.reference.loc.clone(),
        }
    }

    fn document(&mut self, json: &Json) -> Vec<Statement> {
        let hint = "an IAM policy document is {\"Version\": \"2012-10-17\", \"Statement\": [ … ]}";
        let Some(doc) = json.as_object() else {
            self.fail("top level", "not a JSON policy document", hint);
            return Vec::new();
        };
        for key in doc.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                self.fail(key, format!("unknown key `{key}`"), hint);
            }
        }
        match doc.get("Version").and_then(Json::as_str) {
            Some("2012-10-17") => {}
            _ => self.fail("Version", "`Version` must be \"2012-10-17\"", hint),
        }
        let statements: Vec<&Json> = match doc.get("Statement") {
            Some(Json::Array(items)) => items.iter().collect(),
            Some(one @ Json::Object(_)) => vec![one],
            _ => {
                self.fail("Statement", "missing or malformed `Statement`", hint);
                return Vec::new();
            }
        };
        if statements.is_empty() {
            self.fail("Statement", "the policy has no statements", hint);
        }
        statements
            .into_iter()
            .enumerate()
            .filter_map(|(i, s)| self.statement(i, s))
            .collect()
    }

    fn statement(&mut self, index: usize, json: &Json) -> Option<Statement> {
        let at = format!("Statement[{index}]");
        let hint = "identity policies take Effect, Action or NotAction, Resource or NotResource, and optional Sid and Condition";
        let Some(obj) = json.as_object() else {
            self.fail(&at, "a statement must be a JSON object", hint);
            return None;
        };
        for key in obj.keys() {
            if !STATEMENT_KEYS.contains(&key.as_str()) {
                self.fail(&at, format!("`{key}` is not allowed here"), hint);
            }
        }
        let effect = match obj.get("Effect").and_then(Json::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            _ => {
                self.fail(&at, "`Effect` must be \"Allow\" or \"Deny\"", hint);
                Effect::Allow
            }
        };
        let mut list = |key: &str| -> Vec<Sp<String>> {
            match obj.get(key) {
                None => Vec::new(),
                Some(Json::String(s)) => vec![self.sp(s.clone())],
                Some(Json::Array(items))
                    if !items.is_empty() && items.iter().all(Json::is_string) =>
                {
                    items
                        .iter()
                        .filter_map(Json::as_str)
                        .map(|s| self.sp(s.to_owned()))
                        .collect()
                }
                Some(_) => {
                    self.fail(
                        &at,
                        format!("`{key}` must be a string or a non-empty list of strings"),
                        hint,
                    );
                    Vec::new()
                }
            }
        };
        let actions = list("Action");
        let not_actions = list("NotAction");
        let resources = list("Resource");
        let not_resources = list("NotResource");
        for (a, b) in [("Action", "NotAction"), ("Resource", "NotResource")] {
            if obj.contains_key(a) == obj.contains_key(b) {
                self.fail(&at, format!("needs exactly one of `{a}` or `{b}`"), hint);
            }
        }
        let sid = match obj.get("Sid") {
            None => None,
            Some(Json::String(s)) => Some(self.sp(s.clone())),
            Some(_) => {
                self.fail(&at, "`Sid` must be a string", hint);
                None
            }
        };
        let conditions = obj
            .get("Condition")
            .map(|c| self.conditions(&at, c))
            .unwrap_or_default();
        Some(Statement {
            loc: self.reference.loc.clone(),
            sid,
            effect,
            actions,
            not_actions,
            resources,
            not_resources,
            conditions,
        })
    }

    fn conditions(&mut self, at: &str, json: &Json) -> Vec<Condition> {
        let hint = "a Condition is {\"Operator\": {\"key\": \"value\" or [values]}}";
        let Some(ops) = json.as_object() else {
            self.fail(at, "`Condition` must be an object", hint);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (op, keys) in ops {
            let Some(keys) = keys.as_object() else {
                self.fail(
                    at,
                    format!("condition `{op}` must map keys to values"),
                    hint,
                );
                continue;
            };
            for (key, values) in keys {
                let scalars: Vec<&Json> = match values {
                    Json::Array(items) => items.iter().collect(),
                    one => vec![one],
                };
                let mut texts = Vec::new();
                for value in scalars {
                    match value {
                        Json::String(s) => texts.push(self.sp(s.clone())),
                        Json::Bool(_) | Json::Number(_) => texts.push(self.sp(value.to_string())),
                        _ => self.fail(
                            at,
                            format!("condition `{op}` `{key}` has a non-scalar value"),
                            hint,
                        ),
                    }
                }
                out.push(Condition {
                    operator: self.sp(op.clone()),
                    key: self.sp(key.clone()),
                    values: texts,
                });
            }
        }
        out
    }
}
