//! The shell commands of the README's steps, built from the other backends' maps so that
//! every folder, address, stack and file name is the one they write. Each block runs
//! from `seqera/` as it stands: Terraform with `-chdir`, CloudFormation with paths to
//! `../cloudformation`, and the ID files that `credentials.sh` wrote read in place.

use serde::Serialize;

use super::Maps;
use super::ids;
use super::script::quote;
use crate::backend::cloudformation::map::Place;
use crate::ir::seqera::SeqeraSetup;
use crate::ir::{AccountIdx, Graph, RoleIdx};

/// The variable that names the bucket `aws cloudformation deploy` uploads a template to
/// when it is too big to pass as a body.
pub const S3_BUCKET: &str = "TEMPLATE_BUCKET";

/// The commands of one tool, run in one account where the tool needs it said.
#[derive(Debug, Serialize)]
pub struct Block {
    /// `Terraform`, or `CloudFormation, as account <key> (<id>)`: the line before the code.
    pub title: String,
    pub text: String,
}

/// Where the README's commands come from: the other backends' maps.
pub struct Steps<'a> {
    pub graph: &'a Graph,
    pub seqera: &'a SeqeraSetup,
    pub maps: &'a Maps,
    /// For each stack, whether its template goes through S3 (rendered once to know).
    pub through_s3: Vec<bool>,
}

impl Steps<'_> {
    /// Step 1: the platform role and its instance profile, before any credential.
    pub fn management(&self) -> Vec<Block> {
        let platform = self.seqera.platform_role;
        let account = self.graph.role(platform).account;
        let folder = self.terraform_folder(account);
        let chdir = quote(&format!("-chdir={folder}"));
        let mut apply = format!("terraform {chdir} apply");
        let tf = &self.maps.terraform;
        apply.push_str(&format!(" -target={}", quote(&tf.role_address(platform))));
        if self.graph.role(platform).instance_profile.is_some() {
            let address = tf.instance_profile_address(platform);
            apply.push_str(&format!(" -target={}", quote(&address)));
        }
        for input in tf.root_inputs(self.graph, account) {
            apply.push_str(&format!(" -var {}=pending", input.name));
        }
        let terraform = Block {
            title: "Terraform".into(),
            text: format!("terraform {chdir} init\n{apply}"),
        };
        let cfn = &self.maps.cloudformation;
        let text = match cfn.place(platform) {
            Place::Stack(stack) => {
                let random: Vec<String> = cfn
                    .stack_parameters(self.graph, stack)
                    .iter()
                    .map(|p| format!("{p}=$(openssl rand -hex 16)"))
                    .collect();
                self.deploy(stack, account, &random)
            }
            Place::StackSet { group, .. } => self.stackset(group, true, &[platform]),
        };
        match text.is_empty() {
            true => vec![terraform],
            false => vec![terraform, self.as_account(account, text)],
        }
    }

    /// Whether step 1's targeted apply passes `pending` for variables of the platform's
    /// root module, which only step 4 can fill.
    pub fn pending_vars(&self) -> bool {
        let account = self.graph.role(self.seqera.platform_role).account;
        !self
            .maps
            .terraform
            .root_inputs(self.graph, account)
            .is_empty()
    }

    /// Whether step 1 gives the platform's stack random External IDs until step 4.
    pub fn random_parameters(&self) -> bool {
        let cfn = &self.maps.cloudformation;
        match cfn.place(self.seqera.platform_role) {
            Place::Stack(stack) => !cfn.stack_parameters(self.graph, stack).is_empty(),
            Place::StackSet { .. } => false,
        }
    }

    /// Step 4: every root module and stack in deploy order, with the External IDs from
    /// the files `credentials.sh` wrote; the platform's stack again only if a role beside
    /// it takes one.
    pub fn targets(&self) -> Vec<Block> {
        let order = self
            .graph
            .deploy_order()
            .unwrap_or_else(|| self.graph.account_indices());
        let mut terraform: Vec<String> = Vec::new();
        let mut folders: Vec<String> = Vec::new();
        for &account in &order {
            let folder = self.terraform_folder(account);
            if folders.contains(&folder) {
                continue;
            }
            folders.push(folder.clone());
            let platform_root =
                folder == self.terraform_folder(self.graph.role(self.seqera.platform_role).account);
            let chdir = quote(&format!("-chdir={folder}"));
            if !platform_root {
                terraform.push(format!("terraform {chdir} init"));
            }
            let mut apply = format!("terraform {chdir} apply");
            let tf = &self.maps.terraform;
            if let Some(file) = ids::terraform_file(self.graph, self.seqera, tf, account) {
                let up = "../".repeat(folder.matches('/').count());
                let path = format!("{up}seqera/{}", file.path);
                apply.push_str(&format!(" {}", quote(&format!("-var-file={path}"))));
            }
            terraform.push(apply);
        }
        let mut blocks = vec![Block {
            title: "Terraform".into(),
            text: terraform.join("\n"),
        }];
        blocks.extend(self.stacks(&order));
        blocks.extend(self.stacksets());
        blocks
    }

    fn stacks(&self, order: &[AccountIdx]) -> Vec<Block> {
        let cfn = &self.maps.cloudformation;
        let platform = self.seqera.platform_role;
        let mut blocks = Vec::new();
        for &account in order {
            for (stack, _) in cfn.stacks.of(account) {
                let file = ids::stack_file(self.graph, self.seqera, cfn, stack);
                if cfn.place(platform) == Place::Stack(stack) && file.is_none() {
                    continue;
                }
                let overrides = match &file {
                    Some(file) => vec![quote(&format!("file://{}", file.path))],
                    None => cfn
                        .stack_parameters(self.graph, stack)
                        .iter()
                        .map(|p| quote(&format!("{p}=<value>")))
                        .collect(),
                };
                let text = self.deploy(stack, account, &overrides);
                blocks.push(self.as_account(account, text));
            }
        }
        blocks
    }

    /// Each StackSet from the platform's account (its administrator here), then one
    /// instance per member account; step 1 made the platform's StackSet and instance, if
    /// the platform role is in one.
    fn stacksets(&self) -> Vec<Block> {
        let cfn = &self.maps.cloudformation;
        let platform = self.seqera.platform_role;
        let admin = self.graph.role(platform).account;
        let mut blocks = Vec::new();
        for (g, group) in cfn.groups.iter().enumerate() {
            let made = group.members.contains(&platform);
            let members: Vec<RoleIdx> = group
                .members
                .iter()
                .copied()
                .filter(|&m| m != platform)
                .collect();
            let text = self.stackset(g, !made, &members);
            if !text.is_empty() {
                blocks.push(self.as_account(admin, text));
            }
        }
        blocks
    }

    /// `create-stack-set` of group `g` if `create`, and an instance for each of `members`.
    fn stackset(&self, g: usize, create: bool, members: &[RoleIdx]) -> String {
        let cfn = &self.maps.cloudformation;
        let admin = self.graph.role(self.seqera.platform_role).account;
        let name = cfn.stackset_name(g);
        let mut commands = Vec::new();
        if create {
            let template = format!("file://../cloudformation/{}", cfn.stackset_template(g));
            commands.push(format!(
                "aws cloudformation create-stack-set \\\n  --stack-set-name {name} \\\n  \
                 --template-body {} \\\n  --region {} \\\n  \
                 --capabilities CAPABILITY_NAMED_IAM",
                quote(&template),
                self.region(admin)
            ));
        }
        for &member in members {
            let account = self.graph.role(member).account;
            let parameters = match ids::instance_file(self.graph, self.seqera, cfn, member) {
                Some(file) => file.path,
                None => format!("../cloudformation/{}", cfn.parameter_file(g, account)),
            };
            commands.push(format!(
                "aws cloudformation create-stack-instances \\\n  --stack-set-name {name} \\\n  \
                 --accounts {} \\\n  --regions {} \\\n  --region {} \\\n  \
                 --parameter-overrides {}",
                self.graph.account(account).id,
                self.region(account),
                self.region(admin),
                quote(&format!("file://{parameters}"))
            ));
        }
        commands.join("\n")
    }

    /// `aws cloudformation deploy` of one stack, as the CloudFormation README has it.
    fn deploy(&self, stack: usize, account: AccountIdx, overrides: &[String]) -> String {
        let cfn = &self.maps.cloudformation;
        let mut text = format!(
            "aws cloudformation deploy \\\n  --stack-name {} \\\n  \
             --template-file ../cloudformation/{} \\\n  --region {} \\\n  \
             --capabilities CAPABILITY_NAMED_IAM",
            cfn.stack_name(stack),
            cfn.stack_file(stack),
            self.region(account)
        );
        if self.through_s3[stack] {
            text.push_str(&format!(" \\\n  --s3-bucket \"${S3_BUCKET}\""));
        }
        if !overrides.is_empty() {
            text.push_str(&format!(
                " \\\n  --parameter-overrides {}",
                overrides.join(" ")
            ));
        }
        text
    }

    /// The templates too big to deploy without S3, for the README to name.
    pub fn s3_templates(&self) -> Vec<String> {
        let cfn = &self.maps.cloudformation;
        (0..cfn.stacks.stacks.len())
            .filter(|&s| self.through_s3[s])
            .map(|s| cfn.stack_file(s))
            .collect()
    }

    fn as_account(&self, account: AccountIdx, text: String) -> Block {
        let account = self.graph.account(account);
        Block {
            title: format!(
                "CloudFormation, as account {} ({})",
                account.key, account.id
            ),
            text,
        }
    }

    fn region(&self, account: AccountIdx) -> String {
        self.graph.account(account).region_or_default().to_owned()
    }

    /// The folder to run `terraform` in, from `seqera/`.
    pub fn terraform_folder(&self, account: AccountIdx) -> String {
        format!("../{}", self.maps.terraform.root_path(account))
    }
}
