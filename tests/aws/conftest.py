"""A real AWS API endpoint on loopback: moto's server on 127.0.0.1 at a free port, driven only through boto3
over HTTP, with a realistic account seeded in two regions.

Ages are real: the old users, keys and roles are created while time is frozen (freezegun) on 2026-01-10, the
new ones on 2026-11-20, and the audit judges them as of TODAY (2026-11-23). The server runs in this process
(ThreadedMotoServer) so that the frozen clock is the server's clock too.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

# Read by moto when it starts; set before it is imported.
os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
# AdministratorAccess, ReadOnlyAccess... exist in a real account; moto loads them only when asked.
os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"

ACCOUNT = "123456789012"
REGIONS = ("us-east-1", "eu-west-1")
TODAY = "2026-11-23"
OLD = "2026-01-10 09:00:00"
NEW = "2026-11-20 09:00:00"
AMI = "ami-0123456789abcdef0"

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing-secret-never-printed",
    "AWS_SESSION_TOKEN": "testing-token", "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def aws_env():
    before = {k: os.environ.get(k) for k in AWS_ENV}
    os.environ.update(AWS_ENV)
    yield AWS_ENV
    for k, v in before.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def moto_server(aws_env, tmp_path_factory):
    """The server's URL. Its recorder (moto's own log of every request it receives) writes to a temporary file."""
    recording = tmp_path_factory.mktemp("moto") / "recording.jsonl"
    os.environ["MOTO_RECORDER_FILEPATH"] = str(recording)
    from moto.moto_api import recorder
    from moto.server import ThreadedMotoServer

    recorder._location = str(recording)  # when moto was imported before this fixture set the variable
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    yield url
    server.stop()


def client(url: str, service: str, region: str = "us-east-1"):
    import boto3

    return boto3.client(service, region_name=region, endpoint_url=url)


def _policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


EC2_TRUST = _policy({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})


def _seed_iam_old(url: str) -> None:
    iam = client(url, "iam")
    iam.create_policy(PolicyName="app-admin",
                      PolicyDocument=_policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    iam.create_role(RoleName="legacy-admin", AssumeRolePolicyDocument=_policy(
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}))
    iam.attach_role_policy(RoleName="legacy-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_user(UserName="bob")
    iam.create_login_profile(UserName="bob", Password="Passw0rd!Passw0rd!")
    iam.create_user(UserName="svc-legacy", Tags=[{"Key": "Service", "Value": "billing"}])
    iam.create_access_key(UserName="svc-legacy")
    iam.attach_user_policy(UserName="svc-legacy", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/app-admin")


def _seed_iam_new(url: str) -> None:
    iam = client(url, "iam")
    iam.create_policy(PolicyName="orders-read", PolicyDocument=_policy(
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::orders-assets/*"}))
    iam.create_policy(PolicyName="deploy-passrole", PolicyDocument=_policy(
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}))
    iam.create_policy(PolicyName="not-action", PolicyDocument=_policy(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}))
    iam.create_role(RoleName="orders-app", AssumeRolePolicyDocument=EC2_TRUST,
                    Tags=[{"Key": "Service", "Value": "orders"}])
    iam.attach_role_policy(RoleName="orders-app", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/orders-read")
    iam.put_role_policy(RoleName="orders-app", PolicyName="queue", PolicyDocument=_policy(
        {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"}))
    iam.create_role(RoleName="ci-deployer", Tags=[{"Key": "Service", "Value": "orders"}],
                    AssumeRolePolicyDocument=_policy(
                        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                         "Action": "sts:AssumeRole"}))
    iam.attach_role_policy(RoleName="ci-deployer", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/deploy-passrole")
    iam.put_role_policy(RoleName="ci-deployer", PolicyName="broad", PolicyDocument=_policy(
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}))
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Passw0rd!Passw0rd!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    iam.create_access_key(UserName="alice")
    iam.create_group(GroupName="ops")
    iam.attach_group_policy(GroupName="ops", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/not-action")
    iam.attach_group_policy(GroupName="ops", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")


def _seed_region(url: str, region: str) -> None:
    ec2 = client(url, "ec2", region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = sorted(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"],
                     key=lambda s: s["AvailabilityZone"])
    zones = [s["AvailabilityZone"] for s in subnets]
    if region == "us-east-1":
        web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc,
                                        TagSpecifications=[{"ResourceType": "security-group",
                                                            "Tags": [{"Key": "Service", "Value": "orders"}]}])
        ec2.authorize_security_group_ingress(GroupId=web["GroupId"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        ssh = ec2.create_security_group(GroupName="ssh-open", Description="ssh", VpcId=vpc)
        ec2.authorize_security_group_ingress(GroupId=ssh["GroupId"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                          SubnetId=subnets[0]["SubnetId"], SecurityGroupIds=[web["GroupId"]],
                          MetadataOptions={"HttpTokens": "required"}, Monitoring={"Enabled": True},
                          TagSpecifications=[{"ResourceType": "instance",
                                              "Tags": [{"Key": "Service", "Value": "orders"},
                                                       {"Key": "Name", "Value": "orders-web"}]}])
        web_instance = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["orders-web"]}])
        root = web_instance["Reservations"][0]["Instances"][0]["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
        ec2.create_snapshot(VolumeId=root, Description="nightly")
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                          SubnetId=subnets[0]["SubnetId"], SecurityGroupIds=[ssh["GroupId"]],
                          MetadataOptions={"HttpTokens": "optional"},
                          TagSpecifications=[{"ResourceType": "instance",
                                              "Tags": [{"Key": "Name", "Value": "bastion"}]}])
        ec2.create_volume(AvailabilityZone=zones[0], Size=10, Encrypted=True, TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Service", "Value": "orders"},
                                               {"Key": "Name", "Value": "orders-data-encrypted"}]}])
        ec2.create_volume(AvailabilityZone=zones[0], Size=10, Encrypted=False, TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Service", "Value": "orders"},
                                               {"Key": "Name", "Value": "orders-data-plain"}]}])
        lt = ec2.create_launch_template(LaunchTemplateName="orders", LaunchTemplateData={
            "ImageId": AMI, "InstanceType": "t3.micro", "MetadataOptions": {"HttpTokens": "required"}})
        batch_lt = ec2.create_launch_template(LaunchTemplateName="batch", LaunchTemplateData={
            "ImageId": AMI, "InstanceType": "t3.micro"})
        elb = client(url, "elbv2", region)
        tg = elb.create_target_group(Name="orders", Protocol="HTTP", Port=80, VpcId=vpc,
                                     HealthCheckPath="/ready")["TargetGroups"][0]["TargetGroupArn"]
        asg = client(url, "autoscaling", region)
        asg.create_auto_scaling_group(
            AutoScalingGroupName="orders", MinSize=2, MaxSize=4, DesiredCapacity=2,
            LaunchTemplate={"LaunchTemplateId": lt["LaunchTemplate"]["LaunchTemplateId"], "Version": "$Default"},
            VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets[:2]), TargetGroupARNs=[tg],
            HealthCheckType="ELB", HealthCheckGracePeriod=120,
            Tags=[{"Key": "Service", "Value": "orders", "PropagateAtLaunch": True}])
        asg.put_lifecycle_hook(LifecycleHookName="drain", AutoScalingGroupName="orders",
                               LifecycleTransition="autoscaling:EC2_INSTANCE_TERMINATING", HeartbeatTimeout=300)
        asg.create_auto_scaling_group(
            AutoScalingGroupName="checkout", MinSize=1, MaxSize=1, DesiredCapacity=0,
            LaunchTemplate={"LaunchTemplateId": batch_lt["LaunchTemplate"]["LaunchTemplateId"], "Version": "$Default"},
            VPCZoneIdentifier=subnets[0]["SubnetId"], TargetGroupARNs=[tg], HealthCheckType="EC2",
            Tags=[{"Key": "Service", "Value": "checkout", "PropagateAtLaunch": True}])
        cw = client(url, "cloudwatch", region)
        cw.put_metric_alarm(AlarmName="orders-5xx", AlarmDescription="Runbook: https://runbooks.example.com/orders-5xx",
                            AlarmActions=[f"arn:aws:sns:us-east-1:{ACCOUNT}:pager"],
                            MetricName="HTTPCode_Target_5XX_Count",
                            Namespace="AWS/ApplicationELB", Statistic="Sum", Period=60, EvaluationPeriods=5,
                            Threshold=10, ComparisonOperator="GreaterThanThreshold",
                            Dimensions=[{"Name": "AutoScalingGroupName", "Value": "orders"}])
        cw.put_metric_alarm(AlarmName="checkout-cpu", AlarmDescription="CPU is high, see https://example.com/cpu",
                            MetricName="CPUUtilization", Namespace="AWS/EC2", Statistic="Average", Period=300,
                            EvaluationPeriods=3, Threshold=90, ComparisonOperator="GreaterThanThreshold",
                            Dimensions=[{"Name": "AutoScalingGroupName", "Value": "checkout"}])
    else:
        ec2.enable_ebs_encryption_by_default()
        rdp = ec2.create_security_group(GroupName="rdp-open", Description="rdp", VpcId=vpc)
        ec2.authorize_security_group_ingress(GroupId=rdp["GroupId"], IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 3000, "ToPort": 4000, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
        ec2.create_volume(AvailabilityZone=zones[0], Size=10, Encrypted=True, TagSpecifications=[
            {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "eu-data"}]}])


# freezegun looks through every loaded module when it starts; the kubernetes client (loaded by the cluster audit
# tests in the same run) builds its pydantic models on first attribute access, and cannot while time is faked.
IGNORE = ["kubernetes", "pydantic"]


def seed(url: str) -> None:
    from freezegun import freeze_time

    with freeze_time(OLD, tick=True, ignore=IGNORE):
        _seed_iam_old(url)
    with freeze_time(NEW, tick=True, ignore=IGNORE):
        _seed_iam_new(url)
        for region in REGIONS:
            _seed_region(url, region)


@pytest.fixture(scope="session")
def account(moto_server):
    """The seeded account's endpoint URL."""
    seed(moto_server)
    return moto_server


def audit_args(url: str, *extra: str) -> list[str]:
    regions = [a for r in REGIONS for a in ("--region", r)]
    return ["audit", "aws", "--endpoint-url", url, *regions, "--today", TODAY, "--fail-on", "never", *extra]


@pytest.fixture()
def in_empty_dir(tmp_path, monkeypatch):
    """No .prc.yaml of the repository is picked up."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


HERE = Path(__file__).parent


def labels(snapshot: dict) -> dict[str, str]:
    """Random IDs moto gives (instances, volumes, groups, templates) -> stable names, for exact assertions:
    the Name tag, the Auto Scaling group an instance belongs to, the instance a volume is the disk of."""
    found = {}
    for region, data in snapshot["regional"].items():
        for i in data.get("instances") or []:
            tags = {t["Key"]: t["Value"] for t in i.get("Tags") or []}
            found[i["InstanceId"]] = tags.get("Name") or f"{tags.get('aws:autoscaling:groupName', '?')}-member"
        for g in data.get("security-groups") or []:
            found[g["GroupId"]] = f"sg:{g['GroupName']}"
        for t in data.get("launch-templates") or []:
            found[t["LaunchTemplateId"]] = f"lt:{t['LaunchTemplateName']}"
        for v in data.get("volumes") or []:
            tags = {t["Key"]: t["Value"] for t in v.get("Tags") or []}
            attached = [a["InstanceId"] for a in v.get("Attachments") or []]
            found[v["VolumeId"]] = tags.get("Name") or (f"disk-of-{attached[0]}" if attached else "?")
    # A disk is named after its instance's label.
    return {k: (f"disk-of-{found.get(v[8:], v[8:])}" if v.startswith("disk-of-") else v) for k, v in found.items()}


def relabel(text: str, names: dict[str, str]) -> str:
    import re

    return re.sub(r"\b(?:i|vol|sg|lt)-[0-9a-f]{8,17}\b", lambda m: f"<{names.get(m.group(0), m.group(0))}>", text)
