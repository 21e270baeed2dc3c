//! `credentials.sh`, built from argument lists and quoted for the shell, not templated.

use crate::backend::header::header;
use crate::ir::Graph;
use crate::ir::seqera::SeqeraSetup;
use crate::platform;

/// One `tw credentials add aws` per credential: `--mode role` when Platform generates the
/// External IDs (instance credentials off), the keys-less form that uses the instance
/// role otherwise. tw prints the External ID Platform generates from 0.33.0 on.
pub fn credentials(graph: &Graph, seqera: &SeqeraSetup) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str(&header(graph, "#"));
    out.push_str("#\n");
    if seqera.allow_instance_credentials {
        out.push_str(
            "# Instance credentials are on (tower.env): each credential carries no keys, and\n",
        );
        out.push_str(
            "# Platform assumes its role with the EC2 instance role, without an External ID.\n",
        );
    } else {
        out.push_str(
            "# Role mode: Platform generates an External ID for each credential when it is\n",
        );
        out.push_str(
            "# saved, and tw prints it. Pass each one to its role's deployment (README.md).\n",
        );
    }
    out.push_str(&format!(
        "# Needs tw {} or later, with TOWER_ACCESS_TOKEN set.\nset -euo pipefail\n",
        platform::TW_MIN
    ));
    for c in &seqera.credentials {
        let role = graph.role(c.role);
        let account = graph.account(role.account);
        let mut args = vec![
            ("-n", c.name.clone()),
            ("-w", c.workspace.clone()),
            ("-r", graph.role_arn(c.role)),
        ];
        if !seqera.allow_instance_credentials {
            args.push(("--mode", "role".to_owned()));
        }
        out.push_str(&format!(
            "\n# {}: role {} in account {} ({})\ntw credentials add aws",
            c.workspace, role.key, account.key, account.id
        ));
        for (flag, value) in args {
            out.push_str(&format!(" \\\n  {flag} {}", quote(&value)));
        }
        out.push('\n');
    }
    out
}

/// Single-quotes a word for POSIX shells unless it is made of safe characters only.
fn quote(word: &str) -> String {
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
    use super::quote;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(quote("acme/production"), "acme/production");
        assert_eq!(quote("arn:aws:iam::1:role/a/B"), "arn:aws:iam::1:role/a/B");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("$(x)"), "'$(x)'");
        assert_eq!(quote(""), "''");
    }
}
