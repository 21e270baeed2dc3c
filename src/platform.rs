//! Seqera Platform's own rules, in one place: the names its API accepts and the versions
//! that behave as the Seqera backend's instructions say. A leaf, like `iam`: the model's
//! checks, the JSON Schema and the generated script all read it.
//!
//! Sources: Platform's API (`CredentialsDbDto.name`, `OrganizationDbDto.name`,
//! `WorkspaceDbDto.name`), tower-cli's `credentials add aws` (the External ID is printed
//! and returned as `externalId` from 0.33.0) and the Enterprise release notes (role
//! credentials with a generated External ID from 26.1; 26.1.3 fixes ARN-only validation).

/// A credential's name: 1 to 100 of `[A-Za-z0-9_-]`.
pub const CREDENTIAL_NAME_MAX: usize = 100;
pub const CREDENTIAL_NAME_PATTERN: &str = "^[A-Za-z0-9_-]{1,100}$";

/// An organization's or workspace's name, as Platform's API states it: 2 to 39 letters and
/// digits, with single `-` or `_` between them.
pub const SPACE_NAME_PATTERN: &str = r"^[a-zA-Z\d](?:[a-zA-Z\d]|[-_](?=[a-zA-Z\d])){1,38}$";
pub const SPACE_NAME_MIN: usize = 2;
pub const SPACE_NAME_MAX: usize = 39;

/// The oldest tw that prints the External ID Platform generates (and returns it as
/// `externalId` with `-o json`).
pub const TW_MIN: &str = "0.33.0";
/// The oldest Seqera Platform Enterprise with role credentials that carry a generated
/// External ID, and the release that fixes saving a credential with a role ARN only.
pub const ENTERPRISE_MIN: &str = "26.1";
pub const ENTERPRISE_FIXED: &str = "26.1.3";

/// Whether `name` is a credential name Platform accepts.
pub fn credential_name(name: &str) -> bool {
    (1..=CREDENTIAL_NAME_MAX).contains(&name.len())
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// Whether `name` is an organization or workspace name Platform accepts
/// ([`SPACE_NAME_PATTERN`], whose look-ahead Rust's `regex` lacks, checked by hand).
pub fn space_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let separator = |c: u8| c == b'-' || c == b'_';
    (SPACE_NAME_MIN..=SPACE_NAME_MAX).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes.iter().enumerate().all(|(i, &c)| {
            c.is_ascii_alphanumeric()
                || (separator(c) && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric))
        })
}

/// `organization/workspace` as the JSON Schema states it.
pub fn workspace_pattern() -> String {
    let name = SPACE_NAME_PATTERN
        .trim_start_matches('^')
        .trim_end_matches('$');
    format!("^{name}/{name}$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names_are_platforms() {
        assert!(credential_name("aws-production_2"));
        assert!(credential_name(&"a".repeat(100)));
        assert!(!credential_name(&"a".repeat(101)));
        assert!(!credential_name(""));
        assert!(!credential_name("aws.production"));
        assert!(!credential_name("aws production"));
    }

    #[test]
    fn space_names_follow_platforms_pattern() {
        // jsonschema's regex engine has look-ahead: Platform's pattern, as Platform writes it.
        let schema = serde_json::json!({ "pattern": SPACE_NAME_PATTERN });
        let pattern = jsonschema::validator_for(&schema).unwrap();
        let samples = [
            "acme", "a1", "a", "a-b", "a_b", "a--b", "a-_b", "-ab", "ab-", "ab_", "_ab", "a.b",
            "ÄB", "", "a-b-c-d",
        ];
        let long = [
            "a".repeat(39),
            "a".repeat(40),
            format!("{}-b", "a".repeat(36)),
        ];
        for name in samples
            .iter()
            .copied()
            .chain(long.iter().map(String::as_str))
        {
            assert_eq!(
                space_name(name),
                pattern.is_valid(&serde_json::json!(name)),
                "{name:?}"
            );
        }
    }
}
