//! Policy JSON read strictly. serde_json keeps the last of two equal keys, so
//! `"Action": "*", "Action": "s3:GetObject"` would pass as the narrower grant; IAM's own
//! parser is not documented to agree, and a reviewer reads the first. Both duplicate keys
//! and unknown condition operators fail here, at the position the parser has reached.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::operators;

/// Where in a policy document a value sits: only a statement's `Condition` holds operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Document,
    /// The value of `Statement`: one statement or a list of them.
    Statements,
    Statement,
    /// The value of a statement's `Condition`: operators as keys.
    Conditions,
    Other,
}

/// Parses a policy document; an error carries serde_json's line and column.
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict(Place::Document).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Checks that no JSON object in `text` names a key twice, at any depth, without building
/// the value: for the IAM dumps (`get-account-authorization-details`), which are read into
/// their own types afterwards. `"Effect": "Deny", "Effect": "Allow"` would otherwise read as
/// an allow.
pub fn unique_keys(text: &str) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Unique.deserialize(&mut de)?;
    de.end()
}

/// A JSON value whose objects have unique keys; nothing of it is kept but the keys of the
/// objects being read.
struct Unique;

impl<'de> DeserializeSeed<'de> for Unique {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Unique)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if keys.contains(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key `{key}`; each key may appear once in an object"
                )));
            }
            map.next_value_seed(Unique)?;
            keys.insert(key);
        }
        Ok(())
    }
}

struct Strict(Place);

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Strict {
    fn inside(&self, key: &str) -> Place {
        match (self.0, key) {
            (Place::Document, "Statement") => Place::Statements,
            (Place::Statement | Place::Statements, "Condition") => Place::Conditions,
            _ => Place::Other,
        }
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let item = match self.0 {
            Place::Statements => Place::Statement,
            _ => Place::Other,
        };
        let mut items = Vec::new();
        while let Some(value) = seq.next_element_seed(Strict(item))? {
            items.push(value);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // A lone statement object stands for a list of one.
        let this = match self.0 {
            Place::Statements => Strict(Place::Statement),
            place => Strict(place),
        };
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key `{key}`; a policy document names each key once"
                )));
            }
            if this.0 == Place::Conditions && !operators::is_condition_operator(&key) {
                return Err(de::Error::custom(format!(
                    "`{key}` is not an IAM condition operator; {}",
                    operators::hint(&key)
                )));
            }
            let value = map.next_value_seed(Strict(this.inside(&key)))?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn duplicate_keys_are_an_error_with_a_position() {
        let text = "{\"Version\": \"2012-10-17\",\n \"Statement\": {\"Effect\": \"Allow\",\n  \"Action\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}";
        let err = parse(text).unwrap_err();
        assert!(err.to_string().contains("duplicate key `Action`"), "{err}");
        assert_eq!(err.line(), 3);
    }

    #[test]
    fn duplicates_deep_inside_are_found_too() {
        let text = r#"{"Statement": [{"Condition": {"StringEquals": {"a:b": "1", "a:b": "2"}}}]}"#;
        assert!(
            parse(text)
                .unwrap_err()
                .to_string()
                .contains("duplicate key `a:b`")
        );
    }

    #[test]
    fn unique_keys_finds_a_repeat_at_any_depth_and_where_it_stands() {
        let text = "{\"RoleDetailList\": [{\"AssumeRolePolicyDocument\": {\"Statement\": [\n {\"Effect\": \"Deny\", \"Effect\": \"Allow\"}]}}]}";
        let err = super::unique_keys(text).unwrap_err();
        assert!(err.to_string().contains("duplicate key `Effect`"), "{err}");
        assert_eq!((err.line(), err.column()), (2, 28));
        super::unique_keys(r#"{"a": [{"b": 1}, {"b": 2}], "c": {"b": {"b": 3}}}"#).unwrap();
        assert!(super::unique_keys("{} x").is_err());
    }

    #[test]
    fn unknown_operators_are_an_error() {
        let text = r#"{"Statement": [{"Condition": {"Bogus": {"a:b": "1"}}}]}"#;
        let err = parse(text).unwrap_err().to_string();
        assert!(
            err.contains("`Bogus` is not an IAM condition operator"),
            "{err}"
        );
        let one = r#"{"Statement": {"Condition": {"StringEqualz": {"a:b": "1"}}}}"#;
        let err = parse(one).unwrap_err().to_string();
        assert!(err.contains("did you mean `StringEquals`?"), "{err}");
    }

    #[test]
    fn operators_are_only_checked_in_a_condition() {
        let text =
            r#"{"Statement": [{"Sid": "Bogus", "Condition": {"StringEquals": {"Bogus": "x"}}}]}"#;
        parse(text).unwrap();
    }
}
