"""Facts about what is in the emulator, for the offline Terraform lane.

Run by the lane with the emulator's endpoint; talks only to that endpoint.
  leftovers     resources still alive after destroy, by the stack's tags (and
                instances the emulator orphaned, apart)
  state-object  the S3 state object: present, versions, encryption, lock file
  empty-bucket  deletes every object version (lane teardown of the bootstrap buckets)
  hosted-zone   creates a public hosted zone if it is missing (a stack's prerequisite)
  kms-alias     creates a key with the alias if the alias is missing (a key another stack made)
  duplicates    deletes network resources tagged like the stack that no state knows (a
                create the emulator carried out twice: see emulator-gaps.ts WORKAROUNDS)
  credentials   assumes a role (--role-arn): its session's keys, in the role's account
  attempt       tries one call (--action s3-get, s3-put or assume) and says whether it was allowed
  inventory     what an account holds: IAM roles, S3 buckets, KMS keys (the multi-account proof)
  secret-values every version's string of every secret (the lane scans the state for them)
  drift         changes resources out of band, as a person in the console would (--changes: a
                JSON file naming a tag to set, a security-group rule to widen, an alarm threshold)
Calls are signed with LANE_AWS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN when
set (an assumed role's session: moto keeps accounts apart by them), else as moto's default
account. Prints one JSON document.
"""
import argparse
import os
import json

import boto3
import botocore.exceptions


def client(args, service, region):
    return boto3.client(
        service,
        endpoint_url=args.endpoint,
        region_name=region,
        aws_access_key_id=os.environ.get("LANE_AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("LANE_AWS_SECRET_ACCESS_KEY", "test"),
        aws_session_token=os.environ.get("LANE_AWS_SESSION_TOKEN"),
    )


def leftovers(args):
    found = []
    orphans = []
    # Resources of a stack still up around this one (--spare-tag) are not its leftovers.
    spare = [t.split("=", 1) for t in args.spare_tag]

    def spared(tags):
        return any({"Key": k, "Value": v} in tags for k, v in spare)

    for region in args.regions.split(","):
        tagging = client(args, "resourcegroupstaggingapi", region)
        token = ""
        while True:
            page = tagging.get_resources(
                TagFilters=[{"Key": k, "Values": [v]} for k, v in (t.split("=", 1) for t in args.tag)],
                PaginationToken=token,
            )
            found += [m["ResourceARN"] for m in page["ResourceTagMappingList"] if not spared(m.get("Tags", []))]
            token = page.get("PaginationToken", "")
            if not token:
                break
        ec2 = client(args, "ec2", region)
        kms = client(args, "kms", region)
        # What the tagging API lists although it is gone in AWS terms. Only this region's
        # ARNs are asked about here: an ARN of another region is unknown to this one.
        here = [a for a in found if a.startswith("arn:") and a.split(":")[3] == region]
        gone = {n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] in ("deleted", "deleting")}
        pending = set()
        for arn in here:
            if ":kms:" in arn and ":key/" in arn:
                if kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingDeletion":
                    pending.add(arn)
        # Deleted ECS clusters stay visible as INACTIVE for a while (as in AWS).
        clusters = [a for a in here if ":ecs:" in a and ":cluster/" in a]
        if clusters:
            ecs = client(args, "ecs", region)
            inactive = {c["clusterArn"] for c in ecs.describe_clusters(clusters=clusters)["clusters"] if c["status"] == "INACTIVE"}
            pending |= inactive
        # Deleted secrets wait out their recovery window (as in AWS).
        secrets = [a for a in here if ":secretsmanager:" in a and ":secret:" in a]
        if secrets:
            sm = client(args, "secretsmanager", region)
            pending |= {a for a in secrets if "DeletedDate" in sm.describe_secret(SecretId=a)}
        # Deleted services and deregistered task definitions stay visible as
        # INACTIVE (task definitions indefinitely, as in AWS).
        services = [a for a in here if ":ecs:" in a and ":service/" in a]
        task_definitions = [a for a in here if ":ecs:" in a and ":task-definition/" in a]
        if services or task_definitions:
            ecs = client(args, "ecs", region)
            for arn in services:
                cluster = arn.split(":service/", 1)[1].split("/")[0]
                pending |= {s["serviceArn"] for s in ecs.describe_services(cluster=cluster, services=[arn])["services"] if s["status"] == "INACTIVE"}
            for arn in task_definitions:
                if ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["status"] != "ACTIVE":
                    pending.add(arn)
        # Terminated instances stay visible for a while (as in AWS). Instances of
        # an Auto Scaling group that no longer exists were orphaned by moto, whose
        # DeleteAutoScalingGroup ignores ForceDelete for scale-in-protected hosts
        # (moto/autoscaling/models.py delete_auto_scaling_group): reported apart.
        instance_ids = [a.rsplit("/", 1)[-1] for a in here if ":instance/" in a]
        if instance_ids:
            autoscaling = client(args, "autoscaling", region)
            for reservation in ec2.describe_instances(InstanceIds=instance_ids)["Reservations"]:
                for instance in reservation["Instances"]:
                    group = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}.get("aws:autoscaling:groupName")
                    if instance["State"]["Name"] in ("terminated", "shutting-down"):
                        gone.add(instance["InstanceId"])
                    elif group and not autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]:
                        gone.add(instance["InstanceId"])
                        orphans.append(f"instance/{instance['InstanceId']} of deleted group {group}")
        found = [a for a in found if a not in pending and a.rsplit("/", 1)[-1] not in gone]
        # Types the tagging API does not list in moto.
        tag_filters = [{"Name": f"tag:{k}", "Values": [v]} for k, v in (t.split("=", 1) for t in args.tag)]
        # An endpoint whose VPC is gone cannot exist in AWS (DeleteVpc refuses a VPC
        # with endpoints); moto deletes the VPC anyway. Such an endpoint was created by
        # a request the provider retried after moto had already carried it out (it is
        # in no state file): the emulator's orphan, reported apart.
        vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
        for e in ec2.describe_vpc_endpoints(Filters=tag_filters)["VpcEndpoints"]:
            if e["State"].lower() in ("deleted", "deleting"):
                continue
            if e["VpcId"] in vpcs:
                found.append(f"vpc-endpoint/{e['VpcEndpointId']}")
            else:
                orphans.append(f"vpc-endpoint/{e['VpcEndpointId']} of deleted VPC {e['VpcId']}")
        found += [f"elastic-ip/{a['AllocationId']}" for a in ec2.describe_addresses(Filters=tag_filters)["Addresses"]]
    iam = client(args, "iam", args.regions.split(",")[0])
    wanted = dict(t.split("=", 1) for t in args.tag)
    for role in iam.list_roles()["Roles"]:
        listed = iam.list_role_tags(RoleName=role["RoleName"])["Tags"]
        tags = {t["Key"]: t["Value"] for t in listed}
        if all(tags.get(k) == v for k, v in wanted.items()) and not spared(listed):
            found.append(f"iam-role/{role['RoleName']}")
    print(json.dumps({"leftovers": sorted(found), "orphanedByEmulator": sorted(orphans)}))


def state_object(args):
    s3 = client(args, "s3", args.regions.split(",")[0])
    versions = s3.list_object_versions(Bucket=args.bucket, Prefix=args.key).get("Versions", [])
    head = s3.head_object(Bucket=args.bucket, Key=args.key)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=args.bucket).get("Contents", [])]
    print(
        json.dumps(
            {
                "versions": len([v for v in versions if v["Key"] == args.key]),
                "encryption": head.get("ServerSideEncryption"),
                "kmsKeyId": head.get("SSEKMSKeyId"),
                "bucketVersioning": s3.get_bucket_versioning(Bucket=args.bucket).get("Status"),
                "keys": sorted(keys),
            }
        )
    )


def empty_bucket(args):
    """Deletes every object version and delete marker by version id (lane teardown only)."""
    s3 = client(args, "s3", args.regions.split(",")[0])
    deleted = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=args.bucket):
        for entry in page.get("Versions", []) + page.get("DeleteMarkers", []):
            s3.delete_object(Bucket=args.bucket, Key=entry["Key"], VersionId=entry["VersionId"])
            deleted += 1
    print(json.dumps({"deleted": deleted}))


def hosted_zone(args):
    """The public zone a stack looks up by name: it exists before any stack, like the account."""
    route53 = client(args, "route53", args.regions.split(",")[0])
    name = args.name.rstrip(".") + "."
    zones = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == name and not z["Config"]["PrivateZone"]]
    if not zones:
        zones = [route53.create_hosted_zone(Name=name, CallerReference=f"ecg-lane-{name}")["HostedZone"]]
    print(json.dumps({"zoneId": zones[0]["Id"], "created": len(zones) == 1}))


def kms_alias(args):
    """A key another stack made (the standby finds the primary's key in its region by alias)."""
    kms = client(args, "kms", args.regions.split(",")[0])
    aliases = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == args.name]
    if not aliases:
        key = kms.create_key(Description=f"lane prerequisite for {args.name}")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=args.name, TargetKeyId=key)
    print(json.dumps({"alias": args.name, "created": not aliases}))


def duplicates(args):
    """Route tables, security groups, subnets, secrets, target groups, task definitions and web ACLs (with the stack's tags), rules of its groups and routes of its tables that no state knows.

    Terraform records every resource it creates; one it does not know was made by a
    request the provider retried after moto had already carried it out. moto's DeleteVpc
    refuses a VPC with a second route table, subnet or group, so destroy would wait for
    the VPC until it times out. They are deleted here and reported.
    """
    known = set(json.load(open(args.known_ids)))
    tag_filters = [{"Name": f"tag:{k}", "Values": [v]} for k, v in (t.split("=", 1) for t in args.tag)]
    removed = []
    for region in args.regions.split(","):
        ec2 = client(args, "ec2", region)
        for table in ec2.describe_route_tables(Filters=tag_filters)["RouteTables"]:
            if table["RouteTableId"] in known or any(a.get("Main") for a in table.get("Associations", [])):
                continue
            for association in table.get("Associations", []):
                ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
            ec2.delete_route_table(RouteTableId=table["RouteTableId"])
            removed.append(f"route-table/{table['RouteTableId']}")
        for group in ec2.describe_security_groups(Filters=tag_filters)["SecurityGroups"]:
            if group["GroupId"] not in known and group["GroupName"] != "default":
                ec2.delete_security_group(GroupId=group["GroupId"])
                removed.append(f"security-group/{group['GroupId']}")
        for subnet in ec2.describe_subnets(Filters=tag_filters)["Subnets"]:
            if subnet["SubnetId"] not in known:
                ec2.delete_subnet(SubnetId=subnet["SubnetId"])
                removed.append(f"subnet/{subnet['SubnetId']}")
        # Rules of the stack's own groups: every one is a Terraform resource (the default
        # egress rule is removed on create), so a rule no state knows is a retried create.
        groups = [g for g in known if g.startswith("sg-")]
        if groups:
            for rule in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": groups}])["SecurityGroupRules"]:
                if rule["SecurityGroupRuleId"] in known:
                    continue
                revoke = ec2.revoke_security_group_egress if rule["IsEgress"] else ec2.revoke_security_group_ingress
                revoke(GroupId=rule["GroupId"], SecurityGroupRuleIds=[rule["SecurityGroupRuleId"]])
                removed.append(f"security-group-rule/{rule['SecurityGroupRuleId']}")
        # Routes of the stack's own tables: every one is an aws_route (known as route:<table>:<cidr>),
        # so another CIDR route is a retried CreateRoute; the table's local route and endpoint routes are AWS's.
        # (A filter, not RouteTableIds: the known tables span regions, and an id of another region is an error.)
        tables = [t for t in known if t.startswith("rtb-")]
        if tables:
            for table in ec2.describe_route_tables(Filters=[{"Name": "route-table-id", "Values": tables}])["RouteTables"]:
                for route in table.get("Routes", []):
                    cidr = route.get("DestinationCidrBlock")
                    if not cidr or route.get("GatewayId") == "local" or route.get("Origin") == "CreateRouteTable" or f"route:{table['RouteTableId']}:{cidr}" in known:
                        continue
                    ec2.delete_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock=cidr)
                    removed.append(f"route/{table['RouteTableId']}/{cidr}")
    # Secrets with the stack's tags in its primary region (replicas of its secrets live in the
    # others): a name exists once per region, so one no state knows is a retried CreateSecret.
    primary = args.regions.split(",")[0]
    wanted = dict(t.split("=", 1) for t in args.tag)
    secrets = client(args, "secretsmanager", primary)
    for page in secrets.get_paginator("list_secrets").paginate():
        for secret in page["SecretList"]:
            tags = {t["Key"]: t["Value"] for t in secret.get("Tags", [])}
            if secret["ARN"] in known or secret.get("PrimaryRegion", primary) != primary:
                continue
            if wanted and all(tags.get(k) == v for k, v in wanted.items()):
                secrets.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
                removed.append(f"secret/{secret['Name']}")
    # Target groups with the stack's tags: a name exists once per region, so one no state knows
    # (known by ARN) is a retried CreateTargetGroup.
    for region in args.regions.split(","):
        elb = client(args, "elbv2", region)
        groups = [g["TargetGroupArn"] for page in elb.get_paginator("describe_target_groups").paginate() for g in page["TargetGroups"]]
        unknown = [arn for arn in groups if arn not in known]
        for start in range(0, len(unknown), 20):
            for description in elb.describe_tags(ResourceArns=unknown[start : start + 20])["TagDescriptions"]:
                tags = {t["Key"]: t["Value"] for t in description.get("Tags", [])}
                if wanted and all(tags.get(k) == v for k, v in wanted.items()):
                    elb.delete_target_group(TargetGroupArn=description["ResourceArn"])
                    removed.append(f"target-group/{description['ResourceArn'].split(':')[-1]}")
    # Active task definitions with the stack's tags that no state knows (known by ARN): a
    # RegisterTaskDefinition the provider retried after moto had carried it out adds a
    # revision silently. Deregistered, they stay visible as INACTIVE (as in AWS).
    for region in args.regions.split(","):
        ecs = client(args, "ecs", region)
        for page in ecs.get_paginator("list_task_definitions").paginate(status="ACTIVE"):
            for arn in page["taskDefinitionArns"]:
                if arn in known:
                    continue
                tags = {t["key"]: t["value"] for t in ecs.list_tags_for_resource(resourceArn=arn).get("tags", [])}
                if wanted and all(tags.get(k) == v for k, v in wanted.items()):
                    ecs.deregister_task_definition(taskDefinition=arn)
                    removed.append(f"task-definition/{arn.split('/')[-1]}")
    # Web ACLs with the stack's tags: a name exists once per scope and region, so one no state
    # knows (known by ARN) is a retried CreateWebACL. CloudFront's scope lives in us-east-1.
    for region in args.regions.split(","):
        waf = client(args, "wafv2", region)
        for scope in ["REGIONAL"] + (["CLOUDFRONT"] if region == "us-east-1" else []):
            for acl in waf.list_web_acls(Scope=scope)["WebACLs"]:
                if acl["ARN"] in known:
                    continue
                tags = {t["Key"]: t["Value"] for t in waf.list_tags_for_resource(ResourceARN=acl["ARN"])["TagInfoForResource"].get("TagList", [])}
                if wanted and all(tags.get(k) == v for k, v in wanted.items()):
                    waf.delete_web_acl(Name=acl["Name"], Scope=scope, Id=acl["Id"], LockToken=acl["LockToken"])
                    removed.append(f"web-acl/{scope.lower()}/{acl['Name']}")
    print(json.dumps({"removed": removed}))


def credentials(args):
    region = args.regions.split(",")[0]
    session = client(args, "sts", region).assume_role(RoleArn=args.role_arn, RoleSessionName="lane")["Credentials"]
    print(json.dumps({k: session[k] for k in ["AccessKeyId", "SecretAccessKey", "SessionToken"]}))


def attempt(args):
    """One call with the caller's keys: allowed, or the error code that refused it."""
    region = args.regions.split(",")[0]
    try:
        if args.action == "s3-get":
            client(args, "s3", region).get_object(Bucket=args.bucket, Key=args.key)
        elif args.action == "s3-put":
            client(args, "s3", region).put_object(Bucket=args.bucket, Key=args.key, Body=b"{}")
        else:
            client(args, "sts", region).assume_role(RoleArn=args.role_arn, RoleSessionName="lane")
    except botocore.exceptions.ClientError as error:
        print(json.dumps({"allowed": False, "error": error.response["Error"]["Code"]}))
        return
    print(json.dumps({"allowed": True}))


def inventory(args):
    """The caller's account and what it holds: IAM roles (path and name), S3 buckets, KMS keys not pending deletion."""
    regions = args.regions.split(",")
    iam = client(args, "iam", regions[0])
    roles = [r["Path"] + r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]]
    keys = 0
    for region in regions:
        kms = client(args, "kms", region)
        for key in kms.list_keys()["Keys"]:
            if kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion":
                keys += 1
    buckets = [b["Name"] for b in client(args, "s3", regions[0]).list_buckets()["Buckets"]]
    account = client(args, "sts", regions[0]).get_caller_identity()["Account"]
    print(json.dumps({"account": account, "roles": sorted(roles), "buckets": sorted(buckets), "kmsKeys": keys}))


def secret_values(args):
    """Every version's string of every secret in the regions (emulator values: the lane's state scan)."""
    found = []
    for region in args.regions.split(","):
        sm = client(args, "secretsmanager", region)
        for page in sm.get_paginator("list_secrets").paginate():
            for secret in page["SecretList"]:
                strings, unreadable = [], 0
                for version in sm.list_secret_version_ids(SecretId=secret["ARN"]).get("Versions", []):
                    try:
                        strings.append(sm.get_secret_value(SecretId=secret["ARN"], VersionId=version["VersionId"]).get("SecretString") or "")
                    except sm.exceptions.ResourceNotFoundException:
                        # A version without a value: moto's RotateSecret adds an AWSPENDING one and, with
                        # no Lambda run, never fills it. Named in the lane's note.
                        unreadable += 1
                found.append({"name": f"{region}: {secret['Name']}", "versions": strings, "unreadable": unreadable})
    print(json.dumps({"secrets": found}))


def drift(args):
    """Out-of-band changes for the drift check: through the AWS API, never through the state."""
    changes = json.load(open(args.changes))
    region = args.regions.split(",")[0]
    ec2 = client(args, "ec2", region)
    done = []
    tag = changes["tag"]
    ec2.create_tags(Resources=[tag["resource"]], Tags=[{"Key": tag["key"], "Value": tag["value"]}])
    done.append(f"tag {tag['key']}={tag['value']} on {tag['resource']}")
    rule = changes["rule"]
    current = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule["id"]])["SecurityGroupRules"][0]
    spec = {"IpProtocol": current["IpProtocol"], "FromPort": current["FromPort"], "ToPort": rule["toPort"]}
    if current.get("ReferencedGroupInfo"):
        spec["ReferencedGroupId"] = current["ReferencedGroupInfo"]["GroupId"]
    if current.get("CidrIpv4"):
        spec["CidrIpv4"] = current["CidrIpv4"]
    if current.get("Description"):
        spec["Description"] = current["Description"]
    ec2.modify_security_group_rules(
        GroupId=current["GroupId"], SecurityGroupRules=[{"SecurityGroupRuleId": rule["id"], "SecurityGroupRule": spec}]
    )
    done.append(f"rule {rule['id']} ports {current['FromPort']}-{current['ToPort']} -> {current['FromPort']}-{rule['toPort']}")
    alarm = changes["alarm"]
    cloudwatch = client(args, "cloudwatch", region)
    found = cloudwatch.describe_alarms(AlarmNames=[alarm["name"]])["MetricAlarms"][0]
    # PutMetricAlarm replaces the whole alarm: every setting is passed again, with the new threshold.
    keep = [
        "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
        "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit",
        "EvaluationPeriods", "DatapointsToAlarm", "ComparisonOperator", "TreatMissingData",
        "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId",
    ]
    settings = {k: found[k] for k in keep if found.get(k) not in (None, [], "")}
    tags = cloudwatch.list_tags_for_resource(ResourceARN=found["AlarmArn"]).get("Tags", [])
    cloudwatch.put_metric_alarm(**settings, Threshold=alarm["threshold"], **({"Tags": tags} if tags else {}))
    done.append(f"alarm {alarm['name']} threshold {found['Threshold']} -> {alarm['threshold']}")
    print(json.dumps({"changed": done}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "command",
        choices=[
            "leftovers",
            "state-object",
            "empty-bucket",
            "hosted-zone",
            "kms-alias",
            "duplicates",
            "credentials",
            "attempt",
            "inventory",
            "secret-values",
            "drift",
        ],
    )
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--regions", required=True, help="comma-separated")
    parser.add_argument("--tag", action="append", default=[], help="Key=Value, for leftovers")
    parser.add_argument("--spare-tag", action="append", default=[], help="Key=Value: leftovers with it belong to a stack still up")
    parser.add_argument("--bucket")
    parser.add_argument("--key")
    parser.add_argument("--name", help="hosted zone or KMS alias name")
    parser.add_argument("--known-ids", help="JSON file: the ids in the stack's state, for duplicates")
    parser.add_argument("--role-arn", help="the role to assume, for credentials and attempt")
    parser.add_argument("--action", choices=["s3-get", "s3-put", "assume"], help="for attempt")
    parser.add_argument("--changes", help="JSON file: the out-of-band changes, for drift")
    args = parser.parse_args()
    if not args.endpoint.startswith("http://127.0.0.1:"):
        raise SystemExit("aws_facts.py talks to a loopback emulator only")
    commands = {
        "leftovers": leftovers,
        "state-object": state_object,
        "empty-bucket": empty_bucket,
        "hosted-zone": hosted_zone,
        "kms-alias": kms_alias,
        "duplicates": duplicates,
        "credentials": credentials,
        "attempt": attempt,
        "inventory": inventory,
        "secret-values": secret_values,
        "drift": drift,
    }
    commands[args.command](args)


if __name__ == "__main__":
    main()
