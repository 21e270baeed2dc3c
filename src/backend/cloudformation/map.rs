//! Where each role the CloudFormation backend writes lives, in each layout: its stack
//! (split parts included), that stack's template file and name, or the StackSet that
//! deploys it with its template and per-account parameter file. The emitter, the README
//! and the Seqera backend all ask this map; nothing else formats a template file or a
//! stack name. Logical IDs come from `naming` (a StackSet's from the role's name, which all
//! members share; see `Scope::ids`).

use super::naming;
use super::split::{self, Stacks};
use super::stackset::{self, Group};
use super::{Layout, parameter_name};
use crate::diag::Diagnostics;
use crate::ir::{AccountIdx, Graph, RoleIdx, Text, numbered};

/// The folder of the StackSet templates and their parameter files.
const STACKSETS: &str = "stacksets";

pub struct Map {
    pub stacks: Stacks,
    pub groups: Vec<Group>,
    model: String,
    /// Key and id of each account.
    accounts: Vec<(String, String)>,
    /// For each role in a StackSet, its group and its position among the members.
    in_group: Vec<Option<(usize, usize)>>,
}

/// Where a role is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In `stacks.stacks[_]`.
    Stack(usize),
    /// In `groups[group]`, as its `member`th stack instance.
    StackSet { group: usize, member: usize },
}

impl Map {
    pub fn new(graph: &Graph, layout: Layout) -> Result<Map, Diagnostics> {
        naming::check(graph)?;
        let groups = match layout {
            Layout::PerAccount => Vec::new(),
            Layout::Stackset => stackset::groups(graph)?,
        };
        let mut in_group = vec![None; graph.roles.len()];
        for (g, group) in groups.iter().enumerate() {
            for (m, member) in group.members.iter().enumerate() {
                in_group[member.0] = Some((g, m));
            }
        }
        let elsewhere: Vec<bool> = in_group.iter().map(Option::is_some).collect();
        let map = Map {
            stacks: split::split(graph, &elsewhere),
            groups,
            model: graph.name.clone(),
            accounts: graph
                .accounts
                .iter()
                .map(|a| (a.key.clone(), a.id.clone()))
                .collect(),
            in_group,
        };
        naming::check_files(graph, &map.stacks)?;
        Ok(map)
    }

    pub fn place(&self, role: RoleIdx) -> Place {
        match self.in_group[role.0] {
            Some((group, member)) => Place::StackSet { group, member },
            None => Place::Stack(self.stacks.stack_of[role.0]),
        }
    }

    /// `<account>.yaml`, or `<account>-2.yaml`, … for the later parts of a split account.
    pub fn stack_file(&self, stack: usize) -> String {
        let s = &self.stacks.stacks[stack];
        stack_file(&self.accounts[s.account.0].0, s.part)
    }

    /// The name to create the stack under: `<model>-<account>[-<part>]`.
    pub fn stack_name(&self, stack: usize) -> String {
        stack_name(&self.model, &self.stack_key(stack))
    }

    fn stack_key(&self, stack: usize) -> String {
        let s = &self.stacks.stacks[stack];
        stack_key(&self.accounts[s.account.0].0, s.part)
    }

    pub fn stackset_template(&self, group: usize) -> String {
        format!("{STACKSETS}/{}.yaml", self.groups[group].name)
    }

    /// The stack instances' parameter files: `stacksets/<name>/<account id>.json`.
    pub fn parameter_files_pattern(&self, group: usize) -> String {
        format!("{STACKSETS}/{}/<account id>.json", self.groups[group].name)
    }

    pub fn parameter_file(&self, group: usize, account: AccountIdx) -> String {
        let id = &self.accounts[account.0].1;
        format!("{STACKSETS}/{}/{id}.json", self.groups[group].name)
    }

    pub fn stackset_name(&self, group: usize) -> String {
        stack_name(&self.model, &self.groups[group].name)
    }

    /// The parameters of a stack's template: one per input its roles' trust requires.
    pub fn stack_parameters(&self, graph: &Graph, stack: usize) -> Vec<String> {
        let roles = self.stacks.stacks[stack].roles.iter().copied();
        graph
            .inputs_of(roles)
            .iter()
            .map(|i| parameter_name(&i.name))
            .collect()
    }

    /// The parameter of a StackSet template's `slot`th External ID.
    pub fn slot_parameter(&self, slot: usize) -> String {
        parameter_name(&stackset::slot_name(slot))
    }

    /// The parameter that takes input `input`'s value where `role` is deployed: the
    /// input's own in a stack, the External ID slot it fills in a StackSet.
    pub fn input_parameter(&self, role: RoleIdx, input: &str) -> Option<String> {
        match self.place(role) {
            Place::Stack(_) => Some(parameter_name(input)),
            Place::StackSet { group, member } => self.groups[group].values[member]
                .iter()
                .position(|v| matches!(v, Text::Input(name) if name == input))
                .map(|slot| self.slot_parameter(slot)),
        }
    }
}

/// The template file of part `part` (from 0) of an account's stack.
pub fn stack_file(account: &str, part: usize) -> String {
    format!("{}.yaml", stack_key(account, part))
}

/// `<account>`, or `<account>-2`, … for the later parts of a split account.
fn stack_key(account: &str, part: usize) -> String {
    numbered(account, "-", part)
}

/// Stack names are `[A-Za-z][-A-Za-z0-9]*`, at most 128 characters.
fn stack_name(model: &str, key: &str) -> String {
    let raw = format!("{model}-{key}");
    let mut name: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "rg-");
    }
    name.truncate(128);
    name
}
