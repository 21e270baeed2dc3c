//! Reading one policy statement of a live document into the model's terms, and saying
//! why when it cannot be.

use serde_json::{Map, Value};

use super::doc::{Conditions, Ordered, Values};

/// A statement's elements, each list as IAM would read it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub sid: Option<String>,
    pub deny: bool,
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub resources: Vec<String>,
    pub not_resources: Vec<String>,
    /// `Principal` as written, for trust statements.
    pub principal: Option<Value>,
    pub not_principal: bool,
    pub conditions: Vec<(String, String, Vec<String>)>,
}

/// The statements of a document (`Statement` is one object or a list).
pub fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// The document's `Version`, when it is not the one the model writes.
pub fn odd_version(doc: &Value) -> Option<String> {
    match doc.get("Version").and_then(Value::as_str) {
        Some("2012-10-17") => None,
        Some(other) => Some(format!("its Version is {other}, not 2012-10-17")),
        None => Some("it has no Version (IAM then reads it as 2008-10-17)".to_owned()),
    }
}

pub fn parse(statement: &Value) -> Result<Parsed, String> {
    let Value::Object(map) = statement else {
        return Err("a statement is not a JSON object".to_owned());
    };
    let mut out = Parsed::default();
    for (key, value) in map {
        match key.as_str() {
            "Sid" => out.sid = Some(scalar(value)?),
            "Effect" => match value.as_str() {
                Some("Allow") => {}
                Some("Deny") => out.deny = true,
                _ => return Err(format!("Effect {value} is neither Allow nor Deny")),
            },
            "Action" => out.actions = list(value)?,
            "NotAction" => out.not_actions = list(value)?,
            "Resource" => out.resources = list(value)?,
            "NotResource" => out.not_resources = list(value)?,
            "Principal" => out.principal = Some(value.clone()),
            "NotPrincipal" => out.not_principal = true,
            "Condition" => out.conditions = conditions(value)?,
            other => {
                return Err(format!(
                    "it has an element `{other}` that IAM does not define"
                ));
            }
        }
    }
    Ok(out)
}

fn scalar(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("{other} is not a single value")),
    }
}

pub fn list(value: &Value) -> Result<Vec<String>, String> {
    match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        one => Ok(vec![scalar(one)?]),
    }
}

fn conditions(value: &Value) -> Result<Vec<(String, String, Vec<String>)>, String> {
    let Value::Object(operators) = value else {
        return Err("Condition is not a JSON object".to_owned());
    };
    let mut out = Vec::new();
    for (operator, keys) in operators {
        let Value::Object(keys) = keys else {
            return Err(format!("condition operator {operator} does not hold keys"));
        };
        for (key, values) in keys {
            out.push((operator.clone(), key.clone(), list(values)?));
        }
    }
    Ok(out)
}

/// Conditions in the model's shape, in the order given.
pub fn model_conditions(conditions: &[(String, String, Vec<String>)]) -> Conditions {
    let mut out: Conditions = Ordered::default();
    for (operator, key, values) in conditions {
        let entry = match out.0.iter().position(|(op, _)| op == operator) {
            Some(i) => &mut out.0[i].1,
            None => {
                out.0.push((operator.clone(), Ordered::default()));
                &mut out.0.last_mut().expect("just pushed").1
            }
        };
        entry.0.push((key.clone(), Values(values.clone())));
    }
    out
}

/// A statement in the model's shape (identity policies only).
pub fn model_statement(p: &Parsed) -> super::doc::Statement {
    use serde_saphyr::FlowSeq;
    super::doc::Statement {
        sid: p.sid.clone(),
        effect: p.deny.then(|| "Deny".to_owned()),
        actions: FlowSeq(p.actions.clone()),
        not_actions: FlowSeq(p.not_actions.clone()),
        resources: FlowSeq(p.resources.clone()),
        not_resources: FlowSeq(p.not_resources.clone()),
        conditions: model_conditions(&p.conditions),
    }
}

/// The statement back as JSON, for a policy file.
pub fn to_json(p: &Parsed) -> Value {
    let mut map = Map::new();
    if let Some(sid) = &p.sid {
        map.insert("Sid".into(), Value::String(sid.clone()));
    }
    let effect = if p.deny { "Deny" } else { "Allow" };
    map.insert("Effect".into(), Value::String(effect.into()));
    let lists = [
        ("Action", &p.actions),
        ("NotAction", &p.not_actions),
        ("Resource", &p.resources),
        ("NotResource", &p.not_resources),
    ];
    for (key, items) in lists {
        if !items.is_empty() {
            let items = items.iter().cloned().map(Value::String).collect();
            map.insert(key.into(), Value::Array(items));
        }
    }
    if !p.conditions.is_empty() {
        let mut operators = Map::new();
        for (operator, key, values) in &p.conditions {
            let keys = operators
                .entry(operator.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let values = values.iter().cloned().map(Value::String).collect();
            if let Value::Object(keys) = keys {
                keys.insert(key.clone(), Value::Array(values));
            }
        }
        map.insert("Condition".into(), Value::Object(operators));
    }
    Value::Object(map)
}
