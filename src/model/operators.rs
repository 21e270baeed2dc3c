//! IAM's condition operators, so that a misspelt one fails at validation instead of at
//! deploy time (IAM rejects the policy) or, worse, in cfn-lint after generation.
//! Source: the IAM User Guide, "IAM JSON policy elements: Condition operators".

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Whether `name` is an operator IAM accepts: one of the documented operators, optionally
/// with a `ForAllValues:` or `ForAnyValue:` set prefix and an `IfExists` suffix (which
/// `Null` does not take).
pub fn is_condition_operator(name: &str) -> bool {
    let base = name
        .strip_prefix("ForAllValues:")
        .or_else(|| name.strip_prefix("ForAnyValue:"))
        .unwrap_or(name);
    if OPERATORS.contains(&base) {
        return true;
    }
    base.strip_suffix("IfExists")
        .is_some_and(|b| b != "Null" && OPERATORS.contains(&b))
}

/// The hint for an unknown operator: the closest known one, or where to look.
pub fn hint(name: &str) -> String {
    let base = name.rsplit(':').next().unwrap_or(name);
    match crate::diag::closest(base, OPERATORS.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "IAM's operators are StringEquals, StringLike, ArnLike, Bool, NumericLessThan, … (with ForAllValues:/ForAnyValue: and IfExists forms)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_condition_operator;

    #[test]
    fn documented_forms_are_operators() {
        for op in [
            "StringEquals",
            "ForAnyValue:StringLike",
            "ForAllValues:StringEqualsIfExists",
            "ArnLikeIfExists",
            "Null",
            "ForAllValues:Null",
        ] {
            assert!(is_condition_operator(op), "{op}");
        }
    }

    #[test]
    fn others_are_not() {
        for op in [
            "Bogus",
            "stringequals",
            "NullIfExists",
            "ForAllValues:",
            "IfExists",
            "ForSomeValues:StringEquals",
            "StringEqualsIfExistsIfExists",
        ] {
            assert!(!is_condition_operator(op), "{op}");
        }
    }
}
