//! CloudFormation's per-stack quotas (the CloudFormation quotas page; cfn-lint checks the
//! same numbers).

/// Bytes of a template body passed directly (`--template-body`).
pub const TEMPLATE_BODY: usize = 51_200;
/// Bytes of a template body passed through S3 (`--template-url`).
pub const TEMPLATE_BODY_S3: usize = 1_000_000;
/// Resources in one stack.
pub const RESOURCES: usize = 500;
/// Parameters in one stack.
pub const PARAMETERS: usize = 200;
/// Outputs in one stack.
pub const OUTPUTS: usize = 200;
