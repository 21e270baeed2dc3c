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
use crate::support::terraform::{terraform, terraform_status};
use crate::support::{bin, brownfield_dumps, repo, text};

fn brownfield(args: &[&str]) -> Result<(), String> {
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
    let accounts = rolegraph::live::read_all(files).expect("the dumps read");
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

fn adopt_in(layout: Layout, tools: &Tools) -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let work = work.path();
    let moto = Moto::start(&work.join("moto.log"))?;
    let before_dir = work.join("before");
    let dumps = build_brownfield(&moto, &before_dir)?;
    let model_dir = work.join("model");
    let mut import = bin();
    import
        .arg("import")
        .args(&dumps)
        .args(["--name", "brownfield", "-q", "--dir"])
        .arg(&model_dir);
    for a in [
        "management=999999999999",
        "production=111111111111",
        "development=222222222222",
    ] {
        import.args(["--account", a]);
    }
    run(&mut import)?;
    let model = model_dir.join("rolegraph.yaml");
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
    let roots = cloud::terraform_on_existing(&moto, &g, work)?;
    let config = &tools.tf_config;
    let mut added = 0;
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
        let counts = |word: &str| -> usize {
            summary
                .split(", ")
                .find_map(|part| part.trim_end_matches('.').strip_suffix(word))
                .and_then(|n| n.rsplit(' ').next().map(str::to_owned))
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0)
        };
        if counts(" destroyed") != 0 || counts(" changed") != 0 {
            return Err(format!(
                "{}: the adoption changed or destroyed resources: {summary}\n{output}",
                root.display()
            ));
        }
        added += counts(" added");
    }
    // Only the generated grant of the folded inline policy, and its attachment, are new.
    if added != 2 {
        return Err(format!(
            "{added} resources were created; the generated grant and its attachment are the only new ones"
        ));
    }
    for (root, _) in &roots {
        let plan = ["plan", "-detailed-exitcode", "-input=false", "-no-color"];
        match terraform_status(&plan, root, config)? {
            (0, _) => {}
            (code, output) => {
                return Err(format!("plan after the adoption exited {code}:\n{output}"));
            }
        }
    }
    let after = dump_accounts(&moto, &work.join("after"))?;
    let (ids_before, ids_after) = (unique_ids(&dumps), unique_ids(&after));
    if ids_before != ids_after {
        return Err(format!(
            "unique ids changed:\nbefore {ids_before:#?}\nafter {ids_after:#?}"
        ));
    }
    Ok(())
}

#[test]
fn adopting_with_terraform_replaces_nothing_in_any_layout() {
    let Some(tools) = cloud::tools() else { return };
    let layouts = [Layout::Root, Layout::Module, Layout::PerAccount];
    let tools = &tools;
    let failures: Vec<String> = std::thread::scope(|s| {
        let jobs: Vec<_> = layouts
            .iter()
            .map(|&l| (l, s.spawn(move || adopt_in(l, tools))))
            .collect();
        jobs.into_iter()
            .filter_map(|(l, job)| job.join().unwrap().err().map(|e| format!("{l:?}: {e}")))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
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
/// hold those resources alone, `Retain`, without outputs; and moto cannot run them.
#[test]
fn cloudformation_adoption_files_are_what_an_import_needs() {
    let Some(_tools) = cloud::tools() else { return };
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
        imported, 5,
        "the four roles and the platform role's instance profile"
    );
    // moto 5.2.1 takes the IMPORT change set but executes it as a creation.
    let moto = Moto::start(&work.path().join("moto.log")).unwrap();
    build_brownfield(&moto, &work.path().join("dumps")).unwrap();
    let management = adopt.join("account-999999999999.yaml");
    let resources = adopt.join("account-999999999999.resources-to-import.json");
    let out = Command::new("python3")
        .arg(repo().join("tests/support/brownfield.py"))
        .args(["cfn-import", &moto.url, "999999999999:aws:us-east-1"])
        .arg(&management)
        .arg(&resources)
        .output()
        .unwrap();
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    println!("moto with an IMPORT change set: {said}");
    assert!(
        said.contains("(EntityAlreadyExists) when calling the ExecuteChangeSet operation"),
        "moto ran the IMPORT change set ({said}): test CloudFormation adoption on it, and update the README's moto table"
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
