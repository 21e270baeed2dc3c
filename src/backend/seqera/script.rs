//! `credentials.sh`, built from argument lists and quoted for the shell, not templated.
//! Its fixed part (`HELPERS`) checks tw and the endpoint, creates a credential unless
//! it is recorded, and writes a file atomically; the generated part calls them once per
//! credential and writes each ID file (`ids.rs`) from a here-document.

use super::ids::{Format, IdFile, RECORD, Value};
use crate::backend::header::header;
use crate::ir::Graph;
use crate::ir::seqera::SeqeraSetup;
use crate::platform;

/// Plain bash 3.2 (macOS's): no associative arrays, no `{m,n}` bounds above 255.
const HELPERS: &str = include_str!("credentials-helpers.sh");

pub fn credentials(graph: &Graph, seqera: &SeqeraSetup, files: &[IdFile]) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str(&header(graph, "#"));
    out.push_str("#\n");
    out.push_str(&about(seqera, files));
    out.push_str("set -euo pipefail\ncd \"$(dirname \"$0\")\"\n\n");
    out.push_str(&format!(
        "tw_min={}\nrecord={RECORD}\nrole_mode={}\nfailed=\n\n",
        platform::TW_MIN,
        match seqera.allow_instance_credentials {
            true => "",
            false => "1",
        }
    ));
    out.push_str(HELPERS);
    out.push_str("\ncheck_tw\ncheck_platform\n");
    for (n, c) in seqera.credentials.iter().enumerate() {
        let role = graph.role(c.role);
        let account = graph.account(role.account);
        out.push_str(&format!(
            "\n# {}: role {} in account {} ({})\nadd_credential {} {} {}\n",
            c.workspace,
            role.key,
            account.key,
            account.id,
            quote(&c.workspace),
            quote(&c.name),
            quote(&graph.role_arn(c.role)),
        ));
        let used = files
            .iter()
            .flat_map(|f| &f.entries)
            .any(|(_, v)| *v == Value::Credential(n));
        if used {
            out.push_str(&format!("id_{}=$external_id\n", n + 1));
        }
    }
    out.push_str("\nstop_if_failed\n");
    for file in files {
        out.push_str(&format!(
            "\nwrite_file {} <<EOF\n{}EOF\n",
            quote(&file.path),
            body(file)
        ));
    }
    out
}

/// The comment at the top: what the script does in this mode, and the files it writes.
fn about(seqera: &SeqeraSetup, files: &[IdFile]) -> String {
    let mut out = String::new();
    if seqera.allow_instance_credentials {
        out.push_str(
            "# Instance credentials are on (tower.env): each credential carries no keys,\n",
        );
        out.push_str("# and Platform assumes its role with the EC2 instance role, without an\n");
        out.push_str("# External ID.\n");
    } else {
        out.push_str(
            "# Role mode: Platform generates an External ID for each credential when it is\n",
        );
        out.push_str(
            "# saved, and tw prints it. This script records each one and writes the files\n",
        );
        out.push_str("# that the README's next steps read:\n");
        for file in files {
            out.push_str(&format!("#   {}\n", file.path));
        }
    }
    out.push_str(&format!(
        "# It keeps its record in {RECORD}; run again, it creates only the credentials\n\
         # it has no record of. rolegraph never writes, owns or deletes these files.\n\
         # Needs tw {} or later, TOWER_ACCESS_TOKEN, and TOWER_API_ENDPOINT for Seqera\n\
         # Enterprise.\n",
        platform::TW_MIN
    ));
    out
}

/// The file's JSON, as a here-document body: `${id_N}` where a credential's ID goes.
fn body(file: &IdFile) -> String {
    let mut lines: Vec<String> = Vec::new();
    for (key, value) in &file.entries {
        let line = match file.format {
            Format::Tfvars => format!("  {}: {}", json(&[Part::Text(key)]), json_value(value)),
            Format::KeyValueList => {
                let prefix = format!("{key}=");
                let mut parts = vec![Part::Text(&prefix)];
                parts.extend(value_parts(value));
                format!("  {}", json(&parts))
            }
            Format::ParameterList => format!(
                "  {{\n    \"ParameterKey\": {},\n    \"ParameterValue\": {}\n  }}",
                json(&[Part::Text(key)]),
                json_value(value)
            ),
        };
        lines.push(line);
    }
    let (open, close) = match file.format {
        Format::Tfvars => ("{", "}"),
        Format::KeyValueList | Format::ParameterList => ("[", "]"),
    };
    format!("{open}\n{}\n{close}\n", lines.join(",\n"))
}

enum Part<'a> {
    Text(&'a str),
    /// The `n`th credential's ID, as the script's variable.
    Id(usize),
}

fn value_parts(value: &Value) -> Vec<Part<'_>> {
    match value {
        Value::Credential(n) => vec![Part::Id(*n)],
        Value::Fixed(s) => vec![Part::Text(s)],
    }
}

fn json_value(value: &Value) -> String {
    json(&value_parts(value))
}

/// A JSON string of `parts`, escaped for an unquoted here-document: text is JSON-escaped
/// and then `\`, `$` and `` ` `` are escaped for the shell. The script checks each ID
/// against AWS's External ID characters before it writes, so `${id_N}` needs no escape.
fn json(parts: &[Part]) -> String {
    let mut out = String::from("\"");
    for part in parts {
        match part {
            Part::Text(text) => {
                let quoted = serde_json::to_string(text).unwrap_or_default();
                let inner = &quoted[1..quoted.len() - 1];
                for c in inner.chars() {
                    if matches!(c, '\\' | '$' | '`') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Part::Id(n) => out.push_str(&format!("${{id_{}}}", n + 1)),
        }
    }
    out.push('"');
    out
}

/// Single-quotes a word for POSIX shells unless it is made of safe characters only.
pub(super) fn quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=+,".contains(c));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::{Part, json, quote};

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(quote("acme/production"), "acme/production");
        assert_eq!(quote("arn:aws:iam::1:role/a/B"), "arn:aws:iam::1:role/a/B");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("$(x)"), "'$(x)'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn here_document_json_expands_only_the_ids() {
        assert_eq!(json(&[Part::Text("K="), Part::Id(0)]), "\"K=${id_1}\"");
        assert_eq!(
            json(&[Part::Text("a\"$b`\\")]),
            "\"a\\\\\"\\$b\\`\\\\\\\\\""
        );
    }
}
