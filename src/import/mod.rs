//! `rolegraph import`: a model recovered from accounts that already exist. The roles
//! become model roles; where a trust policy names an imported role that holds the
//! matching grant, the pair becomes one `role:` edge and the grant is folded away, since
//! the model writes it again. Everything else stays as it is written in IAM, or is
//! reported as what the model cannot say.

mod build;
pub mod doc;
mod edges;
mod grants;
pub mod report;
mod role;
mod statement;
mod trust;

use crate::live;

pub use build::import;
pub use report::Report;

/// What the command line says about the import.
pub struct Options {
    /// `--account KEY=ID`, by id.
    pub keys: Vec<(String, String)>,
    pub name: String,
    /// Only roles whose `path + name` matches.
    pub include: Option<regex::Regex>,
    /// Every policy inline in the model, however long (no `policies/` files): for a
    /// model that is compiled in memory and never written (`lint --live`).
    pub inline_only: bool,
}

/// The model, the policy files it references (relative path → text), and the report.
pub struct Imported {
    pub model: doc::Model,
    pub files: Vec<(String, String)>,
    pub report: Report,
}

/// The account key for `id`: the one given with `--account`, or `account-<id>`.
pub fn account_key(options: &Options, account: &live::Account) -> (String, bool) {
    match options.keys.iter().find(|(_, id)| *id == account.id) {
        Some((key, _)) => (key.clone(), true),
        None => (format!("account-{}", account.id), false),
    }
}
