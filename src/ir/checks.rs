//! IAM's formats, as the IAM API reference states them (see shared/reference). Each check
//! returns the complaint and a hint; the caller adds the position.

use crate::diag::plural;
use crate::iam::{self, is_external_id_char, is_name_char};
use crate::model::Partition;

pub type Check = Result<(), (String, String)>;

fn fail<T>(message: impl Into<String>, hint: impl Into<String>) -> Result<T, (String, String)> {
    Err((message.into(), hint.into()))
}

fn iam_name(kind: &str, value: &str, max: usize) -> Check {
    let len = value.chars().count();
    if len == 0 || len > max {
        return fail(
            format!(
                "{kind} `{value}` is {} long; IAM allows 1 to {max}",
                plural(len, "character")
            ),
            format!("shorten it to at most {max} characters"),
        );
    }
    if let Some(bad) = value.chars().find(|c| !is_name_char(*c)) {
        return fail(
            format!("{kind} `{value}` contains `{bad}`, which IAM does not allow"),
            format!("use letters, digits and {} only", iam::NAME_SYMBOLS),
        );
    }
    Ok(())
}

pub fn role_name(value: &str) -> Check {
    iam_name("role name", value, iam::ROLE_NAME_MAX)
}

pub fn instance_profile_name(value: &str) -> Check {
    iam_name(
        "instance profile name",
        value,
        iam::INSTANCE_PROFILE_NAME_MAX,
    )
}

pub fn policy_name(value: &str) -> Check {
    iam_name("policy name", value, iam::POLICY_NAME_MAX)
}

pub fn path(value: &str) -> Check {
    let hint = "a path is `/` or starts and ends with `/`, like `/seqera/`";
    if value.is_empty() || value.len() > iam::PATH_MAX {
        return fail(
            format!(
                "path `{value}` must be 1 to {} characters long",
                iam::PATH_MAX
            ),
            hint,
        );
    }
    if !value.starts_with('/') || !value.ends_with('/') {
        return fail(format!("path `{value}` must start and end with `/`"), hint);
    }
    if let Some(bad) = value.chars().find(|c| !('\u{21}'..='\u{7e}').contains(c)) {
        return fail(
            format!("path `{value}` contains {bad:?}; IAM allows printable ASCII without spaces"),
            hint,
        );
    }
    Ok(())
}

/// Keys name files and resources in every backend, so they stay in a safe alphabet.
pub fn logical_key(kind: &str, value: &str) -> Check {
    let ok_start = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic());
    let ok_rest = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok_start || !ok_rest || value.len() > 64 {
        return fail(
            format!("{kind} key `{value}` is not a valid identifier"),
            "start with a letter and use letters, digits, `_` and `-` (at most 64 characters); the key names files and resources",
        );
    }
    Ok(())
}

pub fn account_id(value: &str) -> Check {
    if value.len() != 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return fail(
            format!("`{value}` is not an AWS account id"),
            "an account id is exactly 12 digits, quoted, like \"012345678901\"",
        );
    }
    Ok(())
}

pub fn region(value: &str) -> Check {
    let parts: Vec<&str> = value.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| !p.is_empty())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit());
    if !ok {
        return fail(
            format!("`{value}` is not an AWS region name"),
            "write a region such as us-east-1 or eu-west-1",
        );
    }
    Ok(())
}

/// AWS's ExternalId rule (`iam::EXTERNAL_ID_*`).
pub fn external_id(value: &str) -> Check {
    let hint = || format!("an External ID is {}", iam::external_id_rule());
    let len = value.chars().count();
    if !(iam::EXTERNAL_ID_MIN..=iam::EXTERNAL_ID_MAX).contains(&len) {
        return fail(
            format!("external_id `{value}` is {} long", plural(len, "character")),
            hint(),
        );
    }
    if let Some(bad) = value.chars().find(|c| !is_external_id_char(*c)) {
        return fail(format!("external_id `{value}` contains {bad:?}"), hint());
    }
    Ok(())
}

/// Inputs become Terraform variables and (in PascalCase) CloudFormation parameters.
pub fn input_name(value: &str) -> Check {
    let ok = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && value.len() <= iam::INPUT_MAX;
    if !ok {
        return fail(
            format!("input name `{value}` is not a valid identifier"),
            "start with a letter and use letters, digits and `_`, e.g. production_external_id",
        );
    }
    Ok(())
}

pub fn service_principal(value: &str) -> Check {
    let body = value
        .strip_suffix(".amazonaws.com")
        .or_else(|| value.strip_suffix(".amazonaws.com.cn"));
    let ok = body.is_some_and(|b| {
        !b.is_empty()
            && !b.starts_with('.')
            && b.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
    });
    if !ok {
        return fail(
            format!("`{value}` is not an AWS service principal"),
            "write the service's DNS name, e.g. ec2.amazonaws.com",
        );
    }
    Ok(())
}

struct Arn<'a> {
    partition: Partition,
    service: &'a str,
    account: &'a str,
    resource: &'a str,
}

fn parse_arn(value: &str) -> Option<Arn<'_>> {
    let mut parts = value.splitn(6, ':');
    let (arn, partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let partition = Partition::ALL
        .iter()
        .find(|(name, _)| *name == partition)?
        .1;
    (arn == "arn" && region.is_empty() && !resource.is_empty()).then_some(Arn {
        partition,
        service,
        account,
        resource,
    })
}

/// `<type>/<path><name>`, with the path and name in IAM's alphabets.
fn typed_resource<'a>(resource: &'a str, kinds: &[&str]) -> Option<&'a str> {
    let (kind, rest) = resource.split_once('/')?;
    if !kinds.contains(&kind) {
        return None;
    }
    let (dir, name) = rest.rsplit_once('/').unwrap_or(("", rest));
    let dir_ok = dir.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c));
    let name_ok = !name.is_empty()
        && name
            .chars()
            .all(|c| is_name_char(c) || c == '*' || c == '?');
    (dir_ok && name_ok).then_some(kind)
}

/// A principal outside the model: an account root, a role, a user or an assumed-role session.
pub fn principal_arn(value: &str) -> Result<Partition, (String, String)> {
    let hint = "write arn:<partition>:iam::<12 digits>:root, …:role/<path><name> or …:user/<name>";
    let Some(arn) = parse_arn(value) else {
        return fail(format!("`{value}` is not a valid ARN"), hint);
    };
    let account_ok = account_id(arn.account).is_ok();
    let resource_ok = match arn.service {
        "iam" => {
            arn.resource == "root" || typed_resource(arn.resource, &["role", "user"]).is_some()
        }
        "sts" => typed_resource(arn.resource, &["assumed-role", "federated-user"]).is_some(),
        _ => false,
    };
    if !account_ok || !resource_ok {
        return fail(format!("`{value}` is not an IAM principal ARN"), hint);
    }
    Ok(arn.partition)
}

/// A managed policy: AWS's own (`iam::aws:policy/…`) or an account's.
pub fn policy_arn(value: &str) -> Result<Partition, (String, String)> {
    let hint = "write arn:<partition>:iam::aws:policy/<name> or arn:<partition>:iam::<12 digits>:policy/<path><name>";
    match parse_arn(value) {
        Some(arn)
            if arn.service == "iam"
                && (arn.account == "aws" || account_id(arn.account).is_ok())
                && typed_resource(arn.resource, &["policy"]).is_some() =>
        {
            Ok(arn.partition)
        }
        _ => fail(format!("`{value}` is not a managed policy ARN"), hint),
    }
}

pub fn role_arn(value: &str) -> Result<Partition, (String, String)> {
    match parse_arn(value) {
        Some(arn)
            if arn.service == "iam"
                && account_id(arn.account).is_ok()
                && typed_resource(arn.resource, &["role"]).is_some() =>
        {
            Ok(arn.partition)
        }
        _ => fail(
            format!("`{value}` is not a role ARN"),
            "write arn:<partition>:iam::<12 digits>:role/<path><name>",
        ),
    }
}

/// IAM matches action names without regard to case (`IAM:PASSROLE` is `iam:PassRole`), so
/// any case is accepted here and kept as written in the output.
pub fn action(value: &str) -> Check {
    let ok = value == "*"
        || value.split_once(':').is_some_and(|(service, name)| {
            !service.is_empty()
                && service
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
        });
    if !ok {
        return fail(
            format!("`{value}` is not an IAM action"),
            "write service:Action, e.g. s3:GetObject (wildcards * and ? allowed)",
        );
    }
    Ok(())
}

pub fn resource(value: &str) -> Check {
    if value == "*" || parse_arn_loose(value) {
        return Ok(());
    }
    fail(
        format!("`{value}` is not a resource ARN"),
        "write an ARN such as arn:aws:s3:::bucket/*, or `*`",
    )
}

/// Resource ARNs vary by service (S3 has no region or account), so only the frame is checked.
fn parse_arn_loose(value: &str) -> bool {
    let mut parts = value.splitn(6, ':');
    parts.next() == Some("arn")
        && parts.next().is_some_and(|partition| !partition.is_empty())
        && parts.next().is_some_and(|service| !service.is_empty())
        && parts.count() == 3
}

pub fn sid(value: &str) -> Check {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return fail(
            format!("sid `{value}` must be letters and digits only"),
            "IAM accepts [A-Za-z0-9] in a Sid",
        );
    }
    Ok(())
}

pub fn condition_operator(value: &str) -> Check {
    let bare = value
        .strip_prefix("ForAllValues:")
        .or_else(|| value.strip_prefix("ForAnyValue:"))
        .unwrap_or(value);
    if bare.is_empty() || !bare.bytes().all(|b| b.is_ascii_alphabetic()) {
        return fail(
            format!("`{value}` is not a condition operator"),
            "write an IAM condition operator such as StringEquals or ArnLike",
        );
    }
    Ok(())
}

pub fn condition_key(value: &str) -> Check {
    let ok = value.split_once(':').is_some_and(|(prefix, rest)| {
        !prefix.is_empty() && !rest.is_empty() && !value.chars().any(char::is_whitespace)
    });
    if !ok {
        return fail(
            format!("`{value}` is not a condition key"),
            "write a key such as aws:PrincipalArn or sts:ExternalId",
        );
    }
    Ok(())
}

pub fn tag(key: &str, value: &str) -> Check {
    let allowed = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
    let hint = "tag keys are 1 to 128 and values 0 to 256 characters of letters, digits, spaces and _.:/=+-@";
    if key.is_empty() || key.chars().count() > 128 || !key.chars().all(allowed) {
        return fail(format!("tag key `{key}` is not allowed"), hint);
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return fail(
            format!("tag key `{key}` uses the reserved prefix aws:"),
            hint,
        );
    }
    if value.chars().count() > 256 || !value.chars().all(allowed) {
        return fail(format!("the value of tag `{key}` is not allowed"), hint);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_arns() {
        assert!(principal_arn("arn:aws:iam::111111111111:root").is_ok());
        assert!(principal_arn("arn:aws:iam::111111111111:role/a/b/Name").is_ok());
        assert_eq!(
            principal_arn("arn:aws-cn:iam::111111111111:user/x"),
            Ok(Partition::AwsCn)
        );
        // the seed's own malformed principal
        assert!(principal_arn("arn:aws:iam::::############::role/AWS_EC2_Instance_Role").is_err());
        assert!(principal_arn("arn:aws:s3:::bucket").is_err());
        assert!(principal_arn("arn:aws:iam::12345:root").is_err());
    }

    #[test]
    fn names_and_paths() {
        assert!(role_name("SeqeraPlatform-EC2-InstanceRole").is_ok());
        assert!(role_name(&"x".repeat(65)).is_err());
        assert!(role_name("has space").is_err());
        assert!(path("/").is_ok());
        assert!(path("/seqera/team/").is_ok());
        assert!(path("seqera/").is_err());
        assert!(path("/seqera").is_err());
    }

    #[test]
    fn external_ids_follow_aws_rule() {
        assert!(external_id("seqera-dev-3f1e9a52").is_ok());
        assert!(external_id("a").is_err());
        assert!(external_id("has space").is_err());
        assert!(external_id(&"a".repeat(1224)).is_ok());
        assert!(external_id(&"a".repeat(1225)).is_err());
    }

    #[test]
    fn resource_arns_have_six_parts_a_partition_and_a_service() {
        assert!(resource("*").is_ok());
        assert!(resource("arn:aws:s3:::bucket/*").is_ok());
        assert!(resource("arn:aws:iam::111111111111:role/a").is_ok());
        // Colons after the fifth belong to the resource.
        assert!(resource("arn:aws:logs:us-east-1:111111111111:log-group:g:*").is_ok());
        assert!(resource("arn:aws:s3::").is_err());
        assert!(resource("arn:aws:s3:::").is_ok());
        assert!(resource("arn::s3:::bucket").is_err());
        assert!(resource("arn:aws::::bucket").is_err());
        assert!(resource("ARN:aws:s3:::bucket").is_err());
        assert!(resource("bucket").is_err());
        assert!(resource("").is_err());
    }

    #[test]
    fn regions() {
        assert!(region("us-east-1").is_ok());
        assert!(region("us-gov-west-1").is_ok());
        assert!(region("useast1").is_err());
    }
}
