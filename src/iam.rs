//! IAM's rules for the values rolegraph writes, as the IAM and STS API references state
//! them (see shared/reference/aws-iam-facts.md). One home: the model checks in `ir`, the
//! Terraform `validation` blocks, the CloudFormation `AllowedPattern`s and the JSON Schema
//! all take their numbers and alphabets from here, so they cannot disagree. A leaf: it
//! imports nothing of rolegraph.

/// The characters of a role, policy or instance profile name besides letters and digits.
pub const NAME_SYMBOLS: &str = "_+=,.@-";
pub const ROLE_NAME_MAX: usize = 64;
pub const INSTANCE_PROFILE_NAME_MAX: usize = 128;
pub const POLICY_NAME_MAX: usize = 128;
pub const PATH_MAX: usize = 512;
/// A path is `/` or starts and ends with `/` (its characters are checked apart).
pub const PATH_PATTERN: &str = r"^/(.*/)?$";

/// `sts:ExternalId`: 2 to 1224 characters of this class (AssumeRole's `ExternalId`).
pub const EXTERNAL_ID_MIN: usize = 2;
pub const EXTERNAL_ID_MAX: usize = 1224;
pub const EXTERNAL_ID_CLASS: &str = r"[\w+=,.@:/-]";
/// The symbols of `EXTERNAL_ID_CLASS`, as a person reads them.
pub const EXTERNAL_ID_SYMBOLS: &str = "_+=,.@:/-";

/// `MaxSessionDuration` in seconds: one to twelve hours.
pub const SESSION_MIN: u64 = 3600;
pub const SESSION_MAX: u64 = 43200;
/// A session reached by role chaining lasts at most an hour, whatever the role allows.
pub const CHAINED_SESSION_MAX: u64 = 3600;

/// Model inputs become Terraform variables and CloudFormation parameters.
pub const INPUT_PATTERN: &str = r"^[A-Za-z][A-Za-z0-9_]*$";
pub const INPUT_MAX: usize = 64;

pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || NAME_SYMBOLS.contains(c)
}

pub fn is_external_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || EXTERNAL_ID_SYMBOLS.contains(c)
}

/// `2 to 1224 characters of letters, digits and _+=,.@:/-`: the rule in words, for hints,
/// Terraform's `error_message` and CloudFormation's `ConstraintDescription`.
pub fn external_id_rule() -> String {
    format!(
        "{EXTERNAL_ID_MIN} to {EXTERNAL_ID_MAX} characters of letters, digits and {EXTERNAL_ID_SYMBOLS}"
    )
}

/// `^[…]+$`: the whole value in the External ID alphabet, at least one character.
pub fn external_id_regex() -> String {
    format!("^{EXTERNAL_ID_CLASS}+$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_and_the_symbols_name_the_same_characters() {
        let inner = EXTERNAL_ID_CLASS
            .strip_prefix(r"[\w")
            .and_then(|s| s.strip_suffix(']'))
            .unwrap();
        assert_eq!(format!("_{inner}"), EXTERNAL_ID_SYMBOLS);
        assert!(is_external_id_char(':') && !is_name_char(':'));
        assert!(!is_external_id_char(' ') && !is_external_id_char('#'));
    }

    #[test]
    fn the_rule_in_words_has_the_numbers() {
        assert_eq!(
            external_id_rule(),
            "2 to 1224 characters of letters, digits and _+=,.@:/-"
        );
    }
}
