//! The README's `sh` blocks, each with its step and the line that introduces it.

use crate::support::repo;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Terraform,
    /// Run with credentials for this account id.
    CloudFormation(String),
    /// Both runs: `credentials.sh`, the service-info check.
    Any,
}

#[derive(Debug, Clone)]
pub struct Block {
    /// The `### N.` heading it is under.
    pub step: u32,
    /// The line before the fence, without its colon.
    pub title: String,
    pub kind: Kind,
    pub text: String,
}

pub fn read_blocks(readme: &str) -> Result<Vec<Block>, String> {
    let mut blocks = Vec::new();
    let (mut step, mut title) = (0, String::new());
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix("### ") {
            step = heading
                .split('.')
                .next()
                .and_then(|n| n.parse().ok())
                .ok_or(format!("a step heading without its number: {line}"))?;
        } else if line == "```sh" {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push(Block {
                step,
                kind: kind(&title)?,
                title: title.clone(),
                text: body.join("\n"),
            });
        } else if !line.trim().is_empty() {
            title = line.trim_end_matches(':').to_owned();
        }
    }
    Ok(blocks)
}

fn kind(title: &str) -> Result<Kind, String> {
    if title == "Terraform" {
        return Ok(Kind::Terraform);
    }
    match title.strip_prefix("CloudFormation, as account ") {
        Some(rest) => rest
            .rsplit_once('(')
            .and_then(|(_, id)| id.strip_suffix(')'))
            .map(|id| Kind::CloudFormation(id.to_owned()))
            .ok_or(format!("no account id in {title:?}")),
        None => Ok(Kind::Any),
    }
}

#[test]
fn the_steps_are_read_from_the_readme() {
    let path = repo().join("golden/seed/seqera-terraform-per-account/README.md");
    let blocks = read_blocks(&std::fs::read_to_string(path).unwrap()).unwrap();
    let summary: Vec<(u32, &Kind)> = blocks.iter().map(|b| (b.step, &b.kind)).collect();
    let cfn = |id: &str| Kind::CloudFormation(id.to_owned());
    assert_eq!(
        summary,
        [
            (1, &Kind::Terraform),
            (1, &cfn("999999999999")),
            (3, &Kind::Any),
            (4, &Kind::Terraform),
            (4, &cfn("111111111111")),
            (4, &cfn("222222222222")),
            (5, &Kind::Any),
        ]
    );
    assert_eq!(blocks[2].text, "bash credentials.sh");
    let terraform = &blocks[3].text;
    assert!(
        terraform.contains(
            "terraform -chdir=../terraform/production apply \
             -var-file=../../seqera/external-ids.production.tfvars.json"
        ),
        "{terraform}"
    );
    assert!(
        blocks[4]
            .text
            .ends_with("--parameter-overrides file://external-ids.production.cfn.json"),
        "{}",
        blocks[4].text
    );
}
