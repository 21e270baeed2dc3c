//! `seqera/README.md`, followed on moto in every layout: each step's command is read from
//! the README and run as written, in the folder it names, and the IAM must be what the
//! step promises. Step 1 creates the platform role and nothing else; step 2 is `tw`, which
//! needs Platform: a stand-in hands out one External ID per credential, as Platform does
//! when it saves one (a value of AWS's External ID shape; which alphabet Platform really
//! uses is not checked here). Steps 3 and 4 pass them where the README says, and the
//! accounts must then hold exactly the plan for those External IDs, and a second
//! Terraform plan must be empty. This is also where the non-default layouts are deployed
//! (the seed in every Terraform layout; golden/stackset as StackSets).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolegraph::backend::cloudformation::map::Map as CloudFormationMap;
use rolegraph::backend::{cloudformation, flag_value, terraform};
use rolegraph::plan::{AccountIam, Inputs};

use crate::support::cloud::{self, Generated, Moto, Tools};
use crate::support::moto::{create_prerequisites, deploy_stacks};
use crate::support::terraform::{terraform as run_terraform, terraform_status};
use crate::support::{repo, template_section};

/// What the README tells the user to do, read from its text.
#[derive(Debug)]
struct Steps {
    /// Step 1: the `terraform apply …` arguments and the folder to run them in.
    platform_apply: Vec<String>,
    platform_folder: String,
    /// Step 1, CloudFormation: the template, the stack name, and the parameters to give
    /// random values until step 4 updates the stack.
    platform_template: String,
    platform_stack: String,
    platform_parameters: Vec<String>,
    /// Step 3, per credential.
    credentials: Vec<CredentialStep>,
    /// Step 4: the folders to apply, in order.
    target_folders: Vec<String>,
}

#[derive(Debug)]
struct CredentialStep {
    name: String,
    input: String,
    /// Named only where the accounts have folders of their own.
    terraform_folder: Option<String>,
    /// The CloudFormation parameter and the file it goes in: a template, or a StackSet
    /// instance's parameter file.
    parameter: String,
    file: String,
}

/// The `code spans` of a line, in order.
fn spans(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

fn read_steps(readme: &str) -> Result<Steps, String> {
    let lines: Vec<&str> = readme.lines().collect();
    let find = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.trim_start().starts_with(prefix))
            .ok_or(format!("the README has no line starting {prefix:?}"))
    };
    let step1 = find("`terraform apply -target=")?;
    let code = spans(lines[step1]);
    let platform_apply = code[0]
        .split_whitespace()
        .skip(2)
        .map(str::to_owned)
        .collect();
    let stack_line = lines[step1 + 1];
    let platform_stack = stack_line
        .split('(')
        .nth(1)
        .and_then(|s| s.split(')').next())
        .ok_or("no stack name after step 1's template")?
        .to_owned();
    let platform_parameters = match stack_line.trim_end().ends_with(" with") {
        true => spans(lines[step1 + 2])
            .iter()
            .filter_map(|s| s.strip_suffix("=$(openssl rand -hex 16)"))
            .map(str::to_owned)
            .collect(),
        false => Vec::new(),
    };
    let step4 = find("4. Deploy the rest")?;
    let target_folders = spans(lines[step4])
        .into_iter()
        .filter(|s| s.starts_with("../terraform"))
        .map(str::to_owned)
        .collect();
    let mut credentials = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = spans(line);
        if !line.trim_start().starts_with("- `") || code.len() < 2 {
            continue;
        }
        let Some(var) = code[1].strip_prefix("-var ") else {
            continue;
        };
        let input = var.split('=').next().unwrap_or_default().to_owned();
        let terraform_folder = code.get(2).map(|f| f.to_string());
        let next = spans(lines[i + 1]);
        let parameter = next[0].split('=').next().unwrap_or_default().to_owned();
        credentials.push(CredentialStep {
            name: code[0].to_owned(),
            input,
            terraform_folder,
            parameter,
            file: next[1].to_owned(),
        });
    }
    Ok(Steps {
        platform_apply,
        platform_folder: code[1].to_owned(),
        platform_template: spans(stack_line)[0].to_owned(),
        platform_stack,
        platform_parameters,
        credentials,
        target_folders,
    })
}

/// The stand-in for `tw credentials add`: the External ID Platform generates and tw
/// prints, one per credential.
fn tw_external_id(credential: &str) -> String {
    let digest = rolegraph::output::manifest::sha256(credential.as_bytes());
    format!(
        "{}-{}-{}-{}-{}",
        &digest[0..8],
        &digest[8..12],
        &digest[12..16],
        &digest[16..20],
        &digest[20..32]
    )
}

fn external_ids(steps: &Steps) -> BTreeMap<String, String> {
    steps
        .credentials
        .iter()
        .map(|c| (c.input.clone(), tw_external_id(&c.name)))
        .collect()
}

/// The accounts' IAM must equal the plan for the External IDs tw returned.
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

fn platform_name(g: &Generated) -> Result<&str, String> {
    let seqera = g.graph.seqera.as_ref().ok_or("no seqera section")?;
    Ok(&g.graph.role(seqera.platform_role).name)
}

/// `../terraform/<x>` as the README writes it, inside the copy the test deploys.
fn folder_in(work: &Path, readme_folder: &str) -> Result<PathBuf, String> {
    let rest = readme_folder
        .strip_prefix("../terraform")
        .ok_or(format!("{readme_folder} is not under ../terraform"))?;
    Ok(work.join("terraform").join(rest.trim_start_matches('/')))
}

fn apply(folder: &Path, tools: &Tools, extra: &[String]) -> Result<(), String> {
    let config = &tools.tf_config;
    run_terraform(&["init", "-input=false", "-no-color"], folder, config)?;
    run_terraform(&["validate", "-no-color"], folder, config)?;
    let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
    args.extend(extra.iter().map(String::as_str));
    run_terraform(&args, folder, config)
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
    let readme = std::fs::read_to_string(g.out.join("seqera/README.md")).unwrap();
    let steps = read_steps(&readme)?;
    let moto = Moto::start(&work.join("moto.log"))?;
    cloud::terraform_on_moto(&moto, &g, work)?;
    let platform_folder = folder_in(work, &steps.platform_folder)?;
    apply(&platform_folder, tools, &steps.platform_apply)?;
    only_roles(&cloud::dump(&moto, &g.plan)?, &[platform_name(&g)?])?;
    let ids = external_ids(&steps);
    for folder in &steps.target_folders {
        let vars: Vec<String> = steps
            .credentials
            .iter()
            .filter(|c| c.terraform_folder.as_ref().is_none_or(|f| f == folder))
            .map(|c| format!("-var={}={}", c.input, ids[&c.input]))
            .collect();
        let dir = folder_in(work, folder)?;
        apply(&dir, tools, &vars)?;
        let mut plan = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
        plan.extend(vars.iter().map(String::as_str));
        match terraform_status(&plan, &dir, &tools.tf_config)? {
            (0, _) => {}
            (code, output) => {
                return Err(format!("{folder}: plan after apply ({code}):\n{output}"));
            }
        }
    }
    matches_plan(&g, &ids, &cloud::dump(&moto, &g.plan)?).map_err(|e| e + &moto.errors())
}

/// `ID:PARTITION:REGION`, as the moto harness takes an account.
fn account_spec(g: &Generated, account: rolegraph::ir::AccountIdx) -> String {
    let plan = &g.plan.accounts[&g.graph.account(account).key];
    format!("{}:{}:{}", plan.id, plan.partition, plan.region)
}

/// The value step 3 says to give `parameter` in `file`; an External ID parameter the
/// README does not mention is an error.
fn parameter_value(
    steps: &Steps,
    ids: &BTreeMap<String, String>,
    file: &str,
    parameter: &str,
) -> Result<String, String> {
    steps
        .credentials
        .iter()
        .find(|c| c.file == file && c.parameter == parameter)
        .map(|c| ids[&c.input].clone())
        .ok_or(format!(
            "the README does not say what to pass for {parameter} in {file}"
        ))
}

fn follow_cloudformation(model: &Path, layout: cloudformation::Layout) -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let work = work.path();
    let g = cloud::generate_with(model, work, terraform::Layout::default(), layout)?;
    cloud::cfn_lint(&g)?;
    let readme = std::fs::read_to_string(g.out.join("seqera/README.md")).unwrap();
    let steps = read_steps(&readme)?;
    let ids = external_ids(&steps);
    let map = CloudFormationMap::new(&g.graph, layout).map_err(|d| d.to_string())?;
    let in_stacksets = steps
        .credentials
        .iter()
        .filter(|c| c.file.ends_with(".json"))
        .count();
    if layout == cloudformation::Layout::Stackset && (map.groups.is_empty() || in_stacksets < 2) {
        return Err(format!(
            "the StackSet case should put both credentials' roles in a StackSet: {steps:#?}"
        ));
    }
    let dir = g.out.join("cloudformation");
    let moto = Moto::start(&work.join("moto.log"))?;
    create_prerequisites(&moto, &g.plan)?;
    let seqera = g.graph.seqera.as_ref().ok_or("no seqera section")?;
    let platform = g.graph.role(seqera.platform_role).account;
    let cloudformation::map::Place::Stack(platform_stack) = map.place(seqera.platform_role) else {
        return Err("the platform role is in a StackSet".into());
    };
    // `openssl rand -hex 16`'s stand-in: values no credential has.
    let random: BTreeMap<&String, String> = steps
        .platform_parameters
        .iter()
        .map(|p| {
            (
                p,
                rolegraph::output::manifest::sha256(p.as_bytes())[..32].to_owned(),
            )
        })
        .collect();
    let step1 = serde_json::json!({
        "account": account_spec(&g, platform),
        "stack": steps.platform_stack,
        "template": dir.join(&steps.platform_template),
        "parameters": random,
    });
    deploy_stacks(&moto, work, &[step1])?;
    let beside: Vec<&str> = map.stacks.stacks[platform_stack]
        .roles
        .iter()
        .map(|r| g.graph.role(*r).name.as_str())
        .collect();
    only_roles(&cloud::dump(&moto, &g.plan)?, &beside)?;
    let mut remaining = Vec::new();
    let order = g.graph.deploy_order().ok_or("no deploy order")?;
    for account in order {
        for (s, _) in map.stacks.of(account) {
            let file = map.stack_file(s);
            if file == steps.platform_template {
                continue;
            }
            let body = std::fs::read_to_string(dir.join(&file)).map_err(|e| e.to_string())?;
            let mut parameters = BTreeMap::new();
            for name in template_section(&body, "Parameters") {
                let value = parameter_value(&steps, &ids, &file, &name)?;
                parameters.insert(name, value);
            }
            remaining.push(serde_json::json!({
                "account": account_spec(&g, account),
                "stack": map.stack_name(s),
                "template": dir.join(&file),
                "parameters": parameters,
            }));
        }
    }
    for (group_index, group) in map.groups.iter().enumerate() {
        for member in &group.members {
            let account = g.graph.role(*member).account;
            let file = map.parameter_file(group_index, account);
            let text = std::fs::read_to_string(dir.join(&file)).map_err(|e| e.to_string())?;
            let entries: Vec<BTreeMap<String, String>> =
                serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
            let mut parameters = BTreeMap::new();
            for entry in entries {
                let (key, value) = (&entry["ParameterKey"], &entry["ParameterValue"]);
                let value = match value.starts_with("<value of input ") {
                    true => parameter_value(&steps, &ids, &file, key)?,
                    false => value.clone(),
                };
                parameters.insert(key.clone(), value);
            }
            remaining.push(serde_json::json!({
                "account": account_spec(&g, account),
                "stack": format!("{}-{}", map.stackset_name(group_index), g.graph.account(account).id),
                "template": dir.join(map.stackset_template(group_index)),
                "parameters": parameters,
            }));
        }
    }
    if !steps.platform_parameters.is_empty() {
        let mut parameters = BTreeMap::new();
        for name in &steps.platform_parameters {
            let value = parameter_value(&steps, &ids, &steps.platform_template, name)?;
            parameters.insert(name.clone(), value);
        }
        remaining.push(serde_json::json!({
            "account": account_spec(&g, platform),
            "stack": steps.platform_stack,
            "template": dir.join(&steps.platform_template),
            "parameters": parameters,
            "update": true,
        }));
    }
    deploy_stacks(&moto, work, &remaining)?;
    matches_plan(&g, &ids, &cloud::dump(&moto, &g.plan)?).map_err(|e| e + &moto.errors())
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
    let Some(_tools) = cloud::tools() else { return };
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
        if let Err(err) = follow_cloudformation(model, *layout) {
            failures.push(format!(
                "{} --cloudformation-layout {}:\n{err}",
                model.display(),
                flag_value(layout)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_steps_are_read_from_the_readme() {
    let readme =
        std::fs::read_to_string(repo().join("golden/seed/seqera-terraform-per-account/README.md"))
            .unwrap();
    let steps = read_steps(&readme).unwrap();
    assert_eq!(steps.platform_folder, "../terraform/management");
    assert_eq!(steps.platform_template, "management.yaml");
    assert_eq!(steps.platform_stack, "seqera-platform-management");
    assert_eq!(
        steps.target_folders,
        [
            "../terraform/production",
            "../terraform/development",
            "../terraform/management"
        ]
    );
    let [production, development] = steps.credentials.as_slice() else {
        panic!("{:#?}", steps.credentials)
    };
    assert_eq!(production.input, "production_external_id");
    assert_eq!(
        production.terraform_folder.as_deref(),
        Some("../terraform/production")
    );
    assert_eq!(
        (production.parameter.as_str(), production.file.as_str()),
        ("ProductionExternalId", "production.yaml")
    );
    assert_eq!(
        (
            development.input.as_str(),
            development.parameter.as_str(),
            development.file.as_str()
        ),
        (
            "development_external_id",
            "DevelopmentExternalId",
            "development.yaml"
        )
    );
}
