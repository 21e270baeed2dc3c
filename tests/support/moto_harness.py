#!/usr/bin/env python3
"""Test harness around moto (an AWS emulator) for the cloud tests (tests/integration/).

Subcommands:
  serve                 start moto on 127.0.0.1 and a free port, print `port N`, and serve
                        until killed or until stdin closes (the test holds the other end)
  creds  URL ACCOUNT..  print credentials that moto attributes to each account
  deploy URL PLAN       create CloudFormation stacks in order and check that moto really
                        created every resource and output of each template
  verify URL ACCOUNT..  hold every stack of each account (deployed by the AWS CLI) to
                        deploy's checks: parameter rules, resources, outputs; print
                        `stacks N`
  dump   URL ACCOUNT..  print each account's IAM as read back through the IAM API
  prereq URL ACCOUNT ARN..
                        create customer-managed policies that the model attaches but
                        does not create (they must exist before any deploy, as in AWS)

ACCOUNT is `ID:PARTITION:REGION`. moto 5.2 gives a request the account that owns its
access key, and `sts:AssumeRole` into `arn:<partition>:iam::<id>:role/<any>` returns keys
owned by <id> even when that role does not exist; that is how each account gets its own
credentials (MOTO_ACCOUNT_ID is global and cannot do this).

`serve` patches gaps in moto's CloudFormation that rolegraph's templates hit (README,
"Testing against moto"). The product's output is never changed to suit moto.
"""

import json
import os
import re
import sys

# AWS-managed policies (arn:aws:iam::aws:policy/...) must exist to be attached; moto
# loads them only when asked. Set before moto is imported.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def patch_moto():
    """moto 5.2.1's AWS::IAM::Role ignores ManagedPolicyArns, and stores inline Policies
    as dicts, which breaks GetAccountAuthorizationDetails. Real CloudFormation attaches
    the policies and stores the documents as JSON, so the patch does the same."""
    from moto.iam import models as iam_models
    from moto.utilities.utils import get_partition

    original = iam_models.Role.create_from_cloudformation_json.__func__

    def create_role(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = dict(cloudformation_json.get("Properties", {}))
        managed = properties.pop("ManagedPolicyArns", [])
        properties["Policies"] = [
            dict(p, PolicyDocument=p["PolicyDocument"] if isinstance(p["PolicyDocument"], str)
                 else json.dumps(p["PolicyDocument"]))
            for p in properties.get("Policies", [])
        ]
        patched = dict(cloudformation_json, Properties=properties)
        role = original(cls, resource_name, patched, account_id, region_name, **kwargs)
        backend = iam_models.iam_backends[account_id][get_partition(region_name)]
        for arn in managed:
            backend.attach_role_policy(policy_arn=arn, role_name=role.name)
        return role

    iam_models.Role.create_from_cloudformation_json = classmethod(create_role)

    # moto 5.2.1's stack update of an AWS::IAM::Role sets only its description; real
    # CloudFormation updates AssumeRolePolicyDocument in place ("No interruption"), which
    # the Seqera README's step 4 relies on when it updates a stack with the real IDs.
    original_update = iam_models.Role.update_from_cloudformation_json.__func__

    def update_role(cls, original_resource, new_resource_name, cloudformation_json,
                    account_id, region_name):
        role = original_update(cls, original_resource, new_resource_name,
                               cloudformation_json, account_id, region_name)
        document = cloudformation_json.get("Properties", {}).get("AssumeRolePolicyDocument")
        if document is not None:
            backend = iam_models.iam_backends[account_id][get_partition(region_name)]
            text = document if isinstance(document, str) else json.dumps(document)
            backend.update_assume_role_policy(original_resource.name, text)
        return role

    iam_models.Role.update_from_cloudformation_json = classmethod(update_role)

    # moto 5.2.1 reads a TemplateURL on its own endpoint as a path-style S3 URL only when
    # it says "localhost"; on 127.0.0.1 it takes "127" for the bucket. The AWS CLI's
    # `deploy --s3-bucket` (the Seqera README's step for templates over 51,200 bytes)
    # builds the URL from the endpoint it was given, so both are read as path-style.
    from moto.cloudformation import responses as cfn_responses
    original_from_s3 = cfn_responses.get_stack_from_s3_url

    def from_s3(template_url, account_id, partition):
        return original_from_s3(template_url.replace("//127.0.0.1:", "//localhost:", 1),
                                account_id, partition)

    cfn_responses.get_stack_from_s3_url = from_s3

    # moto 5.2.1 executes a change set (what `aws cloudformation deploy` creates) on the
    # resources alone: the stack keeps the outputs of the empty template it began with.
    # CloudFormation's stack has the template's outputs, as after create_stack.
    from moto.cloudformation import models as cfn_models
    original_apply = cfn_models.ChangeSet.apply

    def apply(self):
        original_apply(self)
        self.stack.template = self.template
        self.stack._parse_template()
        self.stack.output_map = self.stack._create_output_map()

    cfn_models.ChangeSet.apply = apply


def serve():
    """One request at a time: moto's backends are not thread-safe, and Terraform sends
    requests in parallel. (moto's ThreadedMotoServer serves each request on its own
    thread; under load a CreateRole failed after creating the role, and the provider's
    retry then met EntityAlreadyExists.)"""
    patch_moto()
    import threading

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"port {server.server_port}", flush=True)
    sys.stdin.read()  # returns when the test closes its end or dies
    server.shutdown()


def client(url, service, region, creds=None):
    import boto3

    creds = creds or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(service, endpoint_url=url, region_name=region, **creds)


def parse_account(spec):
    account_id, partition, region = spec.split(":")
    return account_id, partition, region


def account_creds(url, spec):
    account_id, partition, region = parse_account(spec)
    sts = client(url, "sts", region)
    role = f"arn:{partition}:iam::{account_id}:role/rolegraph-test"
    c = sts.assume_role(RoleArn=role, RoleSessionName="rolegraph-test")["Credentials"]
    return {
        "aws_access_key_id": c["AccessKeyId"],
        "aws_secret_access_key": c["SecretAccessKey"],
        "aws_session_token": c["SessionToken"],
    }


def creds(url, specs):
    out = {}
    for spec in specs:
        account_id = parse_account(spec)[0]
        c = account_creds(url, spec)
        out[account_id] = {
            "access_key": c["aws_access_key_id"],
            "secret_key": c["aws_secret_access_key"],
            "token": c["aws_session_token"],
        }
    print(json.dumps(out, indent=2, sort_keys=True))


def load_template(path):
    with open(path, encoding="utf-8") as f:
        return parse_template(f.read())


def parse_template(text):
    """Reads a template's structure; short-form intrinsics (!Ref, !GetAtt) become plain
    values, which is all the checks below need."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def any_tag(loader, suffix, node):
        if isinstance(node, yaml.ScalarNode):
            return {suffix: loader.construct_scalar(node)}
        if isinstance(node, yaml.SequenceNode):
            return {suffix: loader.construct_sequence(node)}
        return {suffix: loader.construct_mapping(node)}

    Loader.add_multi_constructor("!", any_tag)
    return yaml.load(text, Loader=Loader)


def check_parameters(template, values):
    """moto accepts any parameter value; CloudFormation enforces these rules."""
    errors = []
    declared = template.get("Parameters") or {}
    for name in values:
        if name not in declared:
            errors.append(f"parameter {name} is not declared by the template")
    for name, rules in declared.items():
        value = values.get(name, rules.get("Default"))
        if value is None:
            errors.append(f"parameter {name} has no value and no default")
            continue
        if "AllowedPattern" in rules and not re.fullmatch(rules["AllowedPattern"], value):
            errors.append(f"parameter {name}={value!r} does not match {rules['AllowedPattern']}")
        if "MinLength" in rules and len(value) < int(rules["MinLength"]):
            errors.append(f"parameter {name}={value!r} is shorter than {rules['MinLength']}")
        if "MaxLength" in rules and len(value) > int(rules["MaxLength"]):
            errors.append(f"parameter {name}={value!r} is longer than {rules['MaxLength']}")
        if "AllowedValues" in rules and value not in rules["AllowedValues"]:
            errors.append(f"parameter {name}={value!r} is not one of {rules['AllowedValues']}")
    return errors


def deploy(url, plan_path):
    """PLAN is a JSON list, in deploy order, of
    {"account": "ID:PARTITION:REGION", "stack": NAME, "template": PATH, "parameters": {}},
    with "update": true for a stack that exists and gets new parameters."""
    with open(plan_path, encoding="utf-8") as f:
        stacks = json.load(f)
    errors = []
    for stack in stacks:
        where = f"stack {stack['stack']} ({stack['template']})"
        template = load_template(stack["template"])
        problems = check_parameters(template, stack["parameters"])
        if problems:
            errors += [f"{where}: {p}" for p in problems]
            continue
        region = parse_account(stack["account"])[2]
        cf = client(url, "cloudformation", region, account_creds(url, stack["account"]))
        body = open(stack["template"], encoding="utf-8").read()
        update = stack.get("update", False)
        (cf.update_stack if update else cf.create_stack)(
            StackName=stack["stack"],
            TemplateBody=body,
            Parameters=[{"ParameterKey": k, "ParameterValue": v}
                        for k, v in sorted(stack["parameters"].items())],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        done = "UPDATE_COMPLETE" if update else "CREATE_COMPLETE"
        errors += check_stack(cf, stack["stack"], template, where, done)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


def check_stack(cf, name, template, where, done):
    """What moto lets through, held to account on a stack that exists."""
    errors = []
    described = cf.describe_stacks(StackName=name)["Stacks"][0]
    if described["StackStatus"] != done:
        return [f"{where}: status {described['StackStatus']}"]
    # moto skips resource types it does not know and still reports CREATE_COMPLETE,
    # so hold every resource of the template to account.
    created = {
        r["LogicalResourceId"]: r
        for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]
    }
    for logical_id, resource in (template.get("Resources") or {}).items():
        got = created.get(logical_id)
        if got is None or not got.get("PhysicalResourceId"):
            errors.append(f"{where}: resource {logical_id} ({resource['Type']}) was not created")
        elif got["ResourceStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            errors.append(f"{where}: resource {logical_id} is {got['ResourceStatus']}")
    outputs = {o["OutputKey"] for o in described.get("Outputs") or []}
    for output in template.get("Outputs") or {}:
        if output not in outputs:
            errors.append(f"{where}: output {output} is missing")
    return errors


def verify(url, specs):
    """Every stack of each account, as deployed by other means (the AWS CLI), held to the
    checks `deploy` makes: its parameters' rules, its resources and outputs."""
    errors, stacks = [], 0
    for spec in specs:
        region = parse_account(spec)[2]
        cf = client(url, "cloudformation", region, account_creds(url, spec))
        for summary in cf.describe_stacks()["Stacks"]:
            name, stacks = summary["StackName"], stacks + 1
            where = f"stack {name} in {parse_account(spec)[0]}"
            body = cf.get_template(StackName=name)["TemplateBody"]
            template = body if isinstance(body, dict) else parse_template(body)
            values = {p["ParameterKey"]: p["ParameterValue"]
                      for p in summary.get("Parameters") or []}
            errors += [f"{where}: {p}" for p in check_parameters(template, values)]
            done = summary["StackStatus"]
            if done not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
                done = "CREATE_COMPLETE"
            errors += check_stack(cf, name, template, where, done)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)
    print(f"stacks {stacks}")


def pages(call, key, **kwargs):
    marker = None
    while True:
        page = call(**kwargs, **({"Marker": marker} if marker else {}))
        yield from page[key]
        if not page.get("IsTruncated"):
            return
        marker = page["Marker"]


def dump_account(url, spec):
    """Reads state through per-role calls: with inline policies created by moto's
    CloudFormation, GetAccountAuthorizationDetails fails."""
    region = parse_account(spec)[2]
    iam = client(url, "iam", region, account_creds(url, spec))
    roles = {}
    for listed in pages(iam.list_roles, "Roles"):
        name = listed["RoleName"]
        role = iam.get_role(RoleName=name)["Role"]
        inline = {
            p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
            for p in pages(iam.list_role_policies, "PolicyNames", RoleName=name)
        }
        attached = [p["PolicyArn"] for p in
                    pages(iam.list_attached_role_policies, "AttachedPolicies", RoleName=name)]
        roles[name] = {
            "arn": role["Arn"],
            "path": role["Path"],
            # moto reports "" for a role created without one; IAM leaves it out.
            "description": role.get("Description") or None,
            "max_session_duration": role.get("MaxSessionDuration", 3600),
            "permissions_boundary":
                (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn"),
            "tags": {t["Key"]: t["Value"] for t in role.get("Tags") or []},
            "trust_policy": role["AssumeRolePolicyDocument"],
            "attached_policies": attached,
            "inline_policies": inline,
        }
    profiles = {
        p["InstanceProfileName"]: {"path": p["Path"], "roles": [r["RoleName"] for r in p["Roles"]]}
        for p in pages(iam.list_instance_profiles, "InstanceProfiles")
    }
    policies = {}
    for listed in pages(iam.list_policies, "Policies", Scope="Local"):
        policy = iam.get_policy(PolicyArn=listed["Arn"])["Policy"]
        version = iam.get_policy_version(
            PolicyArn=listed["Arn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        policies[policy["PolicyName"]] = {
            "arn": policy["Arn"],
            "path": policy["Path"],
            "description": policy.get("Description") or None,
            "document": version["Document"],
        }
    return {"roles": roles, "instance_profiles": profiles, "managed_policies": policies}


def dump(url, specs):
    state = {parse_account(spec)[0]: dump_account(url, spec) for spec in specs}
    print(json.dumps(state, indent=2, sort_keys=True))


def prereq(url, spec, arns):
    region = parse_account(spec)[2]
    iam = client(url, "iam", region, account_creds(url, spec))
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::rolegraph-test-prerequisite/*"}]}
    for arn in arns:
        path_and_name = arn.split(":policy", 1)[1]
        path, name = path_and_name.rsplit("/", 1)
        iam.create_policy(PolicyName=name, Path=path + "/", PolicyDocument=json.dumps(document))


def main(argv):
    if argv[:1] == ["serve"]:
        serve()
    elif len(argv) >= 2 and argv[0] == "creds":
        creds(argv[1], argv[2:])
    elif len(argv) == 3 and argv[0] == "deploy":
        deploy(argv[1], argv[2])
    elif len(argv) >= 2 and argv[0] == "verify":
        verify(argv[1], argv[2:])
    elif len(argv) >= 3 and argv[0] == "prereq":
        prereq(argv[1], argv[2], argv[3:])
    elif len(argv) >= 2 and argv[0] == "dump":
        dump(argv[1], argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])
