#!/usr/bin/env python3
"""A brownfield fixture for `rolegraph import` and `generate --adopt`: three accounts set
up by hand the way the seed's steps do it (../shared/seed/seqera-ec2-instance-role.md),
built with boto3 against a running moto server (`moto_harness.py serve`).

Subcommands:
  build URL             create the fixture's IAM in its three accounts
  cfn-import URL ACCOUNT TEMPLATE RESOURCES
                        create and execute an IMPORT change set in ACCOUNT
                        (`ID:PARTITION:REGION`) and print what moto did with it
  dump  URL DIR [ACCOUNT..]
                        write each account's `get-account-authorization-details` and
                        `list-roles` output to DIR/<id>.authorization.json and
                        DIR/<id>.roles.json, as the AWS CLI would print them (the
                        fixture's accounts unless ACCOUNTs are given)
  call  URL ACCOUNT METHOD JSON
                        one IAM call in ACCOUNT, as a person at the console would make
                        it: boto3's METHOD with the JSON object's keyword arguments

The committed dumps in tests/fixtures/brownfield/ were made by `build` then `dump` on a
fresh server; the moto tests run both again to have live accounts to adopt.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from moto_harness import account_creds, client  # noqa: E402

MANAGEMENT = "999999999999:aws:us-east-1"
PRODUCTION = "111111111111:aws:us-east-1"
DEVELOPMENT = "222222222222:aws:eu-west-1"
ACCOUNTS = [MANAGEMENT, PRODUCTION, DEVELOPMENT]
EXTERNAL_ACCOUNT = "333333333333"

PLATFORM_ROLE = "SeqeraPlatform-EC2-InstanceRole"
TARGET_A = ("SeqeraPlatformRole-AccountA", "/seqera/")
TARGET_B = ("SeqeraPlatformRole-AccountB", "/")
TAGS = [{"Key": "Owner", "Value": "platform-team"}]


def iam(url, spec):
    region = spec.split(":")[2]
    return client(url, "iam", region, account_creds(url, spec))


def arn(spec, name, path="/"):
    return f"arn:aws:iam::{spec.split(':')[0]}:role{path}{name}"


def document(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust_platform(external_id):
    """The seed's step "Update Target IAM Role Trust Policy", with the External ID that
    Seqera shows for the credential."""
    return document({
        "Effect": "Allow",
        "Principal": {"AWS": arn(MANAGEMENT, PLATFORM_ROLE)},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
    })


def build(url):
    management = iam(url, MANAGEMENT)
    management.create_role(
        RoleName=PLATFORM_ROLE,
        Description="Role of the EC2 instance that runs Seqera Platform",
        AssumeRolePolicyDocument=document({
            "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"}),
        Tags=TAGS,
    )
    management.attach_role_policy(
        RoleName=PLATFORM_ROLE,
        PolicyArn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
    management.create_instance_profile(InstanceProfileName="SeqeraPlatform-EC2-InstanceProfile")
    management.add_role_to_instance_profile(
        InstanceProfileName="SeqeraPlatform-EC2-InstanceProfile", RoleName=PLATFORM_ROLE)
    # The seed's step "Update AWS EC2 Instance Role IAM permissions".
    management.put_role_policy(
        RoleName=PLATFORM_ROLE, PolicyName="AssumeSeqeraRoles",
        PolicyDocument=document({
            "Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": [arn(PRODUCTION, *TARGET_A), arn(DEVELOPMENT, *TARGET_B)]}))
    management.create_user(UserName="console-admin")
    management.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")

    production = iam(url, PRODUCTION)
    production.create_role(
        RoleName=TARGET_A[0], Path=TARGET_A[1], MaxSessionDuration=7200,
        AssumeRolePolicyDocument=trust_platform("ext-production-7f3a"), Tags=TAGS)
    production.put_role_policy(
        RoleName=TARGET_A[0], PolicyName="data-access",
        PolicyDocument=document(
            {"Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::acme-prod-data"},
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": "arn:aws:s3:::acme-prod-data/*"}))
    # Unrelated to Seqera: a boundary and tags of its own, trusted by the management
    # account's root (with MFA).
    production.create_role(
        RoleName="DataAnalyst",
        AssumeRolePolicyDocument=document({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT.split(':')[0]}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}),
        PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess",
        Tags=TAGS + [{"Key": "CostCenter", "Value": "analytics"}],
    )
    production.attach_role_policy(
        RoleName="DataAnalyst", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    # A vendor's role in an account this fixture does not import, with its External ID.
    production.create_role(
        RoleName="ExternalAuditor", Path="/vendors/",
        AssumeRolePolicyDocument=document({
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{EXTERNAL_ACCOUNT}:role/Auditor"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "vendor-7731"}}}),
        Tags=TAGS,
    )
    production.attach_role_policy(
        RoleName="ExternalAuditor", PolicyArn="arn:aws:iam::aws:policy/SecurityAudit")

    development = iam(url, DEVELOPMENT)
    development.create_role(
        RoleName=TARGET_B[0], AssumeRolePolicyDocument=trust_platform("ext-development-91c2"),
        Tags=TAGS)
    development.create_policy(
        PolicyName="SeqeraBatch", Path="/seqera/",
        Description="AWS Batch for Seqera Platform's compute environments",
        PolicyDocument=document(
            {"Sid": "Batch", "Effect": "Allow",
             "Action": ["batch:DescribeJobQueues", "batch:DescribeJobs", "batch:SubmitJob",
                        "batch:TerminateJob"],
             "Resource": "*"}))
    development.attach_role_policy(
        RoleName=TARGET_B[0], PolicyArn="arn:aws:iam::222222222222:policy/seqera/SeqeraBatch")


def pages(call, key, **kwargs):
    marker, items = None, []
    while True:
        page = call(**kwargs, **({"Marker": marker} if marker else {}))
        items += page[key]
        if not page.get("IsTruncated"):
            return page, items
        marker = page["Marker"]


def dump(url, out, accounts=None):
    os.makedirs(out, exist_ok=True)
    for spec in accounts or ACCOUNTS:
        account_id = spec.split(":")[0]
        client_ = iam(url, spec)
        details = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [],
                   "Policies": []}
        marker = None
        while True:
            page = client_.get_account_authorization_details(
                Filter=["User", "Role", "Group", "LocalManagedPolicy"],
                **({"Marker": marker} if marker else {}))
            for key in details:
                details[key] += page.get(key, [])
            if not page.get("IsTruncated"):
                break
            marker = page["Marker"]
        _, roles = pages(client_.list_roles, "Roles")
        for name, value in [("authorization", details), ("roles", {"Roles": roles})]:
            path = os.path.join(out, f"{account_id}.{name}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(value, f, indent=4, sort_keys=True, default=str)
                f.write("\n")


def cfn_import(url, spec, template, resources):
    """What moto 5.2.1 does with an IMPORT change set: the README's moto table says it."""
    region = spec.split(":")[2]
    cf = client(url, "cloudformation", region, account_creds(url, spec))
    with open(template, encoding="utf-8") as f:
        body = f.read()
    with open(resources, encoding="utf-8") as f:
        to_import = json.load(f)
    try:
        cf.create_change_set(
            StackName="rolegraph-adopt", ChangeSetName="rolegraph-adopt",
            ChangeSetType="IMPORT", TemplateBody=body, ResourcesToImport=to_import,
            Capabilities=["CAPABILITY_NAMED_IAM"])
        cf.execute_change_set(StackName="rolegraph-adopt", ChangeSetName="rolegraph-adopt")
        status = cf.describe_stacks(StackName="rolegraph-adopt")["Stacks"][0]["StackStatus"]
        print(f"status {status}")
    except Exception as err:  # moto's failure is the finding, not a harness error
        print(f"error {type(err).__name__}: {err}")


def main(argv):
    if len(argv) == 2 and argv[0] == "build":
        build(argv[1])
    elif len(argv) == 5 and argv[0] == "cfn-import":
        cfn_import(*argv[1:])
    elif len(argv) >= 3 and argv[0] == "dump":
        dump(argv[1], argv[2], argv[3:])
    elif len(argv) == 5 and argv[0] == "call":
        url, spec, method, kwargs = argv[1:]
        getattr(iam(url, spec), method)(**json.loads(kwargs))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
