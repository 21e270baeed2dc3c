//! CloudFormation logical IDs: alphanumeric only, unique across a template's parameters
//! and resources. Keys that differ only in `-`, `_` or case can map to one ID; that is
//! reported at the model position.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use foldhash::fast::RandomState;

use super::map;
use super::split::Stacks;
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::ir::{AccountIdx, Graph, Input, RoleIdx};

/// `seqera-prod_role` → `SeqeraProdRole`: the runs of ASCII letters and digits, each with
/// its first letter in upper case.
pub fn pascal(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    push_pascal(&mut out, key);
    out
}

/// Appends `pascal(key)` to `out`.
fn push_pascal(out: &mut String, key: &str) {
    let mut word_start = true;
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if word_start {
                c.to_ascii_uppercase()
            } else {
                c
            });
            word_start = false;
        } else {
            word_start = true;
        }
    }
}

pub struct RoleIds {
    pub role: String,
    pub profile: String,
    base: String,
}

/// What follows a role's PascalCase key in the logical IDs of its role, its instance
/// profile and its `-assume` policies; `RoleIds` and `check` both spell them from here.
const ROLE: &str = "Role";
const INSTANCE_PROFILE: &str = "InstanceProfile";
const ASSUME_POLICY: &str = "AssumePolicy";

impl RoleIds {
    pub fn new(key: &str) -> Self {
        let base = pascal(key);
        RoleIds {
            role: [&base, ROLE].concat(),
            profile: [&base, INSTANCE_PROFILE].concat(),
            base,
        }
    }

    /// The `n`th (from 0) of the role's generated `-assume` policies:
    /// `<Base>AssumePolicy`, `<Base>AssumePolicy2`, …
    pub fn assume(&self, n: usize) -> String {
        let mut id = [&self.base, ASSUME_POLICY].concat();
        push_number(&mut id, n);
        id
    }
}

/// The number of the `n`th (from 0) of a series of logical IDs, which have no separator.
fn push_number(id: &mut String, n: usize) {
    crate::ir::push_number(id, "", n);
}

/// Template files must differ in more than case (file systems that ignore case would
/// merge them): `prod-2.yaml` is both account `prod-2`'s template and the second part of
/// account `prod`'s.
pub fn check_files(graph: &Graph, stacks: &Stacks) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut files: HashMap<String, &str, RandomState> =
        HashMap::with_capacity_and_hasher(stacks.stacks.len(), RandomState::default());
    for stack in &stacks.stacks {
        let account = graph.account(stack.account);
        let mut file = map::stack_file(&account.key, stack.part);
        file.make_ascii_lowercase();
        match files.entry(file) {
            Entry::Occupied(first) if *first.get() != account.key => {
                let file = map::stack_file(&account.key, stack.part);
                let first = first.get();
                diags.push(collision(
                    &account.loc,
                    &file,
                    "account",
                    &account.key,
                    first,
                ));
            }
            Entry::Occupied(_) => {}
            Entry::Vacant(slot) => {
                slot.insert(&account.key);
            }
        }
    }
    diags.into_result(())
}

/// What takes a logical ID, described only when two take the same one.
#[derive(Clone, Copy)]
enum Owner<'g> {
    Role(RoleIdx),
    InstanceProfile(RoleIdx),
    Assume(RoleIdx, usize),
    Input(&'g Input),
}

impl Owner<'_> {
    fn describe(self, graph: &Graph) -> String {
        match self {
            Owner::Role(r) => format!("role `{}`", graph.role(r).key),
            Owner::InstanceProfile(r) => {
                format!("the instance profile of role `{}`", graph.role(r).key)
            }
            Owner::Assume(r, n) => {
                let role = graph.role(r);
                format!("policy `{}` of role `{}`", role.assume[n].name, role.key)
            }
            Owner::Input(input) => format!("input `{}`", input.name),
        }
    }
}

/// The logical IDs of one template in the order they are claimed, written one after the
/// other into one buffer that serves every template: a 1,000-account model claims
/// thousands of IDs and none of them needs a string of its own.
#[derive(Default)]
struct Claims<'g> {
    text: String,
    ids: Vec<(std::ops::Range<usize>, &'g Loc, Owner<'g>)>,
    /// Scratch for `collisions`.
    order: Vec<usize>,
}

impl<'g> Claims<'g> {
    fn clear(&mut self) {
        self.text.clear();
        self.ids.clear();
    }

    /// Claims the ID that `write` appends to the buffer.
    fn claim(&mut self, loc: &'g Loc, owner: Owner<'g>, write: impl FnOnce(&mut String)) {
        let start = self.text.len();
        write(&mut self.text);
        self.ids.push((start..self.text.len(), loc, owner));
    }

    /// Each claim of an ID that an earlier claim took, with that first claim, in the order
    /// they were made.
    fn collisions(&mut self, graph: &Graph, diags: &mut Diagnostics) {
        if self.ids.len() < 2 {
            return;
        }
        let (text, ids) = (&self.text, &self.ids);
        let id = |i: usize| &text[ids[i].0.clone()];
        self.order.clear();
        self.order.extend(0..ids.len());
        self.order
            .sort_unstable_by(|&a, &b| id(a).cmp(id(b)).then(a.cmp(&b)));
        let mut later: Vec<(usize, usize)> = self
            .order
            .chunk_by(|&a, &b| id(a) == id(b))
            .flat_map(|same| same[1..].iter().map(|&i| (i, same[0])))
            .collect();
        later.sort_unstable();
        for (i, first) in later {
            let (_, loc, owner) = ids[i];
            let (what, first) = (owner.describe(graph), ids[first].2.describe(graph));
            diags.push(
                Diagnostic::at(
                    loc,
                    format!(
                        "{what} and {first} would both become CloudFormation logical ID `{}`",
                        id(i)
                    ),
                )
                .hint("rename one key: logical IDs keep letters and digits only"),
            );
        }
    }
}

/// Checks that the IDs a template will use are distinct.
pub fn check(graph: &Graph) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut claims = Claims::default();
    for (i, _) in graph.accounts.iter().enumerate() {
        claims.clear();
        for (idx, role) in graph.roles_in(AccountIdx(i)) {
            let loc = &role.loc;
            claims.claim(loc, Owner::Role(idx), |out| {
                push_pascal(out, &role.key);
                out.push_str(ROLE);
            });
            if role.instance_profile.is_some() {
                claims.claim(loc, Owner::InstanceProfile(idx), |out| {
                    push_pascal(out, &role.key);
                    out.push_str(INSTANCE_PROFILE);
                });
            }
            for n in 0..role.assume.len() {
                claims.claim(loc, Owner::Assume(idx, n), |out| {
                    push_pascal(out, &role.key);
                    out.push_str(ASSUME_POLICY);
                    push_number(out, n);
                });
            }
        }
        for input in graph.inputs_in(AccountIdx(i)) {
            claims.claim(&input.loc, Owner::Input(input), |out| {
                push_pascal(out, &input.name);
            });
        }
        claims.collisions(graph, &mut diags);
    }
    diags.into_result(())
}

fn collision(loc: &Loc, file: &str, kind: &str, key: &str, first: &str) -> Diagnostic {
    Diagnostic::at(
        loc,
        format!("{kind} `{key}` and account `{first}` would both write cloudformation/{file}"),
    )
    .hint("file names ignore case on some systems, and a large account's templates are numbered (`<account>-2.yaml`); rename one key")
}

#[cfg(test)]
mod tests {
    use super::pascal;

    /// The runs of ASCII letters and digits, each capitalised; everything else is dropped.
    #[test]
    fn logical_ids_are_pascal_case() {
        let cases = [
            ("seqera-prod_role", "SeqeraProdRole"),
            ("a--b", "AB"),
            ("x9y", "X9y"),
            ("9lives", "9lives"),
            ("é-a", "A"),
            ("aéb", "AB"),
            ("", ""),
        ];
        for (key, id) in cases {
            assert_eq!(pascal(key), id, "key {key:?}");
        }
    }
}
