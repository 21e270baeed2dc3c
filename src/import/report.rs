//! What `import` tells its user: what it found, what it turned into edges, what it folded
//! away (and how to delete it once adopted), what it skipped and what it could not say.

use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub model: String,
    pub accounts: Vec<AccountLine>,
    pub roles: usize,
    pub edges: Vec<Edge>,
    pub folded: Vec<Folded>,
    pub skipped: Skipped,
    pub warnings: Vec<String>,
    /// Role and reason: what the model cannot express. Import exits 1 when there is any.
    pub inexpressible: Vec<Inexpressible>,
}

#[derive(Debug, Serialize)]
pub struct AccountLine {
    pub key: String,
    pub id: String,
    /// Whether `--account` named it; otherwise the key was derived from the id.
    pub named: bool,
    pub roles: usize,
}

#[derive(Debug, Serialize)]
pub struct Edge {
    pub source: String,
    pub target: String,
    pub external_id: bool,
    pub session_tags: bool,
}

#[derive(Debug, Serialize)]
pub struct Folded {
    pub account: String,
    pub role: String,
    /// The inline policy's name, or the managed policy's.
    pub policy: String,
    pub managed_arn: Option<String>,
    /// The role ARNs whose grant the model now writes.
    pub targets: Vec<String>,
    /// Nothing is left of the policy: the generated grant replaces it.
    pub replaced: bool,
    /// It is the generated grant itself (`<role>-assume`): adoption imports it.
    pub generated: bool,
    /// The commands that delete it once the model's grant is deployed.
    pub delete: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Skipped {
    pub service_linked_roles: usize,
    pub aws_reserved_roles: usize,
    pub users: usize,
    pub groups: usize,
    pub not_included: usize,
}

#[derive(Debug, Serialize)]
pub struct Inexpressible {
    pub account: String,
    pub role: String,
    pub reason: String,
}

impl Report {
    pub fn text(&self, model_path: &str) -> String {
        let mut out = format!(
            "imported {} and {} into {model_path}\n",
            crate::diag::plural(self.accounts.len(), "account"),
            crate::diag::plural(self.roles, "role")
        );
        for a in &self.accounts {
            let how = if a.named {
                String::new()
            } else {
                format!(
                    " (key derived from the id; name it with --account KEY={})",
                    a.id
                )
            };
            out += &format!(
                "  account {} = {}: {}{how}\n",
                a.key,
                a.id,
                crate::diag::plural(a.roles, "role")
            );
        }
        out += &format!("edges recovered: {}\n", self.edges.len());
        for e in &self.edges {
            let mut with = Vec::new();
            if e.external_id {
                with.push("External ID");
            }
            if e.session_tags {
                with.push("session tags");
            }
            let with = if with.is_empty() {
                String::new()
            } else {
                format!(" ({})", with.join(", "))
            };
            out += &format!("  {} → {}{with}\n", e.source, e.target);
        }
        if !self.folded.is_empty() {
            out += "folded grants (the model's generated grant now holds them):\n";
        }
        for f in &self.folded {
            let kind = if f.managed_arn.is_some() {
                "managed policy"
            } else {
                "inline policy"
            };
            let what = if f.generated {
                "is the generated grant; `generate --adopt` imports it".to_owned()
            } else if f.replaced {
                format!(
                    "replaced by the generated grant; once adopted, delete it: {}",
                    f.delete.join(" && ")
                )
            } else {
                "keeps its other statements".to_owned()
            };
            out += &format!(
                "  {} {kind} {}: {} folded; {what}\n",
                f.role,
                f.policy,
                crate::diag::plural(f.targets.len(), "target")
            );
        }
        let s = &self.skipped;
        out += &format!(
            "skipped: {}, {}, {}, {}, {} not matching --include\n",
            crate::diag::plural(s.service_linked_roles, "service-linked role"),
            crate::diag::plural(s.aws_reserved_roles, "AWS-reserved role"),
            crate::diag::plural(s.users, "user"),
            crate::diag::plural(s.groups, "group"),
            crate::diag::plural(s.not_included, "role"),
        );
        for w in &self.warnings {
            out += &format!("warning: {w}\n");
        }
        for i in &self.inexpressible {
            out += &format!(
                "not expressible: {} in {}: {}\n",
                i.role, i.account, i.reason
            );
        }
        out
    }
}
