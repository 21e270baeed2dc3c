#!/usr/bin/env python3
"""The peer for `--only cloudformation`: troposphere writing, as JSON, the same 1,001
per-account templates that rolegraph writes for the synthetic model of N targets on one hub
(benches/support/synth.rs): the management account's hub role, its instance profile and
its assume policy naming every target role, and per target a role trusting the hub with an
External ID, an inline S3 policy, a tag and an ARN output.

`python3 benches/peers/troposphere_json.py N OUT_DIR`. Run by benches/peers/run, which
installs troposphere from PyPI into a virtual environment of its own; never by CI.
"""
import json
import os
import sys

from troposphere import GetAtt, Output, Ref, Tags, Template
from troposphere.iam import InstanceProfile, ManagedPolicy, Policy, Role

MANAGEMENT = "900000000000"


def target_account(i):
    return f"1{i:011d}"


def tags():
    return Tags(ManagedBy="rolegraph")


def management(n):
    t = Template(Description="IAM roles of account management")
    t.set_version("2010-09-09")
    t.add_resource(Role(
        "PlatformRole",
        RoleName="Platform",
        Path="/",
        AssumeRolePolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": ["ec2.amazonaws.com"]},
                "Action": ["sts:AssumeRole"],
            }],
        },
        Tags=tags(),
    ))
    t.add_resource(InstanceProfile(
        "PlatformInstanceProfile", InstanceProfileName="Platform", Path="/",
        Roles=[Ref("PlatformRole")],
    ))
    t.add_resource(ManagedPolicy(
        "PlatformAssumePolicy",
        ManagedPolicyName="Platform-assume",
        Path="/",
        Roles=[Ref("PlatformRole")],
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AssumeRole",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Resource": [
                    f"arn:aws:iam::{target_account(i)}:role/seqera/Worker" for i in range(n)
                ],
            }],
        },
    ))
    t.add_output(Output("PlatformRoleArn", Value=GetAtt("PlatformRole", "Arn")))
    return t


def target(i):
    account = target_account(i)
    logical = f"Worker{i:05d}Role"
    t = Template(Description=f"IAM roles of account target-{i:05d} ({account})")
    t.set_version("2010-09-09")
    t.add_resource(Role(
        logical,
        RoleName="Worker",
        Path="/seqera/",
        AssumeRolePolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{MANAGEMENT}:role/Platform"]},
                "Action": ["sts:AssumeRole"],
                "Condition": {"StringEquals": {"sts:ExternalId": [f"ext-{i:05d}-3f1e9a52"]}},
            }],
        },
        Policies=[Policy(
            PolicyName="data",
            PolicyDocument={
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": [f"arn:aws:s3:::data-{account}/*"],
                }],
            },
        )],
        Tags=tags(),
    ))
    t.add_output(Output(f"{logical}Arn", Value=GetAtt(logical, "Arn")))
    return t


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    templates = [("management", management(n))]
    templates += [(f"target-{i:05d}", target(i)) for i in range(n)]
    for name, template in templates:
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            f.write(template.to_json())
    # The files must be what CloudFormation reads: parse one of each kind back.
    for name in ("management", "target-00000"):
        with open(os.path.join(out, f"{name}.json")) as f:
            json.load(f)


if __name__ == "__main__":
    main()
