//! `seqera/README.md`, followed on moto in every layout: each `sh` block of the README is
//! run as written, from `seqera/`, in order: Terraform's blocks in a Terraform run,
//! CloudFormation's (with credentials for the account each names) in a CloudFormation
//! run, and the others (`credentials.sh`, the service-info check) in both. tw and
//! Platform cannot be reached here: `tests/support/tw-standin/` answers for them as
//! tw 0.33 and Platform's service-info document (README, "Testing"). Step 1 must create
//! the platform role and nothing else; after step 4 the accounts must hold exactly the
//! plan for the External IDs the stand-in handed out, and a second Terraform plan must
//! be empty. This is also where the non-default layouts are deployed (the seed in every
//! Terraform layout; golden/stackset as StackSets).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rolegraph::backend::{cloudformation, flag_value, terraform};
use rolegraph::plan::{AccountIam, Inputs};

use crate::support::cloud::{self, Generated, Moto, Tools};
use crate::support::moto::{create_prerequisites, harness};
use crate::support::repo;
use crate::support::terraform::copy_dir;

mod blocks;
mod standin;

use blocks::{Block, Kind, read_blocks};
use standin::{Platform, Tw};

/// The accounts' IAM must equal the plan for the External IDs the stand-in handed out.
fn matches_plan(
    g: &Generated,
    ids: &BTreeMap<String, String>,
    state: &BTreeMap<String, AccountIam>,
) -> Result<(), String> {
    let plan = rolegraph::plan::plan(&g.graph, &Inputs(ids.clone()));
    let differences: Vec<String> = rolegraph::plan::compare(&plan, state)
        .iter()
        .map(|d| d.to_string())
        .collect();
    match differences.is_empty() {
        true => Ok(()),
        false => Err(differences.join("\n")),
    }
}

/// After step 1, exactly the roles `expected` exist: the platform role alone for
/// Terraform, the roles of its stack for CloudFormation.
fn only_roles(state: &BTreeMap<String, AccountIam>, expected: &[&str]) -> Result<(), String> {
    let mut roles: Vec<&str> = state
        .values()
        .flat_map(|a| a.roles.keys())
        .map(String::as_str)
        .collect();
    roles.sort_unstable();
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    match roles == expected {
        true => Ok(()),
        false => Err(format!(
            "step 1 should create {expected:?}, but the accounts hold {roles:?}"
        )),
    }
}

/// What a run shares: where `seqera/` is, and the environment every block gets.
struct Run<'a> {
    seqera: PathBuf,
    env: Vec<(String, String)>,
    moto: &'a Moto,
    g: &'a Generated,
}

impl Run<'_> {
    /// Runs one block with bash, as a user would paste it, with `extra` in its environment.
    fn block(&self, block: &Block, extra: &[(String, String)]) -> Result<String, String> {
        let out = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &block.text])
            .current_dir(&self.seqera)
            .envs(self.env.iter().chain(extra).map(|(k, v)| (k, v)))
            .output()
            .map_err(|e| e.to_string())?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        match out.status.success() {
            true => Ok(text),
            false => Err(format!(
                "step {} ({}) failed:\n{}\n---\n{text}{}",
                block.step,
                block.title,
                block.text,
                self.moto.errors()
            )),
        }
    }

    /// Credentials moto gives `account_id`, as the environment of the AWS CLI.
    fn account_env(&self, account_id: &str) -> Result<Vec<(String, String)>, String> {
        let account = self
            .g
            .plan
            .accounts
            .values()
            .find(|a| a.id == account_id)
            .ok_or(format!(
                "the README names account {account_id}, not in the plan"
            ))?;
        let spec = format!("{}:{}:{}", account.id, account.partition, account.region);
        let creds: BTreeMap<String, BTreeMap<String, String>> =
            serde_json::from_str(&harness(&["creds", &self.moto.url, &spec])?)
                .map_err(|e| e.to_string())?;
        let c = &creds[account_id];
        Ok(vec![
            ("AWS_ACCESS_KEY_ID".into(), c["access_key"].clone()),
            ("AWS_SECRET_ACCESS_KEY".into(), c["secret_key"].clone()),
            ("AWS_SESSION_TOKEN".into(), c["token"].clone()),
        ])
    }
}

/// The environment of every block: the stand-ins, moto for the AWS CLI, and Terraform
/// without prompts (`TF_CLI_ARGS_*`: the README's commands are run as written).
fn environment(tw: &Tw, platform: &Platform, moto: &Moto, tools: &Tools) -> Vec<(String, String)> {
    let path = format!(
        "{}:{}",
        tw.dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let pairs = [
        ("PATH", path),
        ("TW_STANDIN_STATE", tw.state.display().to_string()),
        ("TOWER_ACCESS_TOKEN", standin::TOKEN.to_owned()),
        ("TOWER_API_ENDPOINT", format!("{}/api", platform.url)),
        ("AWS_ENDPOINT_URL", moto.url.clone()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_ACCESS_KEY_ID", "none".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "none".to_owned()),
        ("TF_CLI_CONFIG_FILE", tools.tf_config.display().to_string()),
        ("TF_IN_AUTOMATION", "1".to_owned()),
        ("TF_CLI_ARGS_init", "-input=false -no-color".to_owned()),
        (
            "TF_CLI_ARGS_apply",
            "-auto-approve -input=false -no-color".to_owned(),
        ),
        ("TF_CLI_ARGS_plan", "-input=false -no-color".to_owned()),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// The inputs each credential's External ID fills, with the IDs the stand-in returned.
fn handed_out(g: &Generated, tw: &Tw) -> Result<BTreeMap<String, String>, String> {
    let given = tw.external_ids()?;
    let mut ids = BTreeMap::new();
    for (workspace, name, input) in rolegraph::backend::seqera::credential_inputs(&g.graph) {
        let id = given
            .get(&(workspace.clone(), name.clone()))
            .ok_or(format!("credentials.sh did not create {workspace} {name}"))?;
        if let (Some(input), Some(id)) = (input, id) {
            ids.insert(input, id.clone());
        }
    }
    Ok(ids)
}

fn platform_role(g: &Generated) -> Result<rolegraph::ir::RoleIdx, String> {
    Ok(g.graph
        .seqera
        .as_ref()
        .ok_or("no seqera section")?
        .platform_role)
}

/// `follow_terraform_once`, retried once on a new moto server after the one flake of a
/// loaded machine that `deploy_terraform` also retries (a provider retry of a CreateRole
/// that moto completed meets `EntityAlreadyExists`); said so when it happens.
fn follow_terraform(model: &Path, layout: terraform::Layout, tools: &Tools) -> Result<(), String> {
    match follow_terraform_once(model, layout, tools) {
        Err(err) if err.contains("EntityAlreadyExists") => {
            println!("retrying once on a new moto server after EntityAlreadyExists:\n{err}");
            follow_terraform_once(model, layout, tools)
        }
        other => other,
    }
}

fn follow_terraform_once(
    model: &Path,
    layout: terraform::Layout,
    tools: &Tools,
) -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let work = work.path();
    let g = cloud::generate_with(model, work, layout, cloudformation::Layout::default())?;
    let moto = Moto::start(&work.join("moto.log"))?;
    // The copy that points the providers at moto, with `seqera/` beside it.
    cloud::terraform_on_moto(&moto, &g, work)?;
    copy_dir(&g.out.join("seqera"), &work.join("seqera"));
    let tw = Tw::new(work)?;
    let platform = Platform::start(false)?;
    let run = Run {
        seqera: work.join("seqera"),
        env: environment(&tw, &platform, &moto, tools),
        moto: &moto,
        g: &g,
    };
    let readme = std::fs::read_to_string(g.out.join("seqera/README.md")).unwrap();
    migrate_from_instance_credentials(&run, &readme, &tw)?;
    let mut targets = Vec::new();
    for block in read_blocks(&readme)? {
        if block.kind != Kind::Terraform && block.kind != Kind::Any {
            continue;
        }
        run.block(&block, &[])?;
        if block.step == 1 {
            let name = g.graph.role(platform_role(&g)?).name.as_str();
            only_roles(&cloud::dump(&moto, &g.plan)?, &[name])?;
        }
        if block.step == 4 {
            targets.push(block);
        }
    }
    let ids = handed_out(&g, &tw)?;
    matches_plan(&g, &ids, &cloud::dump(&moto, &g.plan)?).map_err(|e| e + &moto.errors())?;
    for block in &targets {
        plan_is_empty(&run, block)?;
    }
    if layout == terraform::Layout::Root {
        let expected = rolegraph::plan::plan(&g.graph, &Inputs(ids.clone()));
        crate::adopt::import_round_trip(&moto, &expected, work)?;
        let apply = || targets.iter().try_for_each(|b| run.block(b, &[]).map(drop));
        crate::drift_live::hand_edits(&moto, &g, model, &ids, work, &apply)?;
    }
    Ok(())
}

/// Each `terraform … apply` of step 4 again as `plan -detailed-exitcode`: exit 0.
fn plan_is_empty(run: &Run, block: &Block) -> Result<(), String> {
    for line in block.text.lines().filter(|l| l.contains(" apply")) {
        let plan = Block {
            text: line.replace(" apply", " plan -detailed-exitcode"),
            ..block.clone()
        };
        run.block(&plan, &[])
            .map_err(|e| format!("a plan after step 4 is not empty:\n{e}"))?;
    }
    Ok(())
}

/// Step 2's migration as the seed's users meet it: the credentials exist from when
/// instance credentials were on (keys-less, no External ID), and the README's delete
/// command removes each, so that `credentials.sh` can create it again.
fn migrate_from_instance_credentials(run: &Run, readme: &str, tw: &Tw) -> Result<(), String> {
    let delete = readme
        .split('`')
        .find(|s| s.starts_with("tw credentials delete"))
        .ok_or("step 2 does not say how to delete the old credentials")?;
    for (workspace, name, _) in rolegraph::backend::seqera::credential_inputs(&run.g.graph) {
        tw.seed_instance_credential(&workspace, &name)?;
        let text = delete
            .replace("<name>", &name)
            .replace("<workspace>", &workspace);
        let block = Block {
            step: 2,
            title: "migration".into(),
            kind: Kind::Any,
            text,
        };
        run.block(&block, &[])?;
    }
    Ok(())
}

fn follow_cloudformation(
    model: &Path,
    layout: cloudformation::Layout,
    tools: &Tools,
) -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let work = work.path();
    let g = cloud::generate_with(model, work, terraform::Layout::default(), layout)?;
    cloud::cfn_lint(&g)?;
    let map = cloudformation::map::Map::new(&g.graph, layout).map_err(|d| d.to_string())?;
    if layout == cloudformation::Layout::Stackset && map.groups.is_empty() {
        return Err("the StackSet case should put roles in a StackSet".into());
    }
    let moto = Moto::start(&work.join("moto.log"))?;
    create_prerequisites(&moto, &g.plan)?;
    let tw = Tw::new(work)?;
    let platform = Platform::start(false)?;
    let run = Run {
        seqera: g.out.join("seqera"),
        env: environment(&tw, &platform, &moto, tools),
        moto: &moto,
        g: &g,
    };
    let readme = std::fs::read_to_string(g.out.join("seqera/README.md")).unwrap();
    let platform_idx = platform_role(&g)?;
    let cloudformation::map::Place::Stack(platform_stack) = map.place(platform_idx) else {
        return Err("the platform role is in a StackSet".into());
    };
    let beside: Vec<&str> = map.stacks.stacks[platform_stack]
        .roles
        .iter()
        .map(|r| g.graph.role(*r).name.as_str())
        .collect();
    let mut stacksets = 0;
    for block in read_blocks(&readme)? {
        let extra = match &block.kind {
            Kind::Terraform => continue,
            Kind::Any => Vec::new(),
            Kind::CloudFormation(account) => run.account_env(account)?,
        };
        let extra = with_bucket(&run, &block, extra)?;
        run.block(&block, &extra)?;
        stacksets += block.text.matches("create-stack-instances").count();
        if block.step == 1 {
            only_roles(&cloud::dump(&moto, &g.plan)?, &beside)?;
        }
    }
    let members: usize = map.groups.iter().map(|g| g.members.len()).sum();
    if stacksets != members {
        return Err(format!(
            "the README creates {stacksets} stack instances for {members} StackSet members"
        ));
    }
    // The CLI deployed them, so the harness's checks of what moto lets through (parameter
    // rules, skipped resources, dropped outputs) run on the stacks as they stand.
    let mut args = vec!["verify", moto.url.as_str()];
    let specs = crate::support::moto::account_specs(&g.plan);
    args.extend(specs.iter().map(String::as_str));
    let verified = harness(&args).map_err(|e| e + &moto.errors())?;
    let expected = format!("stacks {}", map.stacks.stacks.len() + members);
    if verified.trim() != expected {
        return Err(format!(
            "moto holds {verified:?}, the README deploys {expected:?}"
        ));
    }
    let ids = handed_out(&g, &tw)?;
    matches_plan(&g, &ids, &cloud::dump(&moto, &g.plan)?).map_err(|e| e + &moto.errors())
}

/// For a block that deploys through S3, a bucket of its account in moto, named in
/// `TEMPLATE_BUCKET` as the README asks (once per account: `mb` of one that exists fails).
fn with_bucket(
    run: &Run,
    block: &Block,
    mut env: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, String> {
    let Kind::CloudFormation(account) = &block.kind else {
        return Ok(env);
    };
    if !block.text.contains("--s3-bucket \"$TEMPLATE_BUCKET\"") {
        return Ok(env);
    }
    let bucket = format!("rolegraph-templates-{account}");
    env.push(("TEMPLATE_BUCKET".into(), bucket.clone()));
    let exists = Block {
        text: format!(
            "aws s3api head-bucket --bucket {bucket} 2>/dev/null || aws s3 mb s3://{bucket}"
        ),
        ..block.clone()
    };
    run.block(&exists, &env)?;
    Ok(env)
}

#[test]
fn the_readme_is_right_in_every_terraform_layout() {
    let Some(tools) = cloud::tools() else { return };
    let model = repo().join("golden/seed/rolegraph.yaml");
    let layouts = <terraform::Layout as clap::ValueEnum>::value_variants();
    let failures: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = layouts
            .iter()
            .map(|&layout| {
                let (model, tools) = (&model, &tools);
                (
                    layout,
                    s.spawn(move || follow_terraform(model, layout, tools)),
                )
            })
            .collect();
        runs.into_iter()
            .filter_map(|(layout, run)| match run.join().unwrap() {
                Ok(()) => None,
                Err(err) => Some(format!(
                    "--terraform-layout {}:\n{err}",
                    flag_value(&layout)
                )),
            })
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_readme_is_right_in_every_cloudformation_layout() {
    let Some(tools) = cloud::tools() else { return };
    let cases = [
        (
            repo().join("golden/seed/rolegraph.yaml"),
            cloudformation::Layout::PerAccount,
        ),
        (
            repo().join("golden/stackset/rolegraph.yaml"),
            cloudformation::Layout::Stackset,
        ),
        (
            repo().join("golden/seqera-split/rolegraph.yaml"),
            cloudformation::Layout::PerAccount,
        ),
    ];
    let mut failures = Vec::new();
    for (model, layout) in &cases {
        if let Err(err) = follow_cloudformation(model, *layout, &tools) {
            failures.push(format!(
                "{} --cloudformation-layout {}:\n{err}",
                model.display(),
                flag_value(layout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
