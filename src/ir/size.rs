//! Policy sizes as AWS counts them: the characters of the JSON document, whitespace
//! excluded. Deploy-time values are unknown here, so each counts as `INPUT_CHARS`.

use super::{Condition, Graph, POLICY_VERSION, PolicyDocument, RoleIdx, Text};

/// The length assumed for a deploy-time External ID (Seqera's generated ids are shorter).
pub const INPUT_CHARS: usize = 64;

/// Characters of `doc` as IAM counts them, with every element written as a list (the
/// longer of the two spellings the backends use, so the count never falls short).
/// Counted without rendering: this runs for every role on every run, and rendering
/// `PolicyDocument::to_json` costs about a tenth of a 1000-account run. A test holds the
/// two to the same answer.
pub fn policy_chars(graph: &Graph, doc: &PolicyDocument) -> usize {
    policy_chars_with(doc, &|r| role_arn_chars(graph, r))
}

/// `json_string_chars(&graph.role_arn(idx))` without writing the ARN: a string's count
/// is the sum of its parts' (each without its quotes), and the quota checks ask it for
/// every principal of every trust policy.
pub fn role_arn_chars(graph: &Graph, idx: RoleIdx) -> usize {
    let role = graph.role(idx);
    let account = graph.account(role.account);
    let parts = [
        "arn:",
        account.partition.as_str(),
        ":iam::",
        &account.id,
        ":role",
        &role.path,
        &role.name,
    ];
    parts
        .iter()
        .map(|p| json_string_chars(p) - 2)
        .sum::<usize>()
        + 2
}

/// [`policy_chars`] before the graph exists: `role_arn_chars` gives the characters of a
/// role's ARN as a JSON string, quotes included.
pub fn policy_chars_with(doc: &PolicyDocument, role_arn_chars: &dyn Fn(RoleIdx) -> usize) -> usize {
    let text = |t: &Text| match t {
        Text::Lit(s) => json_string_chars(s),
        Text::RoleArn(r) => role_arn_chars(*r),
        Text::Input(_) => INPUT_CHARS + 2,
    };
    let list = |items: &mut dyn Iterator<Item = usize>, count: usize| -> usize {
        items.sum::<usize>() + 2 + count.saturating_sub(1)
    };
    let key = key_chars;
    let mut total =
        key("Version") + json_string_chars(POLICY_VERSION) + 1 + key("Statement") + 2 + 2;
    for (i, s) in doc.statements.iter().enumerate() {
        // The object's members: their characters and how many (for the commas).
        let (mut members, mut count) = (0, 0usize);
        let mut member = |chars: usize| {
            members += chars;
            count += 1;
        };
        if let Some(sid) = &s.sid {
            member(key("Sid") + json_string_chars(sid));
        }
        member(key("Effect") + json_string_chars(s.effect.as_str()));
        if !s.principals.is_empty() {
            let inner: usize = s
                .principals
                .iter()
                .map(|p| key(p.kind.as_str()) + list(&mut p.ids.iter().map(text), p.ids.len()))
                .sum::<usize>()
                + s.principals.len().saturating_sub(1);
            member(key("Principal") + inner + 2);
        }
        let strings = |v: &[String]| list(&mut v.iter().map(|a| json_string_chars(a)), v.len());
        let texts = |v: &[Text]| list(&mut v.iter().map(text), v.len());
        for (name, items) in [("Action", &s.actions), ("NotAction", &s.not_actions)] {
            if !items.is_empty() {
                member(key(name) + strings(items));
            }
        }
        for (name, items) in [
            ("Resource", &s.resources),
            ("NotResource", &s.not_resources),
        ] {
            if !items.is_empty() {
                member(key(name) + texts(items));
            }
        }
        if !s.conditions.is_empty() {
            member(key("Condition") + conditions_chars(&s.conditions, &texts) + 2);
        }
        total += members + count.saturating_sub(1) + 2;
        if i > 0 {
            total += 1;
        }
    }
    total
}

/// The characters inside a statement's `Condition` object: one member per run of
/// conditions with the same operator (they are sorted by operator), each an object of its
/// keys.
fn conditions_chars(conditions: &[Condition], texts: &dyn Fn(&[Text]) -> usize) -> usize {
    let runs = conditions.chunk_by(|a, b| a.operator == b.operator);
    let objects = runs.clone().count();
    let chars: usize = runs
        .map(|run| {
            let entries: usize = run
                .iter()
                .map(|c| key_chars(&c.key) + texts(&c.values))
                .sum();
            key_chars(&run[0].operator) + entries + run.len().saturating_sub(1) + 2
        })
        .sum();
    chars + objects.saturating_sub(1)
}

/// A member's key as JSON writes it: `"k":`.
fn key_chars(k: &str) -> usize {
    k.len() + 3
}

/// A JSON string's characters without whitespace, quotes and escapes included.
pub fn json_string_chars(s: &str) -> usize {
    // Printable ASCII but for `"` and `\` counts one a byte: nearly every string of a
    // policy (a fold without early exit, which the compiler vectorizes).
    let plain = s.bytes().fold(true, |all, b| {
        all & (b.wrapping_sub(b'!') <= 0x7f - b'!' && b != b'"' && b != b'\\')
    });
    if plain {
        return s.len() + 2;
    }
    s.chars().map(json_char_chars).sum::<usize>() + 2
}

/// What one character counts for in a JSON string, as IAM counts (whitespace not at all).
fn json_char_chars(c: char) -> usize {
    match c {
        c if c.is_whitespace() => 0,
        '"' | '\\' => 2,
        c if (c as u32) < 0x20 => 6,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Principal, PrincipalKind, Statement};

    /// Both paths count a character alike: each ASCII character alone, and beside
    /// non-ASCII text.
    #[test]
    fn ascii_characters_count_as_any_character() {
        for byte in 0..0x80u8 {
            let c = char::from(byte);
            let expected = match c {
                '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ' => 0,
                '"' | '\\' => 2,
                c if (c as u32) < 0x20 => 6,
                _ => 1,
            };
            assert_eq!(
                json_string_chars(&c.to_string()),
                2 + expected,
                "byte {byte:#x}"
            );
            assert_eq!(
                json_string_chars(&format!("é{c}")),
                3 + expected,
                "byte {byte:#x}"
            );
        }
        assert_eq!(json_string_chars("a \"b\"\t\u{1}"), 2 + 1 + 2 + 1 + 2 + 6);
        assert_eq!(json_string_chars("é\u{a0}x"), 2 + 1 + 1);
    }

    /// The count must equal the non-whitespace length of the compact JSON it describes.
    #[test]
    fn counts_like_the_rendered_json() {
        let graph_json = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]},
                {"Sid": "Two", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]},
                 "Action": ["sts:AssumeRole", "sts:TagSession"],
                 "Condition": {"ArnEquals": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/x"]},
                               "StringEquals": {"sts:ExternalId": ["a b", "c"], "aws:RequestedRegion": ["eu-west-1"]}}}
            ]
        });
        let expected = serde_json::to_string(&graph_json)
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace())
            .count();
        let lit = |s: &str| Text::Lit(s.to_owned());
        let mut first = Statement::allow(vec!["sts:AssumeRole".into()]);
        first.principals = vec![Principal {
            kind: PrincipalKind::Service,
            ids: vec![lit("ec2.amazonaws.com")],
        }];
        let mut second = Statement::allow(vec!["sts:AssumeRole".into(), "sts:TagSession".into()]);
        second.sid = Some("Two".into());
        second.principals = vec![Principal {
            kind: PrincipalKind::Aws,
            ids: vec![
                lit("arn:aws:iam::111111111111:root"),
                lit("arn:aws:iam::222222222222:root"),
            ],
        }];
        second.conditions = vec![
            crate::ir::Condition {
                operator: "ArnEquals".into(),
                key: "aws:PrincipalArn".into(),
                values: vec![lit("arn:aws:iam::111111111111:role/x")],
            },
            crate::ir::Condition {
                operator: "StringEquals".into(),
                key: "sts:ExternalId".into(),
                values: vec![lit("a b"), lit("c")],
            },
            crate::ir::Condition {
                operator: "StringEquals".into(),
                key: "aws:RequestedRegion".into(),
                values: vec![lit("eu-west-1")],
            },
        ];
        let doc = PolicyDocument {
            statements: vec![first, second],
        };
        let graph = Graph {
            name: String::new(),
            source_name: String::new(),
            accounts: Vec::new(),
            roles: Vec::new(),
            inputs: Vec::new(),
            trust_edge_count: 0,
            account_roles: Vec::new(),
            seqera: None,
            limits: crate::ir::quota::Limits::default(),
            exclusive: false,
        };
        assert_eq!(policy_chars(&graph, &doc), expected);
    }

    /// The analytic count equals the rendered document's, for every policy of every
    /// golden model.
    #[test]
    fn counts_every_golden_policy_like_its_json() {
        let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden");
        let mut checked = 0;
        for case in std::fs::read_dir(golden).unwrap() {
            let model = case.unwrap().path().join("rolegraph.yaml");
            // The model and IR layers alone: `ir` does not reach above itself, tests included.
            let mut diags = crate::diag::Diagnostics::default();
            let access = crate::model::Access::default();
            let Ok(parsed) = crate::model::load(&model, access, &mut diags) else {
                continue;
            };
            let Some(graph) = crate::ir::build(&parsed, "rolegraph.yaml", &mut diags) else {
                continue;
            };
            let input = "x".repeat(INPUT_CHARS);
            let resolve = |t: &Text| match t {
                Text::Lit(s) => s.clone(),
                Text::RoleArn(r) => graph.role_arn(*r),
                Text::Input(_) => input.clone(),
            };
            for (i, role) in graph.roles.iter().enumerate() {
                let arn = graph.role_arn(RoleIdx(i));
                assert_eq!(role_arn_chars(&graph, RoleIdx(i)), json_string_chars(&arn));
                let named = role.inline_policies.iter().chain(&role.assume);
                for doc in [&role.trust, &role.trust_policy]
                    .into_iter()
                    .chain(named.map(|p| &p.document))
                {
                    let rendered = doc.to_json(&resolve).to_string();
                    let expected = rendered.chars().filter(|c| !c.is_whitespace()).count();
                    assert_eq!(
                        policy_chars(&graph, doc),
                        expected,
                        "{}: {rendered}",
                        model.display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 30, "only {checked} policies checked");
    }
}
