//! One spelling for each policy document. IAM accepts a single value or a list for most
//! elements and ignores the order of statements, values and keys; Terraform writes a
//! lone value as a string, CloudFormation as we emit it keeps lists. Normalizing makes
//! documents that IAM treats alike compare equal, and nothing else: values are never
//! merged, dropped or case-folded.

use serde_json::{Map, Value};

/// Elements whose value is a string or a list of strings, in statements.
const LIST_ELEMENTS: [&str; 4] = ["Action", "NotAction", "Resource", "NotResource"];
/// Elements whose value is a map of lists (`Principal: { AWS: [...] }`).
const PRINCIPAL_ELEMENTS: [&str; 2] = ["Principal", "NotPrincipal"];

pub fn document(doc: &Value) -> Value {
    let Value::Object(map) = doc else {
        return doc.clone();
    };
    let mut out = Map::new();
    for (key, value) in sorted(map) {
        let value = if key == "Statement" {
            let mut statements: Vec<Value> = as_list(value).iter().map(statement).collect();
            statements.sort_by_cached_key(|s| s.to_string());
            Value::Array(statements)
        } else {
            value.clone()
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

fn statement(statement: &Value) -> Value {
    let Value::Object(map) = statement else {
        return statement.clone();
    };
    let mut out = Map::new();
    for (key, value) in sorted(map) {
        let value = if LIST_ELEMENTS.contains(&key.as_str()) {
            sorted_list(value)
        } else if PRINCIPAL_ELEMENTS.contains(&key.as_str()) {
            map_of_lists(value)
        } else if key == "Condition" {
            match value {
                Value::Object(operators) => Value::Object(
                    sorted(operators)
                        .map(|(op, keys)| (op.clone(), map_of_lists(keys)))
                        .collect(),
                ),
                other => other.clone(),
            }
        } else {
            value.clone()
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// `{ "AWS": "x" }` → `{ "AWS": ["x"] }`, keys sorted. `"*"` stays as written.
fn map_of_lists(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            sorted(map)
                .map(|(k, v)| (k.clone(), sorted_list(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn sorted_list(value: &Value) -> Value {
    let mut items = as_list(value);
    items.sort_by_cached_key(|v| v.to_string());
    Value::Array(items)
}

fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    }
}

fn sorted(map: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_values_become_sorted_lists_and_keys_sort() {
        let terraform_style = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": "arn:aws:iam::1:role/b"},
                "Condition": {"StringEquals": {"sts:ExternalId": "x"}}
            }, {
                "Sid": "A", "Effect": "Allow", "Action": ["s3:b", "s3:a"], "Resource": "*"
            }]
        });
        let cloudformation_style = json!({
            "Statement": [{
                "Effect": "Allow", "Resource": ["*"], "Action": ["s3:a", "s3:b"], "Sid": "A"
            }, {
                "Principal": {"AWS": ["arn:aws:iam::1:role/b"]},
                "Action": ["sts:AssumeRole"],
                "Effect": "Allow",
                "Condition": {"StringEquals": {"sts:ExternalId": ["x"]}}
            }],
            "Version": "2012-10-17"
        });
        assert_eq!(document(&terraform_style), document(&cloudformation_style));
        let text = document(&terraform_style).to_string();
        assert!(
            text.starts_with(r#"{"Statement":[{"Action":["s3:a","s3:b"]"#),
            "{text}"
        );
    }

    #[test]
    fn differences_that_matter_to_iam_survive() {
        let base = json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]});
        let variants = [
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:getobject",
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObject"],
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]}),
            json!({"Statement": [{"Effect": "Deny", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]}),
        ];
        for variant in variants {
            assert_ne!(document(&base), document(&variant), "{variant}");
        }
    }
}
