"""Well-known IAM privilege-escalation paths, as data.

Written for prc from the public research, not copied from any tool:
Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and Mitigation"
(Spencer Gietzen, 2018; 21 methods, and the later SageMaker/CodeStar posts),
Bishop Fox's "iam-vulnerable" paths (Seth Art, 2021), and the escalation
edges modelled by NCC Group's Principal Mapper.

Three kinds of path:

- PRINCIPAL_ACTIONS change what an IAM principal may do or who may act as
  it (attach or write a policy, add a version, reset a password, mint an
  access key, rewrite a trust policy). They escalate whatever the resource:
  scoping them to a named user or role limits the damage but the action is
  still the management of permissions, so they are always reported. The
  credential actions scoped to the caller itself (user/${aws:username}) are
  the AWS-documented self-service pattern and are not.
- PASS_ROLE with a compute action in PASSROLE_TARGETS: create something that
  runs code as a role you pass. It is reported when iam:PassRole reaches every
  role (Resource "*" or role/*): passing one named role is the ordinary,
  least-privilege way to deploy, bounded by that role's own policy, which is
  analysed on its own.
- HIJACK_ACTIONS take over code or hosts that already run as a role
  (replace a Lambda function's code, send a command to an instance). They are
  reported when they reach every function or instance; scoped to named ones
  they are a deployment pipeline's job.
"""

from __future__ import annotations

PASS_ROLE = "iam:passrole"

# Lower-case action -> what the holder can do with it.
PRINCIPAL_ACTIONS: dict[str, str] = {
    "iam:createpolicyversion": "rewrite a managed policy (and make the new version the default) to grant anything",
    "iam:setdefaultpolicyversion": "switch a managed policy to an older, broader version",
    "iam:attachuserpolicy": "attach any managed policy, AdministratorAccess included, to a user",
    "iam:attachgrouppolicy": "attach any managed policy, AdministratorAccess included, to a group",
    "iam:attachrolepolicy": "attach any managed policy, AdministratorAccess included, to a role",
    "iam:putuserpolicy": "write an inline policy granting anything to a user",
    "iam:putgrouppolicy": "write an inline policy granting anything to a group",
    "iam:putrolepolicy": "write an inline policy granting anything to a role",
    "iam:addusertogroup": "join a group and inherit its permissions",
    "iam:updateassumerolepolicy": "rewrite a role's trust policy so that the holder can assume it",
    "iam:createaccesskey": "mint access keys for another user and act as that user",
    "iam:createloginprofile": "set a console password for another user and sign in as that user",
    "iam:updateloginprofile": "reset another user's console password and sign in as that user",
    "iam:deleteuserpermissionsboundary": "remove the permissions boundary that caps a user",
    "iam:deleterolepermissionsboundary": "remove the permissions boundary that caps a role",
}

# Credential actions that are self-service when scoped to user/${aws:username}.
SELF_SERVICE_ACTIONS = frozenset({"iam:createaccesskey", "iam:createloginprofile", "iam:updateloginprofile"})

# Lower-case action -> how it turns a passed role into code the holder runs.
PASSROLE_TARGETS: dict[str, str] = {
    "lambda:createfunction": "create a Lambda function that runs as the role",
    "ec2:runinstances": "start an EC2 instance with the role's instance profile",
    "glue:createdevendpoint": "create a Glue development endpoint that runs as the role",
    "glue:createjob": "create a Glue job that runs as the role",
    "cloudformation:createstack": "create a CloudFormation stack that acts as the role",
    "datapipeline:createpipeline": "create a Data Pipeline that runs as the role",
    "sagemaker:createnotebookinstance": "create a SageMaker notebook that runs as the role",
    "sagemaker:createtrainingjob": "create a SageMaker training job that runs as the role",
    "sagemaker:createprocessingjob": "create a SageMaker processing job that runs as the role",
    "codebuild:createproject": "create a CodeBuild project that runs as the role",
    "codestar:createproject": "create a CodeStar project that acts as the role",
    "ecs:runtask": "run an ECS task with the role as its task role",
    "ecs:registertaskdefinition": "register an ECS task definition that uses the role",
}

# Lower-case action -> what it takes over; reported when unscoped.
HIJACK_ACTIONS: dict[str, str] = {
    "lambda:updatefunctioncode": "replace the code of any Lambda function and run as its role",
    "lambda:updatefunctionconfiguration": "attach a layer to any Lambda function and run as its role",
    "glue:updatedevendpoint": "add an SSH key to any Glue endpoint and run as its role",
    "sagemaker:createpresignednotebookinstanceurl": "open any SageMaker notebook and run as its role",
    "ssm:sendcommand": "run commands on any managed instance, as its instance role",
    "ssm:startsession": "open a shell on any managed instance, with its instance role",
    "ec2-instance-connect:sendsshpublickey": "log in to any instance, with its instance role",
    "sts:assumerole": "assume any role, in any account, whose trust policy trusts this principal's account",
}


ESCALATION_KEYS = frozenset({PASS_ROLE, *PRINCIPAL_ACTIONS, *HIJACK_ACTIONS})

# The service field of the ARNs an action acts on, where it is not the
# action's own prefix. A statement whose every Resource names another service
# (Action "*" on "arn:aws:s3:::bucket/*") grants the action nothing.
_ARN_SERVICES: dict[str, tuple[str, ...]] = {
    "sts:assumerole": ("iam",),
    "ssm:sendcommand": ("ssm", "ec2"),
    "ssm:startsession": ("ssm", "ec2", "ecs"),
    "ec2-instance-connect:sendsshpublickey": ("ec2",),
}


def arn_services(key: str) -> tuple[str, ...]:
    return _ARN_SERVICES.get(key, (key.split(":", 1)[0],))
