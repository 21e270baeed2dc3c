//! `generate --adopt` on moto: the brownfield fixture (tests/support/brownfield.py)
//! built by hand in three accounts, imported, and taken over by Terraform in each layout.
//! Nothing may be replaced (every RoleId and InstanceProfileId stays), nothing that
//! existed may be created again, and the plan after the apply is empty.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use rolegraph::backend::{flag_value, terraform::Layout};

use crate::support::cloud::{self, Generated, Moto, Tools};
use crate::support::deploy_terraform::once_more_on_entity_exists;
use crate::support::terraform::{terraform, terraform_status};
use crate::support::{bin, brownfield_dumps, repo, text};

/// `tests/support/brownfield.py` with `args` (build, dump, call, cfn-import).
pub fn brownfield(args: &[&str]) -> Result<(), String> {
    let out = Command::new("python3")
        .arg(repo().join("tests/support/brownfield.py"))
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("brownfield.py {}: {}", args[0], text(&out.stderr)))
    }
}

/// The fixture in a new moto, dumped: the files `import` and `--adopt` read.
pub fn build_brownfield(moto: &Moto, dumps: &Path) -> Result<Vec<PathBuf>, String> {
    brownfield(&["build", &moto.url])?;
    dump_accounts(moto, dumps)
}

fn dump_accounts(moto: &Moto, dumps: &Path) -> Result<Vec<PathBuf>, String> {
    brownfield(&["dump", &moto.url, dumps.to_str().unwrap()])?;
    Ok(brownfield_dumps(dumps))
}

/// Every role's RoleId and every instance profile's id, by name, from the dumps.
fn unique_ids(files: &[PathBuf]) -> BTreeMap<String, String> {
    let accounts = rolegraph::live::read_all(files, rolegraph::model::Access::default())
        .expect("the dumps read");
    let mut ids = BTreeMap::new();
    for account in &accounts {
        for role in &account.roles {
            ids.insert(
                format!("{} role {}", account.id, role.name),
                role.id.clone(),
            );
            for p in &role.profiles {
                ids.insert(format!("{} profile {}", account.id, p.name), p.id.clone());
            }
        }
    }
    ids
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if out.status.code() == Some(0) {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}:\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        ))
    }
}

/// `import` of `dumps` into `dir`, with the fixture's account keys.
fn import_model(dumps: &[PathBuf], dir: &Path) -> Result<PathBuf, String> {
    let mut import = bin();
    import
        .arg("import")
        .args(dumps)
        .args(["--name", "brownfield", "-q", "--dir"])
        .arg(dir)
        .args(crate::import::account_flags());
    run(import.arg("--force"))?;
    Ok(dir.join("rolegraph.yaml"))
}

/// The resources of `summary` (`Apply complete! Resources: 9 imported, 2 added, …`)
/// with the word `what`.
fn count(summary: &str, what: &str) -> usize {
    summary
        .split([':', ','])
        .find_map(|part| part.trim().trim_end_matches('.').strip_suffix(what))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

/// One layout's adoption of what the accounts hold now: import, `generate --adopt`, apply
/// in every root; returns how many resources were imported and created.
fn adopt_in(
    layout: Layout,
    moto: &Moto,
    tools: &Tools,
    work: &Path,
) -> Result<(usize, usize), String> {
    let dumps = dump_accounts(moto, &work.join("dumps"))?;
    let model = import_model(&dumps, &work.join("model"))?;
    let out = work.join("out");
    let layout_flag = flag_value(&layout);
    let mut generate = bin();
    generate.arg("generate").arg(&model).arg("--out").arg(&out);
    generate.args([
        "--only",
        "terraform",
        "--terraform-layout",
        &layout_flag,
        "-q",
        "--adopt",
    ]);
    run(generate.args(&dumps))?;
    let graph = rolegraph::compile(&model).map_err(|d| d.to_string())?;
    let plan = rolegraph::plan::plan(&graph, &rolegraph::plan::Inputs::default());
    let g = Generated {
        out,
        layout,
        plan,
        graph,
        inputs: BTreeMap::new(),
    };
    let roots = cloud::terraform_on_existing(moto, &g, work)?;
    let config = &tools.tf_config;
    let (mut imported, mut added) = (0, 0);
    for (root, _) in &roots {
        terraform(&["init", "-input=false", "-no-color"], root, config)?;
        let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
        let (code, output) = terraform_status(&apply, root, config)?;
        if code != 0 {
            return Err(format!(
                "apply in {}:\n{output}{}",
                root.display(),
                moto.errors()
            ));
        }
        let summary = output
            .lines()
            .find(|l| l.starts_with("Apply complete!"))
            .unwrap_or_default();
        if count(summary, " destroyed") != 0 || count(summary, " changed") != 0 {
            return Err(format!(
                "{}: the adoption changed or destroyed resources: {summary}\n{output}",
                root.display()
            ));
        }
        imported += count(summary, " imported");
        added += count(summary, " added");
    }
    for (root, _) in &roots {
        let plan = ["plan", "-detailed-exitcode", "-input=false", "-no-color"];
        match terraform_status(&plan, root, config)? {
            (0, _) => {}
            (code, output) => {
                return Err(format!(
                    "{}: plan after the adoption exited {code}:\n{output}",
                    root.display()
                ));
            }
        }
    }
    Ok((imported, added))
}

/// The layouts one after another on the same accounts, each adopting them anew (its own
/// state): the first creates the generated grant and its attachment, and the others import
/// those too. No RoleId or InstanceProfileId changes on the way. Then the CloudFormation
/// adoption files meet moto, which cannot execute an IMPORT change set.
///
/// As in `deploy_terraform`, an `EntityAlreadyExists` from a provider retry on a loaded
/// machine is retried once on a new server; output that really creates an existing
/// resource fails both times.
#[test]
fn adopting_with_terraform_replaces_nothing_in_any_layout() {
    let Some(tools) = cloud::tools() else { return };
    let work = tempfile::tempdir().unwrap();
    let (moto, before, after) =
        once_more_on_entity_exists(work.path(), |dir| adopt_every_layout(&tools, dir))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        unique_ids(&before),
        unique_ids(&after),
        "a role or profile was replaced"
    );
    cloudformation_import_fails_on_moto(&moto, &after, work.path());
}

/// The fixture built on a new moto and adopted in each layout in turn; the server and
/// the dumps before and after.
fn adopt_every_layout(
    tools: &Tools,
    work: &Path,
) -> Result<(Moto, Vec<PathBuf>, Vec<PathBuf>), String> {
    std::fs::create_dir_all(work).map_err(|e| e.to_string())?;
    let moto = Moto::start(&work.join("moto.log"))?;
    let before = build_brownfield(&moto, &work.join("before"))?;
    let layouts = [Layout::Root, Layout::PerAccount, Layout::Module];
    for (n, layout) in layouts.into_iter().enumerate() {
        let dir = work.join(flag_value(&layout));
        let counts =
            adopt_in(layout, &moto, tools, &dir).map_err(|e| format!("{layout:?}: {e}"))?;
        // Eleven resources exist in the fixture; the first adoption creates the grant of
        // the folded inline policy and its attachment, which the next ones import.
        let expected = if n == 0 { (11, 2) } else { (13, 0) };
        if counts != expected {
            return Err(format!(
                "{layout:?}: (imported, created) is {counts:?}, not {expected:?}"
            ));
        }
    }
    let after = dump_accounts(&moto, &work.join("after"))?;
    Ok((moto, before, after))
}

/// moto 5.2.1 accepts an IMPORT change set but executes it as a creation, which meets the
/// role that exists (the README's moto table says so).
fn cloudformation_import_fails_on_moto(moto: &Moto, dumps: &[PathBuf], work: &Path) {
    let model = import_model(dumps, &work.join("cfn-model")).unwrap();
    let out = work.join("cfn");
    let mut generate = bin();
    generate.arg("generate").arg(&model).arg("--out").arg(&out);
    run(generate
        .args(["--only", "cloudformation", "-q", "--adopt"])
        .args(dumps))
    .unwrap();
    let adopt = out.join("cloudformation/adopt");
    let said = Command::new("python3")
        .arg(repo().join("tests/support/brownfield.py"))
        .args(["cfn-import", &moto.url, "999999999999:aws:us-east-1"])
        .arg(adopt.join("management.yaml"))
        .arg(adopt.join("management.resources-to-import.json"))
        .output()
        .unwrap();
    let said = format!("{}{}", text(&said.stdout), text(&said.stderr));
    println!("moto with an IMPORT change set: {said}");
    assert!(
        said.contains("(EntityAlreadyExists) when calling the ExecuteChangeSet operation"),
        "moto ran the IMPORT change set ({said}): test CloudFormation adoption on it, and update the README's moto table"
    );
}

/// The acceptance's round trip: the accounts that the Seqera README's steps built for the
/// seed (golden/seed, byte for byte examples/seqera) dumped and imported again give a
/// model whose plan is `expected`, account by account (regions aside: IAM has none, so
/// the imported model leaves them out). seqera_readme.rs calls it after its root-layout
/// run, so it costs no deploy of its own.
pub fn import_round_trip(
    moto: &Moto,
    expected: &rolegraph::plan::Plan,
    work: &Path,
) -> Result<(), String> {
    let dumps = dump_accounts(moto, &work.join("round-trip"))?;
    let dir = work.join("round-trip/model");
    let mut import = bin();
    import
        .arg("import")
        .args(&dumps)
        .args(["--name", &expected.model, "-q", "--dir"])
        .arg(&dir);
    for (key, account) in &expected.accounts {
        import.args(["--account", &format!("{key}={}", account.id)]);
    }
    run(&mut import)?;
    let graph = rolegraph::compile(&dir.join("rolegraph.yaml")).map_err(|d| d.to_string())?;
    let imported = rolegraph::plan::plan(&graph, &rolegraph::plan::Inputs::default());
    let state: BTreeMap<String, rolegraph::plan::AccountIam> = imported
        .accounts
        .values()
        .map(|a| (a.id.clone(), a.iam.clone()))
        .collect();
    let differences: Vec<String> = rolegraph::plan::compare(expected, &state)
        .iter()
        .map(ToString::to_string)
        .collect();
    let keys = |p: &rolegraph::plan::Plan| p.accounts.keys().cloned().collect::<Vec<_>>();
    if !differences.is_empty() || keys(expected) != keys(&imported) {
        let model = std::fs::read_to_string(dir.join("rolegraph.yaml")).unwrap_or_default();
        return Err(format!(
            "the imported model's plan differs from the seed's:\n{}\n--- imported model ---\n{model}",
            differences.join("\n")
        ));
    }
    Ok(())
}

/// The primary identifier of each resource type, from the resource schemas cfn-lint ships.
fn primary_identifiers(types: &[&str]) -> Result<BTreeMap<String, Vec<String>>, String> {
    let script = "import json, sys\n\
        from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m\n\
        print(json.dumps({t: [p.rsplit('/', 1)[1] for p in m.get_resource_schema('us-east-1', t).schema['primaryIdentifier']] for t in sys.argv[1:]}))";
    let out = Command::new("python3")
        .args(["-c", script])
        .args(types)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(text(&out.stderr));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

/// The CloudFormation adoption files of the brownfield fixture: cfn-lint passes every
/// template, each resource to import is named by its type's primary identifier (from the
/// schemas cfn-lint ships) with the value the template gives it, the import templates
/// hold those resources alone, `Retain`, without outputs.
#[test]
fn cloudformation_adoption_files_are_what_an_import_needs() {
    let cfn_lint = crate::support::terraform::available("cfn-lint", "--version");
    if !crate::support::require_tool("cfn-lint", cfn_lint) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let fixture = repo().join("tests/fixtures/brownfield");
    let dumps = brownfield_dumps(&fixture);
    let model_dir = work.path().join("model");
    run(bin()
        .arg("import")
        .args(&dumps)
        .args(["-q", "--dir"])
        .arg(&model_dir))
    .unwrap();
    let out = work.path().join("out");
    let mut generate = bin();
    generate
        .arg("generate")
        .arg(model_dir.join("rolegraph.yaml"))
        .arg("--out")
        .arg(&out);
    run(generate
        .args(["--only", "cloudformation", "-q", "--adopt"])
        .args(&dumps))
    .unwrap();
    let top = out.join("cloudformation");
    let adopt = top.join("adopt");
    let yaml = |dir: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        files.sort();
        files
    };
    let (stacks, imports) = (yaml(&top), yaml(&adopt));
    assert_eq!(imports.len(), 3, "{imports:?}");
    let lint = Command::new("cfn-lint")
        .args(&stacks)
        .args(&imports)
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "{}{}",
        text(&lint.stdout),
        text(&lint.stderr)
    );
    let types = [
        "AWS::IAM::Role",
        "AWS::IAM::InstanceProfile",
        "AWS::IAM::ManagedPolicy",
    ];
    let identifiers = primary_identifiers(&types).unwrap();
    let mut imported = 0;
    for template in &imports {
        let list = template.with_file_name(format!(
            "{}.resources-to-import.json",
            template.file_stem().unwrap().to_string_lossy()
        ));
        let list: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&list).unwrap()).unwrap();
        let body = std::fs::read_to_string(template).unwrap();
        let parsed: serde_yaml_like::Template = serde_yaml_like::parse(&body);
        assert!(
            parsed.outputs.is_empty(),
            "{}: an import may not add outputs",
            template.display()
        );
        assert_eq!(
            parsed.resources.len(),
            list.len(),
            "{}: only the resources to import",
            template.display()
        );
        for entry in &list {
            let kind = entry["ResourceType"].as_str().unwrap();
            let id = entry["LogicalResourceId"].as_str().unwrap();
            let identifier = entry["ResourceIdentifier"].as_object().unwrap();
            let keys: Vec<&String> = identifier.keys().collect();
            assert_eq!(
                keys,
                identifiers[kind].iter().collect::<Vec<_>>(),
                "{kind} {id}"
            );
            let resource = &parsed.resources[id];
            assert_eq!(resource.kind, kind, "{id}");
            assert_eq!(
                (resource.deletion.as_str(), resource.replace.as_str()),
                ("Retain", "Retain"),
                "{id}"
            );
            for (key, value) in identifier {
                // PolicyArn is read-only: CloudFormation knows the policy by it, the template cannot say it.
                if key != "PolicyArn" {
                    assert_eq!(
                        resource.properties.get(key),
                        value.as_str().map(str::to_owned).as_ref(),
                        "{id}.{key}"
                    );
                }
            }
            imported += 1;
        }
    }
    assert_eq!(
        imported, 6,
        "the five roles and the platform role's instance profile"
    );
}

/// Just enough of a template's structure for the checks above (the harness's Python
/// reads templates in full; here only resources, their policies and outputs count).
mod serde_yaml_like {
    use std::collections::BTreeMap;

    pub struct Resource {
        pub kind: String,
        pub deletion: String,
        pub replace: String,
        /// The top-level scalar properties.
        pub properties: BTreeMap<String, String>,
    }

    pub struct Template {
        pub resources: BTreeMap<String, Resource>,
        pub outputs: Vec<String>,
    }

    /// Reads the layout serde-saphyr writes: sections at column 0, resources at 2, their
    /// keys at 4, properties at 6.
    pub fn parse(body: &str) -> Template {
        let mut t = Template {
            resources: BTreeMap::new(),
            outputs: Vec::new(),
        };
        let (mut section, mut current, mut in_properties) = (String::new(), None::<String>, false);
        for line in body
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let depth = line.len() - line.trim_start().len();
            let (key, value) = line
                .trim()
                .split_once(':')
                .map_or((line.trim(), ""), |(k, v)| (k, v.trim()));
            match depth {
                0 => section = key.to_owned(),
                2 if section == "Outputs" => t.outputs.push(key.to_owned()),
                2 if section == "Resources" => {
                    current = Some(key.to_owned());
                    t.resources.insert(
                        key.to_owned(),
                        Resource {
                            kind: String::new(),
                            deletion: String::new(),
                            replace: String::new(),
                            properties: BTreeMap::new(),
                        },
                    );
                }
                4 if section == "Resources" => {
                    let r = t.resources.get_mut(current.as_ref().unwrap()).unwrap();
                    in_properties = key == "Properties";
                    match key {
                        "Type" => r.kind = value.to_owned(),
                        "DeletionPolicy" => r.deletion = value.to_owned(),
                        "UpdateReplacePolicy" => r.replace = value.to_owned(),
                        _ => {}
                    }
                }
                6 if section == "Resources" && in_properties && !value.is_empty() => {
                    let r = t.resources.get_mut(current.as_ref().unwrap()).unwrap();
                    r.properties.insert(key.to_owned(), value.to_owned());
                }
                _ => {}
            }
        }
        t
    }
}
