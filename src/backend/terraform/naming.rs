//! Terraform addresses for every block rolegraph emits. Two model keys that differ only
//! in case or in `-` against `_` would map to one address; that is reported at the model
//! position instead of producing a module Terraform rejects.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use foldhash::fast::RandomState;

use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::ir::{AccountIdx, Graph, RoleIdx};

/// Files of the root module that are not per-account files.
pub const FIXED_FILES: [&str; 4] = ["versions", "providers", "variables", "outputs"];

/// Names Terraform does not allow for a variable.
const RESERVED_VARIABLES: [&str; 8] = [
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "lifecycle",
    "depends_on",
    "locals",
];

pub struct Names {
    /// Every role's labels, one after the other: a 1,000-account model has ten thousand,
    /// and none needs a string of its own.
    text: String,
    /// Where each label in `text` ends.
    ends: Vec<usize>,
    roles: Vec<Counts>,
    /// Provider alias per account, e.g. `management` for `aws.management`.
    pub aliases: Vec<String>,
    pub region_vars: Vec<String>,
}

/// Where a role's labels start among all labels, and how many it has of each list.
#[derive(Clone, Copy)]
struct Counts {
    first: usize,
    assume: usize,
    inline: usize,
    managed: usize,
}

/// The labels of one role.
#[derive(Clone, Copy)]
pub struct RoleNames<'a> {
    names: &'a Names,
    counts: Counts,
}

/// The labels every role has, in the order `role_names` writes them, before its lists:
/// the role's own, its ARN output, its instance profile output and its trust document.
const FIXED_LABELS: usize = 4;

impl<'a> RoleNames<'a> {
    /// The label of the role and its instance profile; every other label derives from it.
    pub fn role(self) -> &'a str {
        self.label(0)
    }

    /// The root module's output of the role's ARN.
    pub fn arn_output(self) -> &'a str {
        self.label(1)
    }

    /// The root module's output of the role's instance profile name.
    pub fn profile_output(self) -> &'a str {
        self.label(2)
    }

    pub fn trust_doc(self) -> &'a str {
        self.label(3)
    }

    /// One label per generated `-assume` policy: `<role>_assume`, `<role>_assume_2`, …
    pub fn assume(self) -> impl Iterator<Item = &'a str> {
        self.labels(FIXED_LABELS, self.counts.assume)
    }

    pub fn inline(self) -> impl Iterator<Item = &'a str> {
        self.labels(FIXED_LABELS + self.counts.assume, self.counts.inline)
    }

    pub fn managed(self) -> impl Iterator<Item = &'a str> {
        let first = FIXED_LABELS + self.counts.assume + self.counts.inline;
        self.labels(first, self.counts.managed)
    }

    fn labels(self, first: usize, count: usize) -> impl Iterator<Item = &'a str> {
        (first..first + count).map(move |i| self.label(i))
    }

    fn label(self, i: usize) -> &'a str {
        self.names.label(self.counts.first + i)
    }
}

impl Names {
    pub fn role(&self, idx: RoleIdx) -> RoleNames<'_> {
        RoleNames {
            names: self,
            counts: self.roles[idx.0],
        }
    }

    fn label(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.text[start..self.ends[i]]
    }
}

/// Lowercase snake case, Terraform's convention for labels.
pub fn ident(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 1);
    push_ident(&mut out, key);
    out
}

/// Appends `ident(key)` to `out`.
fn push_ident(out: &mut String, key: &str) {
    // A label starts with a letter or `_`: every other character maps to one of those,
    // except a digit.
    if key.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        out.push('_');
    }
    out.extend(key.chars().map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        }
    }));
}

/// Who claims a label, kept as indexes into the graph so that its description is written
/// only when two claims collide (ten thousand labels for a 1,000-account model, no clash).
#[derive(Clone, Copy)]
enum Claimant {
    File(&'static str),
    Account(AccountIdx),
    Input(usize),
    Role(RoleIdx, Part),
}

#[derive(Clone, Copy)]
enum Part {
    Itself,
    ArnOutput,
    InstanceProfile,
    ProfileOutput,
    TrustPolicy,
    Assume(usize),
    Inline(usize),
    Managed(usize),
}

impl Claimant {
    fn describe(self, graph: &Graph) -> String {
        let (role, part) = match self {
            Claimant::File(file) => return format!("the module's own `{file}.tf`"),
            Claimant::Account(a) => return format!("account `{}`", graph.accounts[a.0].key),
            Claimant::Input(i) => return format!("input `{}`", graph.inputs[i].name),
            Claimant::Role(idx, part) => (graph.role(idx), part),
        };
        let thing = match part {
            Part::Itself => return format!("role `{}`", role.key),
            Part::ArnOutput => "the ARN output".to_owned(),
            Part::InstanceProfile => "the instance profile".to_owned(),
            Part::ProfileOutput => "the instance profile output".to_owned(),
            Part::TrustPolicy => "the trust policy".to_owned(),
            Part::Assume(n) => format!("policy `{}`", role.assume[n].name),
            Part::Inline(n) => format!("policy `{}`", role.inline_policies[n].name),
            Part::Managed(n) => format!("managed policy `{}`", role.managed_policies[n]),
        };
        format!("{thing} of role `{}`", role.key)
    }
}

/// Labels already taken, per namespace (resource type, `data.` type, variable, output,
/// file). The labels are borrowed from the names already worked out: ten thousand of them
/// for a 1,000-account model, and the registry copies none.
struct Registry<'g, 'n> {
    graph: &'g Graph,
    taken: HashMap<(&'static str, &'n str), Claimant, RandomState>,
    /// One collision per model position: a role key that clashes clashes in every label.
    reported: BTreeSet<Loc>,
    diags: Diagnostics,
}

impl<'n> Registry<'_, 'n> {
    fn claim(&mut self, namespace: &'static str, label: &'n str, loc: &Loc, who: Claimant) {
        let first = match self.taken.entry((namespace, label)) {
            Entry::Occupied(first) => *first.get(),
            Entry::Vacant(slot) => {
                slot.insert(who);
                return;
            }
        };
        if !self.reported.insert(loc.clone()) {
            return;
        }
        let (what, first) = (who.describe(self.graph), first.describe(self.graph));
        let message =
            format!("{what} and {first} would both become Terraform `{namespace}.{label}`");
        self.diags.push(
            Diagnostic::at(loc, message)
                .hint("rename one key: Terraform labels are lowercase, with `-` written as `_`"),
        );
    }
}

/// Every label of the Terraform backend, or a diagnostic for each model position whose
/// label another key already takes. The names are worked out first, then claimed in
/// model order, so that the first key written keeps its label.
pub fn names(graph: &Graph) -> Result<Names, Diagnostics> {
    let aliases: Vec<String> = graph.accounts.iter().map(|a| ident(&a.key)).collect();
    let region_vars: Vec<String> = aliases.iter().map(|a| ["region_", a].concat()).collect();
    let files: Vec<String> = graph
        .accounts
        .iter()
        .map(|a| a.key.to_ascii_lowercase())
        .collect();
    // Sized for the usual role: a key of a few words, four labels and two or three policies.
    let mut names = Names {
        text: String::with_capacity(160 * graph.roles.len()),
        ends: Vec::with_capacity(7 * graph.roles.len()),
        roles: Vec::with_capacity(graph.roles.len()),
        aliases,
        region_vars,
    };
    for i in 0..graph.roles.len() {
        role_names(graph, RoleIdx(i), &mut names);
    }
    let diags = {
        let labels = FIXED_FILES.len() + 3 * graph.accounts.len() + graph.inputs.len();
        let mut reg = Registry {
            graph,
            taken: HashMap::with_capacity_and_hasher(
                labels + 8 * graph.roles.len(),
                RandomState::default(),
            ),
            reported: BTreeSet::new(),
            diags: Diagnostics::default(),
        };
        for fixed in FIXED_FILES {
            reg.taken.insert(("file", fixed), Claimant::File(fixed));
        }
        for (a, account) in graph.accounts.iter().enumerate() {
            let who = Claimant::Account(AccountIdx(a));
            reg.claim("file", &files[a], &account.loc, who);
            reg.claim("provider aws", &names.aliases[a], &account.loc, who);
            if account.region.is_none() {
                reg.claim("var", &names.region_vars[a], &account.loc, who);
            }
        }
        for (i, input) in graph.inputs.iter().enumerate() {
            if RESERVED_VARIABLES.contains(&input.name.as_str()) {
                let message = format!("input `{}` is a name Terraform reserves", input.name);
                reg.diags.push(Diagnostic::at(&input.loc, message).hint(
                    "Terraform variables cannot be called source, version, providers, count, for_each, lifecycle, depends_on or locals; rename the input",
                ));
            }
            reg.claim("var", &input.name, &input.loc, Claimant::Input(i));
        }
        for i in 0..graph.roles.len() {
            claim_role(&mut reg, names.role(RoleIdx(i)), RoleIdx(i));
        }
        reg.diags
    };
    diags.into_result(names)
}

/// Appends the labels of role `idx` to `names`, in the order `RoleNames` reads them.
fn role_names(graph: &Graph, idx: RoleIdx, names: &mut Names) {
    let role = graph.role(idx);
    let Names { text, ends, .. } = names;
    let first = ends.len();
    let start = text.len();
    push_ident(text, &role.key);
    let base = start..text.len();
    ends.push(text.len());
    let mut label = |suffix: &dyn Fn(&mut String)| {
        text.extend_from_within(base.clone());
        suffix(text);
        ends.push(text.len());
    };
    label(&|t| t.push_str("_role_arn"));
    label(&|t| t.push_str("_instance_profile_name"));
    label(&|t| t.push_str("_trust"));
    for n in 0..role.assume.len() {
        label(&|t| {
            t.push_str("_assume");
            crate::ir::push_number(t, "_", n);
        });
    }
    for policy in &role.inline_policies {
        label(&|t| {
            t.push('_');
            push_ident(t, &policy.name);
        });
    }
    for arn in &role.managed_policies {
        let name = arn.rsplit('/').next().unwrap_or(arn);
        label(&|t| {
            t.push('_');
            push_ident(t, name);
        });
    }
    names.roles.push(Counts {
        first,
        assume: role.assume.len(),
        inline: role.inline_policies.len(),
        managed: role.managed_policies.len(),
    });
}

/// Claims every label of one role, in the order its blocks are written.
fn claim_role<'n>(reg: &mut Registry<'_, 'n>, names: RoleNames<'n>, idx: RoleIdx) {
    let role = reg.graph.role(idx);
    let who = |part| Claimant::Role(idx, part);
    let loc = &role.loc;
    reg.claim("aws_iam_role", names.role(), loc, who(Part::Itself));
    reg.claim("output", names.arn_output(), loc, who(Part::ArnOutput));
    if role.instance_profile.is_some() {
        let profile = who(Part::InstanceProfile);
        reg.claim("aws_iam_instance_profile", names.role(), loc, profile);
        let output = who(Part::ProfileOutput);
        reg.claim("output", names.profile_output(), loc, output);
    }
    let trust = who(Part::TrustPolicy);
    reg.claim(
        "data.aws_iam_policy_document",
        names.trust_doc(),
        loc,
        trust,
    );
    for (n, label) in names.assume().enumerate() {
        let w = who(Part::Assume(n));
        reg.claim("data.aws_iam_policy_document", label, loc, w);
        reg.claim("aws_iam_policy", label, loc, w);
        reg.claim("aws_iam_role_policy_attachment", label, loc, w);
    }
    for (n, (label, policy)) in names.inline().zip(&role.inline_policies).enumerate() {
        let w = who(Part::Inline(n));
        reg.claim("data.aws_iam_policy_document", label, &policy.loc, w);
        reg.claim("aws_iam_role_policy", label, &policy.loc, w);
    }
    for (n, label) in names.managed().enumerate() {
        let w = who(Part::Managed(n));
        reg.claim("aws_iam_role_policy_attachment", label, loc, w);
    }
}

impl Names {
    pub fn alias(&self, account: AccountIdx) -> &str {
        &self.aliases[account.0]
    }
}

#[cfg(test)]
mod tests {
    use super::ident;

    /// Each character becomes a lowercase letter, a digit or `_`, and a label that would
    /// start with a digit (or be empty) gets a leading `_`.
    #[test]
    fn labels_are_lowercase_snake_case() {
        let cases = [
            ("seqera-prod", "seqera_prod"),
            ("Prod_EU", "prod_eu"),
            ("-a", "_a"),
            ("_x", "_x"),
            ("9x", "_9x"),
            ("", "_"),
            ("é", "_"),
            ("éa9", "_a9"),
            ("a.b c", "a_b_c"),
        ];
        for (key, label) in cases {
            assert_eq!(ident(key), label, "key {key:?}");
        }
    }
}
