//! A policy document as an IAM API reply holds it: a JSON object (the AWS CLI and boto3
//! decode it) or the raw API's URL-encoded string (RFC 3986, as some SDKs pass it on).

use serde::de::{self, Deserializer, Visitor};
use serde_json::Value;

/// A document, decoded. A string that starts with `{` is taken as JSON already decoded.
#[derive(Debug, Clone)]
pub struct Document(pub Value);

impl<'de> serde::Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a policy document: a JSON object, or a URL-encoded JSON string")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Document, A::Error> {
        let value = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Document(value))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Document, E> {
        decode(text).map(Document).map_err(E::custom)
    }
}

use serde::Deserialize;

/// The document in `text`, URL-decoded unless it is plain JSON.
pub fn decode(text: &str) -> Result<Value, String> {
    let json = if text.trim_start().starts_with('{') {
        text.to_owned()
    } else {
        check_escapes(text)?;
        percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .map_err(|_| {
                "the URL-encoded policy document does not decode to UTF-8 text".to_owned()
            })?
            .into_owned()
    };
    if let Err(err) = crate::model::strict_json::unique_keys(&json)
        && !err.is_syntax()
        && !err.is_eof()
    {
        return Err(format!("the URL-decoded policy document: {err}"));
    }
    match serde_json::from_str::<Value>(&json) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err("the policy document is not a JSON object".to_owned()),
        Err(err) => Err(format!(
            "the policy document, URL-decoded, is not JSON ({err})"
        )),
    }
}

/// percent-encoding's decoder passes a stray `%` through; IAM never writes one, so it means
/// the text was cut or is not URL-encoded at all.
fn check_escapes(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    for (at, _) in text.match_indices('%') {
        let hex = bytes.get(at + 1..at + 3);
        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
            return Err(format!(
                "the URL-encoded policy document has `%` without two hex digits at character {}",
                at + 1
            ));
        }
    }
    Ok(())
}

/// The line of the first `"RoleName": "<name>"` of each name in `text`: where a reader of
/// the file finds the role, whatever the indentation. One pass over the text, so that an
/// account of 100,000 roles does not count lines from the top for each.
pub fn role_lines(text: &str) -> std::collections::HashMap<String, u32> {
    const KEY: &str = "\"RoleName\"";
    let mut lines = std::collections::HashMap::new();
    let (mut line, mut counted) = (1u32, 0);
    for key in memchr::memmem::find_iter(text.as_bytes(), KEY) {
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..key]).count() as u32;
        counted = key;
        let rest = text[key + KEY.len()..].trim_start();
        let Some(value) = rest.strip_prefix(':') else {
            continue;
        };
        let mut strings =
            serde_json::Deserializer::from_str(value.trim_start()).into_iter::<String>();
        if let Some(Ok(name)) = strings.next() {
            lines.entry(name).or_insert(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_and_plain_documents_decode_alike() {
        let plain = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%"}]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2F100%25%22%7D%5D%7D";
        assert_eq!(decode(plain).unwrap(), decode(encoded).unwrap());
    }

    #[test]
    fn bad_encodings_are_named() {
        assert!(
            decode("%7B%2")
                .unwrap_err()
                .contains("`%` without two hex digits")
        );
        assert!(decode("%7B%22a").unwrap_err().contains("not JSON"));
        assert!(decode("%FF%FE").unwrap_err().contains("UTF-8"));
        assert!(decode("%5B%5D").unwrap_err().contains("not a JSON object"));
    }

    #[test]
    fn a_role_is_found_at_its_own_name() {
        let pretty = "{\n  \"RoleDetailList\": [\n    {\"RoleName\": \"AB\"},\n    {\n      \"RoleName\" :  \"A\"\n    }\n  ],\n \"RoleName\": \"A\"\n}";
        let lines = role_lines(pretty);
        assert_eq!(lines.get("A"), Some(&5));
        assert_eq!(lines.get("AB"), Some(&3));
        assert_eq!(lines.get("Missing"), None);
        assert_eq!(role_lines(r#"{"RoleName":"q\"x"}"#).get("q\"x"), Some(&1));
    }
}
