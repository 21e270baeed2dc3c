//! Reading authorization-details and list-roles files into accounts. Each file is told
//! apart by its shape, its account comes from the ARNs it holds, and every problem in
//! every file is reported at once, with the file and, where serde_json knows it, the
//! line and column.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::document::Document;
use super::{Account, InstanceProfile, Policy, Role};
use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::input::{self, Limit, Scope};
use crate::model::Partition;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AuthorizationDetails {
    role_detail_list: Vec<RoleDetail>,
    #[serde(default)]
    user_detail_list: Vec<IgnoredAny>,
    #[serde(default)]
    group_detail_list: Vec<IgnoredAny>,
    #[serde(default)]
    policies: Vec<PolicyDetail>,
    #[serde(default)]
    is_truncated: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleDetail {
    path: String,
    role_name: String,
    role_id: String,
    arn: String,
    assume_role_policy_document: Document,
    #[serde(default)]
    instance_profile_list: Vec<ProfileDetail>,
    #[serde(default)]
    role_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    attached_managed_policies: Vec<Attached>,
    permissions_boundary: Option<Boundary>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileDetail {
    instance_profile_name: String,
    instance_profile_id: String,
    path: String,
    #[serde(default)]
    roles: Vec<ProfileRole>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProfileRole {
    role_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InlinePolicy {
    policy_name: String,
    policy_document: Document,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Attached {
    policy_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Boundary {
    permissions_boundary_arn: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyDetail {
    /// moto 5.2.1 leaves it out; the ARN ends with it.
    policy_name: Option<String>,
    arn: String,
    path: String,
    description: Option<String>,
    default_version_id: String,
    #[serde(default)]
    attachment_count: u64,
    #[serde(default)]
    policy_version_list: Vec<PolicyVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PolicyVersion {
    document: Document,
    version_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleList {
    roles: Vec<ListedRole>,
    #[serde(default)]
    is_truncated: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListedRole {
    arn: String,
    description: Option<String>,
    max_session_duration: Option<u64>,
}

/// The two top-level keys that tell the files apart.
#[derive(Deserialize)]
struct Shape {
    #[serde(rename = "RoleDetailList")]
    role_detail_list: Option<IgnoredAny>,
    #[serde(rename = "Roles")]
    roles: Option<IgnoredAny>,
}

enum Parsed {
    Details(AuthorizationDetails),
    Roles(RoleList),
}

/// Every file read into its account, in the order the files were given; all errors at once.
/// Each must resolve inside the folder it was named in unless `access` allows outside
/// files: a committed dump that links to `~/.aws/credentials` is refused unread.
pub fn read_all(
    paths: &[std::path::PathBuf],
    access: crate::model::Access,
) -> Result<Vec<Account>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut texts = Vec::new();
    for path in paths {
        let file: Arc<str> = Arc::from(path.display().to_string());
        let folder = crate::model::base_of(path);
        let scope = match access.outside_files {
            true => Scope::Anywhere,
            false => Scope::Within(folder),
        };
        match input::read_text(path, Limit::Live, scope) {
            Ok(text) => texts.push((file, text)),
            Err(err) => {
                let mut error = Diagnostic::nowhere(format!("cannot read {file}: {err}"));
                if let input::ReadError::Outside(_) = err {
                    error = error.hint(
                        "keep the file in the folder it is named in, or pass --allow-outside-files",
                    );
                }
                diags.push(error)
            }
        }
    }
    match read_texts(&texts) {
        Ok(accounts) if diags.is_empty() => Ok(accounts),
        Ok(_) => Err(diags),
        Err(more) => {
            diags.extend(more);
            Err(diags)
        }
    }
}

/// `read_all` of texts already read, each with the name to show for it (the fuzzer's
/// way in, and for input that is not a file).
pub fn read_texts(texts: &[(Arc<str>, String)]) -> Result<Vec<Account>, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut accounts: Vec<Account> = Vec::new();
    let mut role_lists: Vec<(Arc<str>, RoleList)> = Vec::new();
    for (file, text) in texts {
        let file = Arc::clone(file);
        let Some(parsed) = parse_text(text, &file, &mut diags) else {
            continue;
        };
        match parsed {
            Parsed::Roles(list) => role_lists.push((file, list)),
            Parsed::Details(details) => match account(&file, details) {
                Ok(mut account) => {
                    let lines = super::document::role_lines(text);
                    for role in &mut account.roles {
                        role.line = lines.get(&role.name).copied().unwrap_or(1);
                    }
                    if let Some(first) = accounts.iter().find(|a| a.id == account.id) {
                        diags.push(Diagnostic::nowhere(format!(
                            "{file}: a second authorization-details file for account {} (the first is {})",
                            account.id, first.file
                        )).hint("give one file per account; `aws iam get-account-authorization-details` prints every page in one"));
                    } else {
                        accounts.push(account);
                    }
                }
                Err(errors) => diags.extend(errors),
            },
        }
    }
    for (file, list) in role_lists {
        if let Err(err) = merge_role_list(&mut accounts, &file, list) {
            diags.push(err);
        }
    }
    diags.into_result(accounts)
}

fn parse_text(text: &str, file: &Arc<str>, diags: &mut Diagnostics) -> Option<Parsed> {
    let at = |err: &serde_json::Error| Loc::new(file, err.line() as u32, err.column() as u32);
    let shape: Shape = match serde_json::from_str(text) {
        Ok(shape) => shape,
        Err(err) => {
            diags.add_source(file, text);
            let message = if err.is_eof() {
                format!("the JSON ends early: {}", without_position(&err))
            } else if err.is_data() {
                "this is neither `get-account-authorization-details` nor `list-roles` output: it is not a JSON object".to_owned()
            } else {
                format!("this is not JSON: {}", without_position(&err))
            };
            diags.push(Diagnostic::at(&at(&err), message).hint(WHAT_TO_GIVE));
            return None;
        }
    };
    if let Err(err) = crate::model::strict_json::unique_keys(text) {
        diags.add_source(file, text);
        diags.push(Diagnostic::at(&at(&err), without_position(&err)).hint(
            "the AWS CLI never repeats a key; a file that does was edited, and a reader that keeps the last value would see another policy than one that keeps the first",
        ));
        return None;
    }
    let parsed = match (shape.role_detail_list, shape.roles) {
        (Some(_), _) => serde_json::from_str(text).map(Parsed::Details),
        (None, Some(_)) => serde_json::from_str(text).map(Parsed::Roles),
        (None, None) => {
            diags.push(
                Diagnostic::at(
                    &Loc::new(file, 1, 1),
                    "this is neither `get-account-authorization-details` nor `list-roles` output: it has no `RoleDetailList` and no `Roles`",
                )
                .hint(WHAT_TO_GIVE),
            );
            return None;
        }
    };
    match parsed {
        Ok(Parsed::Details(d)) if d.is_truncated => truncated(file, diags),
        Ok(Parsed::Roles(r)) if r.is_truncated => truncated(file, diags),
        Ok(parsed) => Some(parsed),
        Err(err) => {
            diags.add_source(file, text);
            diags.push(Diagnostic::at(&at(&err), without_position(&err)).hint(WHAT_TO_GIVE));
            None
        }
    }
}

/// serde_json's message without the " at line L column C" that the position already says.
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

const WHAT_TO_GIVE: &str = "give each account's `aws iam get-account-authorization-details --output json` (and, optionally, `aws iam list-roles --output json`) as written";

fn truncated(file: &Arc<str>, diags: &mut Diagnostics) -> Option<Parsed> {
    diags.push(
        Diagnostic::nowhere(format!(
            "{file}: this is one page of a longer reply (`IsTruncated` is true)"
        ))
        .hint("the AWS CLI joins every page unless given --max-items; rerun it without"),
    );
    None
}

/// `arn:<partition>:iam::<account>:<rest>`, checked.
fn split_arn(arn: &str) -> Option<(Partition, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(":iam::")?;
    let partition = Partition::ALL.iter().find(|(p, _)| *p == partition)?.1;
    let (account, rest) = rest.split_once(':')?;
    let digits = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    digits.then_some((partition, account, rest))
}

fn account(file: &Arc<str>, details: AuthorizationDetails) -> Result<Account, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut owner: Option<(Partition, String)> = None;
    let mut claim = |arn: &str, what: String, diags: &mut Diagnostics| {
        let Some((partition, id, _)) = split_arn(arn) else {
            diags.push(Diagnostic::nowhere(format!(
                "{file}: {what} has the ARN `{arn}`, which is not an IAM ARN"
            )));
            return;
        };
        match &owner {
            None => owner = Some((partition, id.to_owned())),
            Some((p, known)) if *p == partition && known == id => {}
            Some((p, known)) => diags.push(Diagnostic::nowhere(format!(
                "{file}: {what} is in account {id} ({}), but the file's other entries are in {known} ({})",
                partition.as_str(),
                p.as_str()
            )).hint("give one file per account, as `get-account-authorization-details` prints it")),
        }
    };
    let mut roles = Vec::new();
    for detail in details.role_detail_list {
        claim(
            &detail.arn,
            format!("role `{}`", detail.role_name),
            &mut diags,
        );
        let expected_tail = format!("role{}{}", detail.path, detail.role_name);
        if split_arn(&detail.arn).is_some_and(|(_, _, tail)| tail != expected_tail) {
            diags.push(Diagnostic::nowhere(format!(
                "{file}: role `{}` has path `{}` but the ARN `{}`",
                detail.role_name, detail.path, detail.arn
            )));
        }
        for problem in names_problems(&detail) {
            diags.push(Diagnostic::nowhere(format!("{file}: {problem}")).hint(
                "IAM could not have written this: the file was edited, or is not AWS's output",
            ));
        }
        roles.push(role(detail));
    }
    let mut policies = Vec::new();
    for detail in details.policies {
        // AWS-managed policies (`arn:aws:iam::aws:policy/…`) are not the account's.
        if detail.arn.split(':').nth(4) == Some("aws") {
            continue;
        }
        claim(&detail.arn, format!("policy `{}`", detail.arn), &mut diags);
        match policy(detail) {
            Ok(policy) if crate::ir::checks::policy_name(&policy.name).is_err() => {
                diags.push(Diagnostic::nowhere(format!(
                    "{file}: policy `{}` has a name IAM does not allow",
                    policy.arn
                )));
            }
            Ok(policy) => policies.push(policy),
            Err(message) => diags.push(Diagnostic::nowhere(format!("{file}: {message}"))),
        }
    }
    let Some((partition, id)) = owner else {
        diags.push(Diagnostic::nowhere(format!(
            "{file}: the file holds no role and no customer-managed policy, so nothing says which account it is"
        )).hint("there is nothing to import from it; leave it out"));
        return Err(diags);
    };
    let index = super::Index::of(&roles, &policies);
    diags.into_result(Account {
        id,
        partition,
        file: Arc::clone(file),
        has_role_list: false,
        index,
        roles,
        policies,
        users: details.user_detail_list.len(),
        groups: details.group_detail_list.len(),
    })
}

/// Names and paths IAM would not accept. They reach file names, the model and the
/// commands the report prints, so what AWS cannot have written is refused here.
fn names_problems(detail: &RoleDetail) -> Vec<String> {
    use crate::ir::checks;
    let role = &detail.role_name;
    let mut checks_done = vec![
        checks::role_name(role).map_err(|e| e.0),
        checks::path(&detail.path).map_err(|e| format!("role `{role}`: {}", e.0)),
    ];
    for p in &detail.role_policy_list {
        checks_done.push(
            checks::policy_name(&p.policy_name).map_err(|e| format!("role `{role}`: {}", e.0)),
        );
    }
    for p in &detail.instance_profile_list {
        checks_done.push(checks::instance_profile_name(&p.instance_profile_name).map_err(|e| e.0));
        checks_done.push(
            checks::path(&p.path)
                .map_err(|e| format!("instance profile `{}`: {}", p.instance_profile_name, e.0)),
        );
    }
    checks_done.into_iter().filter_map(Result::err).collect()
}

fn role(detail: RoleDetail) -> Role {
    Role {
        name: detail.role_name,
        path: detail.path,
        arn: detail.arn,
        id: detail.role_id,
        trust: detail.assume_role_policy_document.0,
        inline: detail
            .role_policy_list
            .into_iter()
            .map(|p| (p.policy_name, p.policy_document.0))
            .collect(),
        attached: detail
            .attached_managed_policies
            .into_iter()
            .map(|a| a.policy_arn)
            .collect(),
        boundary: detail
            .permissions_boundary
            .map(|b| b.permissions_boundary_arn),
        tags: detail.tags.into_iter().map(|t| (t.key, t.value)).collect(),
        profiles: detail
            .instance_profile_list
            .into_iter()
            .map(|p| InstanceProfile {
                name: p.instance_profile_name,
                path: p.path,
                id: p.instance_profile_id,
                roles: p.roles.into_iter().map(|r| r.role_name).collect(),
            })
            .collect(),
        description: None,
        max_session_duration: None,
        line: 1,
    }
}

fn policy(detail: PolicyDetail) -> Result<Policy, String> {
    let name = detail
        .policy_name
        .clone()
        .unwrap_or_else(|| detail.arn.rsplit('/').next().unwrap_or_default().to_owned());
    let versions = detail.policy_version_list.len();
    let Some(default) = detail
        .policy_version_list
        .into_iter()
        .find(|v| v.version_id == detail.default_version_id)
    else {
        return Err(format!(
            "policy `{name}` has no version {}, its default",
            detail.default_version_id
        ));
    };
    Ok(Policy {
        name,
        arn: detail.arn,
        path: detail.path,
        description: detail.description.filter(|d| !d.is_empty()),
        attachment_count: detail.attachment_count,
        document: default.document.0,
        other_versions: versions - 1,
    })
}

/// Descriptions and session lengths, which only list-roles has, onto the roles of the
/// account the file's ARNs name.
fn merge_role_list(
    accounts: &mut [Account],
    file: &Arc<str>,
    list: RoleList,
) -> Result<(), Diagnostic> {
    let ids: BTreeMap<&str, ()> = list
        .roles
        .iter()
        .filter_map(|r| split_arn(&r.arn).map(|(_, id, _)| (id, ())))
        .collect();
    let id = match ids.keys().collect::<Vec<_>>().as_slice() {
        [id] => id.to_string(),
        [] => return Ok(()),
        _ => {
            return Err(Diagnostic::nowhere(format!(
                "{file}: the roles listed are in more than one account"
            ))
            .hint("give one list-roles file per account"));
        }
    };
    let Some(account) = accounts.iter_mut().find(|a| a.id == id) else {
        return Err(Diagnostic::nowhere(format!(
            "{file}: lists the roles of account {id}, but no authorization-details file is given for it"
        ))
        .hint("give that account's `get-account-authorization-details` output too"));
    };
    if account.has_role_list {
        return Err(Diagnostic::nowhere(format!(
            "{file}: a second list-roles file for account {id}"
        ))
        .hint("give one list-roles file per account"));
    }
    account.has_role_list = true;
    let by_arn: std::collections::HashMap<String, usize> = account
        .roles
        .iter()
        .enumerate()
        .rev()
        .map(|(at, role)| (role.arn.clone(), at))
        .collect();
    for listed in list.roles {
        if let Some(role) = by_arn.get(&listed.arn).map(|&at| &mut account.roles[at]) {
            role.description = listed.description.filter(|d| !d.is_empty());
            role.max_session_duration = listed.max_session_duration;
        }
    }
    Ok(())
}
