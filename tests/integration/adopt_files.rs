//! `generate --adopt` offline, on the brownfield fixture's dumps: the `import {}` blocks
//! of every Terraform layout, and what is refused or said when the model and the accounts
//! disagree about a role. adopt.rs applies them on moto.

use std::path::{Path, PathBuf};

use crate::import::{dumps, import};
use crate::support::{bin, text};

fn generate(model: &Path, out: &Path, layout: &str, adopt: &[PathBuf]) -> std::process::Output {
    let mut cmd = bin();
    cmd.arg("generate").arg(model).arg("--out").arg(out);
    cmd.args(["--only", "terraform", "--terraform-layout", layout, "-q"]);
    if !adopt.is_empty() {
        cmd.arg("--adopt").args(adopt);
    }
    cmd.output().unwrap()
}

/// `import {}` blocks for exactly the resources the accounts hold, in each layout's
/// roots; the generated grant, which does not exist yet, gets none; a plain `generate`
/// removes them.
#[test]
fn adopt_imports_what_exists_in_every_layouts_roots() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(import(&dumps(), dir.path(), &[]).status.code(), Some(0));
    let model = dir.path().join("rolegraph.yaml");
    let roots: [(&str, &[&str]); 3] = [
        ("root", &["imports.tf"]),
        ("module", &["example/imports.tf"]),
        (
            "per-account",
            &[
                "management/imports.tf",
                "production/imports.tf",
                "development/imports.tf",
            ],
        ),
    ];
    for (layout, files) in roots {
        let out = dir.path().join(layout);
        let run = generate(&model, &out, layout, &dumps());
        assert!(run.status.success(), "{layout}: {}", text(&run.stderr));
        let all: String = files
            .iter()
            .map(|f| std::fs::read_to_string(out.join("terraform").join(f)).unwrap())
            .collect();
        // `terraform fmt` aligns the `=`; compare with single spaces.
        let all = all
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n");
        let prefix = if layout == "module" {
            "module.seqera_brownfield."
        } else {
            ""
        };
        for (to, id) in [
            (
                "aws_iam_role.seqera_platform_ec2_instance_role",
                "SeqeraPlatform-EC2-InstanceRole",
            ),
            (
                "aws_iam_instance_profile.seqera_platform_ec2_instance_role",
                "SeqeraPlatform-EC2-InstanceProfile",
            ),
            (
                "aws_iam_role_policy.seqera_platform_role_account_a_data_access",
                "SeqeraPlatformRole-AccountA:data-access",
            ),
            (
                "aws_iam_role_policy_attachment.seqera_platform_role_account_b_seqerabatch",
                "SeqeraPlatformRole-AccountB/arn:aws:iam::222222222222:policy/seqera/SeqeraBatch",
            ),
        ] {
            let block = format!("to = {prefix}{to}\nid = \"{id}\"");
            assert!(all.contains(&block), "{layout}: no block for {to}:\n{all}");
        }
        assert_eq!(all.matches("import {").count(), 11, "{layout}:\n{all}");
        // Terraform takes `provider` in an import block only for a root module's resource.
        let providers = all.matches("provider = aws.").count();
        assert_eq!(
            providers,
            if layout == "module" { 0 } else { 11 },
            "{layout}:\n{all}"
        );
        assert!(
            !all.contains("aws_iam_policy."),
            "{layout}: the grant does not exist yet:\n{all}"
        );
        let plain = generate(&model, &out, layout, &[]);
        assert!(plain.status.success(), "{layout}: {}", text(&plain.stderr));
        for f in files {
            assert!(
                !out.join("terraform").join(f).exists(),
                "{layout}: {f} stays"
            );
        }
    }
}

/// A model role whose name the account holds under another path would be replaced, not
/// adopted: an error at the role, and nothing written.
#[test]
fn adopt_refuses_a_role_whose_path_differs() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(import(&dumps(), dir.path(), &[]).status.code(), Some(0));
    let model = dir.path().join("rolegraph.yaml");
    let text_before = std::fs::read_to_string(&model).unwrap();
    std::fs::write(
        &model,
        text_before.replace("path: /seqera/", "path: /moved/"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = generate(&model, &out, "root", &dumps());
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("would be /moved/SeqeraPlatformRole-AccountA in account 111111111111, but the account has /seqera/SeqeraPlatformRole-AccountA"),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// A model role that exists only in another of the accounts given is created where the
/// model puts it, and the run says so; nothing of the other account's role is imported.
#[test]
fn adopt_warns_of_a_role_that_exists_in_another_account() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(import(&dumps(), dir.path(), &[]).status.code(), Some(0));
    let model = dir.path().join("rolegraph.yaml");
    let text_before = std::fs::read_to_string(&model).unwrap();
    let moved = text_before.replace(
        "  data-analyst:\n    account: production",
        "  data-analyst:\n    account: development",
    );
    assert_ne!(moved, text_before);
    std::fs::write(&model, moved).unwrap();
    let out = dir.path().join("out");
    let run = bin()
        .arg("generate")
        .arg(&model)
        .arg("--out")
        .arg(&out)
        .args(["--only", "terraform", "--adopt"])
        .args(dumps())
        .output()
        .unwrap();
    let stderr = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "role `data-analyst` (DataAnalyst) exists in account 111111111111, not in 222222222222"
        ),
        "{stderr}"
    );
    let imports = std::fs::read_to_string(out.join("terraform/imports.tf")).unwrap();
    assert!(!imports.contains("\"DataAnalyst\""), "{imports}");
}
