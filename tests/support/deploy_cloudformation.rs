//! Deploying a model's generated CloudFormation to moto, for the cloud tests: the
//! per-account stacks (and their numbered parts) in deploy order, then every StackSet
//! instance as a stack of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rolegraph::plan::AccountIam;

use super::cloud::Generated;
use super::moto::{Moto, create_prerequisites, deploy_stacks, dump};
use super::terraform::copy_dir;

/// One stack per account template, in the plan's deploy order, each created with keys
/// that moto attributes to its account.
pub fn deploy_cloudformation(
    g: &Generated,
    work: &Path,
    edit: &dyn Fn(&str, String) -> String,
) -> Result<BTreeMap<String, AccountIam>, String> {
    let moto = Moto::start(&work.join("moto-cloudformation.log"))?;
    cloudformation_on(&moto, g, work, edit).map_err(|e| e + &moto.errors())
}

fn cloudformation_on(
    moto: &Moto,
    g: &Generated,
    work: &Path,
    edit: &dyn Fn(&str, String) -> String,
) -> Result<BTreeMap<String, AccountIam>, String> {
    create_prerequisites(moto, &g.plan)?;
    let order = g
        .plan
        .deploy_order
        .as_ref()
        .ok_or("the model has no deploy order")?;
    let dir = work.join("cloudformation");
    copy_dir(&g.out.join("cloudformation"), &dir);
    let mut stacks = Vec::new();
    for key in order {
        let account = &g.plan.accounts[key];
        for (file, part) in account_templates(&dir, key) {
            let template = dir.join(&file);
            let body = std::fs::read_to_string(&template).map_err(|e| e.to_string())?;
            let parameters: BTreeMap<String, String> = super::template_section(&body, "Parameters")
                .into_iter()
                .map(|name| {
                    let input = g
                        .graph
                        .inputs
                        .iter()
                        .find(|i| {
                            rolegraph::backend::cloudformation::parameter_name(&i.name) == name
                        })
                        .ok_or(format!("{file}: parameter {name} is no input"))?;
                    Ok((name, g.inputs[&input.name].clone()))
                })
                .collect::<Result<_, String>>()?;
            std::fs::write(&template, edit(key, body)).map_err(|e| e.to_string())?;
            let stack: String = format!("{key}-{part}")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            stacks.push(serde_json::json!({
                "account": format!("{}:{}:{}", account.id, account.partition, account.region),
                "stack": format!("rolegraph-{stack}"),
                "template": template,
                "parameters": parameters,
            }));
        }
    }
    stacks.extend(stackset_instances(g, &dir)?);
    deploy_stacks(moto, work, &stacks)?;
    dump(moto, &g.plan)
}

/// Every StackSet instance as a stack of its own, after all other stacks (nothing waits
/// for a StackSet's roles): `stacksets/<name>.yaml` with the parameters of
/// `stacksets/<name>/<account id>.json`, each input's placeholder replaced by its value.
fn stackset_instances(g: &Generated, dir: &Path) -> Result<Vec<serde_json::Value>, String> {
    let sets = dir.join("stacksets");
    let mut out = Vec::new();
    if !sets.is_dir() {
        return Ok(out);
    }
    let mut templates: Vec<PathBuf> = std::fs::read_dir(&sets)
        .map_err(|e| e.to_string())?
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    templates.sort();
    for template in templates {
        let name = template.file_stem().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(sets.join(&name))
            .map_err(|e| e.to_string())?
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let id = file.file_stem().unwrap().to_string_lossy().into_owned();
            let account = g
                .plan
                .accounts
                .values()
                .find(|a| a.id == id)
                .ok_or(format!("{}: no account {id}", file.display()))?;
            let json: Vec<BTreeMap<String, String>> =
                serde_json::from_str(&std::fs::read_to_string(&file).map_err(|e| e.to_string())?)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
            let mut parameters = BTreeMap::new();
            for p in json {
                let value = &p["ParameterValue"];
                let value = match value
                    .strip_prefix("<value of input ")
                    .and_then(|v| v.strip_suffix('>'))
                {
                    Some(input) => g.inputs[input].clone(),
                    None => value.clone(),
                };
                parameters.insert(p["ParameterKey"].clone(), value);
            }
            out.push(serde_json::json!({
                "account": format!("{}:{}:{}", account.id, account.partition, account.region),
                "stack": format!("rolegraph-stackset-{name}"),
                "template": template,
                "parameters": parameters,
            }));
        }
    }
    Ok(out)
}

/// An account's templates in deploy order: `<key>.yaml`, then `<key>-2.yaml`, … while
/// they exist (none when the StackSet layout put all its roles in StackSets).
fn account_templates(dir: &Path, key: &str) -> Vec<(String, usize)> {
    if !dir.join(format!("{key}.yaml")).is_file() {
        return Vec::new();
    }
    let mut out = vec![(format!("{key}.yaml"), 1)];
    for part in 2.. {
        let file = format!("{key}-{part}.yaml");
        if !dir.join(&file).is_file() {
            break;
        }
        out.push((file, part));
    }
    out
}
