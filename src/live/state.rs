//! An account's live IAM in the plan's terms, so that what `plan` expects and what an
//! account holds compare with the same code (`plan::compare`).

use std::collections::BTreeMap;

use super::Account;
use crate::plan::{
    AccountIam, DEFAULT_MAX_SESSION_DURATION, InstanceProfileState, ManagedPolicyState, RoleState,
};

impl Account {
    /// The roles, instance profiles and customer-managed policies that rolegraph could
    /// manage: service-linked and AWS-reserved roles are left out, as `import` skips them.
    pub fn state(&self) -> AccountIam {
        let mut iam = AccountIam::default();
        for role in self.roles.iter().filter(|r| r.owned_by_aws().is_none()) {
            iam.roles.insert(
                role.name.clone(),
                RoleState {
                    arn: role.arn.clone(),
                    path: role.path.clone(),
                    description: role.description.clone(),
                    max_session_duration: role
                        .max_session_duration
                        .unwrap_or(DEFAULT_MAX_SESSION_DURATION),
                    permissions_boundary: role.boundary.clone(),
                    tags: role.tags.iter().cloned().collect(),
                    trust_policy: role.trust.clone(),
                    attached_policies: role.attached.clone(),
                    inline_policies: role.inline.iter().cloned().collect::<BTreeMap<_, _>>(),
                },
            );
            for profile in &role.profiles {
                iam.instance_profiles.insert(
                    profile.name.clone(),
                    InstanceProfileState {
                        path: profile.path.clone(),
                        roles: profile.roles.clone(),
                    },
                );
            }
        }
        for policy in &self.policies {
            iam.managed_policies.insert(
                policy.name.clone(),
                ManagedPolicyState {
                    arn: policy.arn.clone(),
                    path: policy.path.clone(),
                    description: policy.description.clone(),
                    document: policy.document.clone(),
                },
            );
        }
        iam.normalized()
    }
}
