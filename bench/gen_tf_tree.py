#!/usr/bin/env python3
"""Generate a deterministic synthetic monorepo of Terraform.

    python3 bench/gen_tf_tree.py --files 1000 --out /tmp/tf-tree [--seed 0]

Writes exactly --files ``.tf`` files under --out (plus ``terraform.tfvars``
and ``*.auto.tfvars`` files, which do not count), laid out as

    modules/app_asg/{main,variables,outputs}.tf      a local module (launch
                                                     template, ASG, target
                                                     group, lifecycle hook)
    services/svc-NNNN/terraform/*.tf                 one root module each

Each root module has a provider with ``default_tags``, variables with
defaults overridden from ``terraform.tfvars``, locals that depend on each
other, IAM roles and policies written three ways (heredoc JSON,
``jsonencode()``, ``data "aws_iam_policy_document"``), EC2 instances or the
local module, security groups (some with ``dynamic`` blocks), an RDS
instance, a DynamoDB table, EBS volumes (with ``count``), CloudWatch alarms
(with ``for_each``), and a remote registry module now and then.

Roughly half of the services are "good" (encrypted volumes, IMDSv2, no
admin ports open to the world, multi-AZ, backups, deletion protection,
least-privilege IAM, owner tags, health checks, a termination lifecycle
hook, alarms with actions and runbooks); the rest carry 1-5 random
defects from DEFECTS.  generate(n, seed, verdicts) fills verdicts with
{service: [defects]} ([] = good).  The last service may be cut short to hit
exactly --files.

Only the standard library is used, all randomness comes from one
random.Random(seed), and the output is byte-identical for the same
arguments on any machine.  Nothing is written outside --out.
"""

import json
import os
import random
import sys

TEAMS = ["payments", "search", "identity", "platform", "growth", "data", "checkout", "messaging"]
REGIONS = ["us-east-1", "eu-west-1", "eu-central-1", "us-west-2"]
AZ_SUFFIXES = ["a", "b", "c"]
INSTANCE_TYPES = ["t3.medium", "t3.large", "m5.large", "m6i.large", "c6i.xlarge"]
DB_ENGINES = [("postgres", "15.4", 5432), ("mysql", "8.0.35", 3306)]

DEFECTS = [
    "no_imdsv2",            # aws_instance / launch template without http_tokens = "required"
    "public_ssh",           # security group ingress 0.0.0.0/0 on 22
    "asg_min_size_1",       # ASG min_size = 1
    "asg_single_az",        # ASG in one AZ
    "rds_single_az",        # multi_az = false
    "rds_backup_short",     # backup_retention_period below 7
    "no_deletion_protection",
    "ebs_unencrypted",
    "iam_admin",            # Action "*" on Resource "*"
    "iam_service_wildcard",  # "s3:*"
    "iam_passrole_star",    # iam:PassRole on "*"
    "iam_not_action",       # Allow with NotAction
    "trust_star",           # assume role policy with Principal AWS "*"
    "no_owner_tag",         # no owner tag in default_tags or on resources
    "no_health_check",      # target group without a health_check block
    "no_lifecycle_hook",    # ASG without a termination lifecycle hook
    "alarm_no_actions",
    "alarm_no_runbook",
    "no_detailed_monitoring",
]

# --------------------------------------------------------------------------
# Shared local module
# --------------------------------------------------------------------------

MODULE_MAIN = '''\
resource "aws_launch_template" "this" {
  name_prefix   = "${var.name}-"
  image_id      = var.ami_id
  instance_type = var.instance_type

  iam_instance_profile {
    name = var.instance_profile
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = var.http_tokens
    http_put_response_hop_limit = 1
  }

  monitoring {
    enabled = var.detailed_monitoring
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size = var.root_volume_size
      volume_type = "gp3"
      encrypted   = var.encrypt_root_volume
    }
  }

  vpc_security_group_ids = var.security_group_ids

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.name })
  }
}

resource "aws_lb_target_group" "this" {
  name                 = substr(var.name, 0, 32)
  port                 = var.port
  protocol             = "HTTP"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay

  dynamic "health_check" {
    for_each = var.health_check_path == null ? [] : [var.health_check_path]
    content {
      path                = health_check.value
      matcher             = "200-299"
      interval            = 15
      healthy_threshold   = 2
      unhealthy_threshold = 3
    }
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "this" {
  name                      = var.name
  min_size                  = var.min_size
  max_size                  = var.max_size
  desired_capacity          = var.min_size
  vpc_zone_identifier       = var.subnet_ids
  health_check_type         = "ELB"
  health_check_grace_period = 120
  target_group_arns         = [aws_lb_target_group.this.arn]

  launch_template {
    id      = aws_launch_template.this.id
    version = "$Latest"
  }

  dynamic "initial_lifecycle_hook" {
    for_each = var.termination_hook ? ["drain"] : []
    content {
      name                 = "${var.name}-${initial_lifecycle_hook.value}"
      lifecycle_transition = "autoscaling:EC2_INSTANCE_TERMINATING"
      default_result       = "CONTINUE"
      heartbeat_timeout    = 300
    }
  }

  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
'''

MODULE_VARIABLES = '''\
variable "name" {
  type        = string
  description = "Name prefix of every resource."
}

variable "ami_id" {
  type = string
}

variable "instance_type" {
  type    = string
  default = "t3.medium"
}

variable "instance_profile" {
  type = string
}

variable "http_tokens" {
  type    = string
  default = "required"
}

variable "detailed_monitoring" {
  type    = bool
  default = true
}

variable "root_volume_size" {
  type    = number
  default = 30
}

variable "encrypt_root_volume" {
  type    = bool
  default = true
}

variable "security_group_ids" {
  type = list(string)
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "port" {
  type    = number
  default = 8080
}

variable "health_check_path" {
  type    = string
  default = "/healthz"
}

variable "deregistration_delay" {
  type    = number
  default = 30
}

variable "min_size" {
  type    = number
  default = 2
}

variable "max_size" {
  type    = number
  default = 6
}

variable "termination_hook" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = {}
}
'''

MODULE_OUTPUTS = '''\
output "asg_name" {
  value = aws_autoscaling_group.this.name
}

output "target_group_arn" {
  value = aws_lb_target_group.this.arn
}
'''

MODULE_FILES = [
    ("modules/app_asg/main.tf", MODULE_MAIN),
    ("modules/app_asg/variables.tf", MODULE_VARIABLES),
    ("modules/app_asg/outputs.tf", MODULE_OUTPUTS),
]

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _hex(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _q(value):
    """An HCL string literal (JSON escaping is valid HCL for the characters used here)."""
    return json.dumps(value)


def _hcl_list(items):
    return "[" + ", ".join(_q(i) for i in items) + "]"


def _tfvars_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return _hcl_list(value)
    return _q(value)


# --------------------------------------------------------------------------
# One root module per service
# --------------------------------------------------------------------------


def providers_tf(ctx):
    owner = "" if "no_owner_tag" in ctx["bad"] else f'      Owner       = "team-{ctx["team"]}"\n'
    return f'''terraform {{
  required_version = ">= 1.5.0"

  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }}
  }}

  backend "s3" {{
    bucket = "tfstate-{ctx["team"]}"
    key    = "{ctx["svc"]}/terraform.tfstate"
    region = "{ctx["region"]}"
  }}
}}

provider "aws" {{
  region = var.region

  default_tags {{
    tags = {{
      Service     = "{ctx["svc"]}"
{owner}      Environment = var.environment
      ManagedBy   = "terraform"
    }}
  }}
}}
'''


def variables_tf(ctx):
    rng = ctx["rng"]
    azs = [ctx["region"] + s for s in AZ_SUFFIXES]
    blocks = [
        ("region", "string", _q(ctx["region"]), "AWS region."),
        ("environment", "string", _q("staging"), "Deployment environment."),
        ("vpc_id", "string", None, "VPC the service runs in."),
        ("subnet_ids", "list(string)", None, "Private subnets, one per AZ."),
        ("availability_zones", "list(string)", _hcl_list(azs[:1] if "asg_single_az" in ctx["bad"] else azs), ""),
        ("instance_type", "string", _q(rng.choice(INSTANCE_TYPES)), ""),
        ("app_port", "number", str(ctx["port"]), "Port the application listens on."),
        ("db_instance_class", "string", _q(rng.choice(["db.t3.medium", "db.r6g.large"])), ""),
        ("db_multi_az", "bool", "false" if "rds_single_az" in ctx["bad"] else "true", ""),
        ("backup_retention_days", "number", str(3 if "rds_backup_short" in ctx["bad"] else rng.choice([7, 14, 30])), ""),
        ("data_volume_count", "number", str(rng.randint(1, 3)), ""),
        ("alarm_topic_arn", "string", _q(f"arn:aws:sns:{ctx['region']}:{ctx['account']}:{ctx['team']}-pager"), ""),
        ("admin_cidrs", "list(string)", _hcl_list(["10.0.0.0/8"]), "Networks allowed to reach admin ports."),
    ]
    out = []
    for name, type_, default, description in blocks:
        lines = [f'variable "{name}" {{', f"  type        = {type_}"]
        if description:
            lines.append(f"  description = {_q(description)}")
        if default is not None:
            lines.append(f"  default     = {default}")
        if name == "environment":
            lines += ["", "  validation {",
                      '    condition     = contains(["staging", "production"], var.environment)',
                      '    error_message = "environment must be staging or production."', "  }"]
        lines.append("}")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def tfvars(ctx):
    rng = ctx["rng"]
    values = {
        "environment": "production",
        "vpc_id": f"vpc-{_hex(rng, 17)}",
        "subnet_ids": [f"subnet-{_hex(rng, 17)}" for _ in range(3)],
    }
    width = max(len(k) for k in values)
    return "".join(f"{k.ljust(width)} = {_tfvars_value(v)}\n" for k, v in values.items())


def auto_tfvars(ctx):
    return f'instance_type = "{ctx["rng"].choice(INSTANCE_TYPES)}"\n'


def locals_tf(ctx):
    owner = "" if "no_owner_tag" in ctx["bad"] else f'    Team = "{ctx["team"]}"\n'
    return f'''locals {{
  name        = "${{var.environment}}-{ctx["svc"]}"
  name_prefix = "${{local.name}}-"
  common_tags = {{
    Component = "{ctx["component"]}"
{owner}  }}
  db_name      = replace(local.name, "-", "_")
  alarm_prefix = upper(local.name)
  account_id   = "{ctx["account"]}"
  bucket_arn   = "arn:aws:s3:::${{local.name}}-assets"
}}
'''


def _statement_json(effect, actions, resources, not_action=False, sid=None, condition=None, pad="    "):
    lines = [f"{pad}{{"]
    if sid:
        lines.append(f'{pad}  "Sid": "{sid}",')
    lines.append(f'{pad}  "Effect": "{effect}",')
    key = "NotAction" if not_action else "Action"
    action_value = _q(actions[0]) if len(actions) == 1 else "[" + ", ".join(_q(a) for a in actions) + "]"
    lines.append(f'{pad}  "{key}": {action_value},')
    resource_value = _q(resources[0]) if len(resources) == 1 else "[" + ", ".join(_q(r) for r in resources) + "]"
    if condition:
        lines.append(f'{pad}  "Resource": {resource_value},')
        lines.append(f'{pad}  "Condition": {json.dumps(condition)}')
    else:
        lines.append(f'{pad}  "Resource": {resource_value}')
    lines.append(f"{pad}}}")
    return "\n".join(lines)


def iam_tf(ctx):
    bad = ctx["bad"]
    trust_principal = '["*"]' if "trust_star" in bad else '["arn:aws:iam::${local.account_id}:root"]'
    admin_stmt = ""
    if "iam_admin" in bad:
        admin_stmt = '''
  statement {
    sid       = "Break glass"
    actions   = ["*"]
    resources = ["*"]
  }
'''
    s3_actions = '["s3:*"]' if "iam_service_wildcard" in bad else '["s3:GetObject", "s3:PutObject"]'
    # The heredoc policy: logs and metrics, plus PassRole.
    statements = [
        _statement_json("Allow", ["logs:CreateLogStream", "logs:PutLogEvents"],
                        [f"arn:aws:logs:*:*:log-group:/app/{ctx['svc']}*"], sid="Logs"),
        _statement_json("Allow", ["cloudwatch:PutMetricData", "xray:PutTraceSegments"], ["*"], sid="Telemetry"),
    ]
    if "iam_passrole_star" in bad:
        statements.append(_statement_json("Allow", ["iam:PassRole"], ["*"], sid="PassAnyRole"))
    else:
        statements.append(_statement_json("Allow", ["iam:PassRole"], ["*"], sid="PassToEc2",
                                          condition={"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}))
    if "iam_not_action" in bad:
        statements.append(_statement_json("Allow", ["iam:*", "organizations:*"], ["*"], not_action=True,
                                          sid="EverythingElse"))
    heredoc = ",\n".join(statements)
    kms_key = "aws_kms_key.data.arn"
    return f'''data "aws_iam_policy_document" "assume" {{
  statement {{
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {{
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }}
  }}
}}

data "aws_iam_policy_document" "deploy_trust" {{
  statement {{
    actions = ["sts:AssumeRole"]

    principals {{
      type        = "AWS"
      identifiers = {trust_principal}
    }}

    condition {{
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["{ctx["svc"]}-deploy"]
    }}
  }}
}}

resource "aws_iam_role" "app" {{
  name               = "${{local.name}}-app"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.common_tags
}}

resource "aws_iam_role" "deploy" {{
  name               = "${{local.name}}-deploy"
  assume_role_policy = data.aws_iam_policy_document.deploy_trust.json
}}

resource "aws_iam_instance_profile" "app" {{
  name = "${{local.name}}-app"
  role = aws_iam_role.app.name
}}

resource "aws_iam_policy" "telemetry" {{
  name        = "${{local.name}}-telemetry"
  description = "Logs, metrics and traces for {ctx["svc"]}"
  policy      = <<-EOF
  {{
    "Version": "2012-10-17",
    "Statement": [
{heredoc}
    ]
  }}
  EOF
}}

resource "aws_iam_role_policy_attachment" "telemetry" {{
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.telemetry.arn
}}

resource "aws_iam_role_policy" "data" {{
  name = "data-access"
  role = aws_iam_role.app.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Sid      = "Assets"
        Effect   = "Allow"
        Action   = {s3_actions}
        Resource = ["${{local.bucket_arn}}/*"]
      }},
      {{
        Sid      = "Table"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"]
        Resource = aws_dynamodb_table.state.arn
      }},
      {{
        Sid      = "Decrypt"
        Effect   = "Allow"
        Action   = "kms:Decrypt"
        Resource = {kms_key}
      }},
    ]
  }})
}}

data "aws_iam_policy_document" "deploy" {{
  statement {{
    sid       = "Deploy"
    actions   = ["autoscaling:StartInstanceRefresh", "autoscaling:DescribeAutoScalingGroups"]
    resources = ["*"]
  }}
{admin_stmt}
  statement {{
    sid    = "DenyOutsideRegion"
    effect = "Deny"
    not_actions = ["iam:*", "sts:*"]
    resources   = ["*"]

    condition {{
      test     = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values   = [var.region]
    }}
  }}
}}

resource "aws_iam_role_policy" "deploy" {{
  name   = "deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}}
'''


def network_tf(ctx):
    bad = ctx["bad"]
    ssh_cidr = '["0.0.0.0/0"]' if "public_ssh" in bad else "var.admin_cidrs"
    return f'''resource "aws_security_group" "app" {{
  name_prefix = local.name_prefix
  description = "Application instances of {ctx["svc"]}"
  vpc_id      = var.vpc_id

  ingress {{
    description = "Application traffic from the load balancer"
    from_port   = var.app_port
    to_port     = var.app_port
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}

  ingress {{
    description = "SSH for operators"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = {ssh_cidr}
  }}

  egress {{
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }}

  lifecycle {{
    create_before_destroy = true
  }}
}}

resource "aws_security_group" "db" {{
  name_prefix = "${{local.name}}-db-"
  vpc_id      = var.vpc_id

  dynamic "ingress" {{
    for_each = toset([{ctx["db_port"]}])
    content {{
      from_port       = ingress.value
      to_port         = ingress.value
      protocol        = "tcp"
      security_groups = [aws_security_group.app.id]
    }}
  }}
}}
'''


def compute_tf(ctx):
    bad = ctx["bad"]
    if ctx["use_module"]:
        args = []
        if "no_imdsv2" in bad:
            args.append('  http_tokens         = "optional"')
        if "no_detailed_monitoring" in bad:
            args.append("  detailed_monitoring = false")
        if "ebs_unencrypted" in bad:
            args.append("  encrypt_root_volume = false")
        if "asg_min_size_1" in bad:
            args.append("  min_size            = 1")
        if "no_health_check" in bad:
            args.append("  health_check_path   = null")
        if "no_lifecycle_hook" in bad:
            args.append("  termination_hook    = false")
        extra = ("\n" + "\n".join(args)) if args else ""
        return f'''module "app" {{
  source = "../../../modules/app_asg"

  name               = local.name
  ami_id             = data.aws_ami.base.id
  instance_type      = var.instance_type
  instance_profile   = aws_iam_instance_profile.app.name
  security_group_ids = [aws_security_group.app.id]
  vpc_id             = var.vpc_id
  subnet_ids         = var.subnet_ids
  port               = var.app_port
  tags               = local.common_tags{extra}
}}

data "aws_ami" "base" {{
  most_recent = true
  owners      = ["amazon"]

  filter {{
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }}
}}
'''
    tokens = "optional" if "no_imdsv2" in bad else "required"
    monitoring = "false" if "no_detailed_monitoring" in bad else "true"
    encrypted = "false" if "ebs_unencrypted" in bad else "true"
    return f'''data "aws_ami" "base" {{
  most_recent = true
  owners      = ["amazon"]

  filter {{
    name   = "name"
    values = ["al2023-ami-*-x86_64"]
  }}
}}

resource "aws_instance" "app" {{
  ami                    = data.aws_ami.base.id
  instance_type          = var.instance_type
  subnet_id              = var.subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.app.id]
  iam_instance_profile   = aws_iam_instance_profile.app.name
  monitoring             = {monitoring}

  metadata_options {{
    http_endpoint = "enabled"
    http_tokens   = "{tokens}"
  }}

  root_block_device {{
    volume_size = 30
    volume_type = "gp3"
    encrypted   = {encrypted}
  }}

  user_data = <<-EOT
    #!/bin/bash
    systemctl enable --now {ctx["svc"]}
  EOT

  tags = merge(local.common_tags, {{
    Name = local.name
  }})
}}
'''


def data_tf(ctx):
    bad = ctx["bad"]
    engine, version, _ = ctx["db"]
    protection = "false" if "no_deletion_protection" in bad else "true"
    encrypted = "false" if "ebs_unencrypted" in bad else "true"
    return f'''resource "aws_kms_key" "data" {{
  description             = "Data keys of {ctx["svc"]}"
  deletion_window_in_days = 30
  enable_key_rotation     = true
}}

resource "aws_db_subnet_group" "main" {{
  name       = local.name
  subnet_ids = var.subnet_ids
}}

resource "aws_db_instance" "main" {{
  identifier              = local.name
  engine                  = "{engine}"
  engine_version          = "{version}"
  instance_class          = var.db_instance_class
  allocated_storage       = {ctx["rng"].choice([20, 50, 100])}
  db_name                 = local.db_name
  username                = "app"
  manage_master_user_password = true
  multi_az                = var.db_multi_az
  backup_retention_period = var.backup_retention_days
  deletion_protection     = {protection}
  storage_encrypted       = true
  kms_key_id              = aws_kms_key.data.arn
  db_subnet_group_name    = aws_db_subnet_group.main.name
  vpc_security_group_ids  = [aws_security_group.db.id]
  skip_final_snapshot     = false
  final_snapshot_identifier = "${{local.name}}-final"

  tags = local.common_tags
}}

resource "aws_dynamodb_table" "state" {{
  name                        = "${{local.name}}-state"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = {protection}

  attribute {{
    name = "pk"
    type = "S"
  }}

  attribute {{
    name = "sk"
    type = "S"
  }}

  point_in_time_recovery {{
    enabled = true
  }}

  server_side_encryption {{
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
  }}
}}

resource "aws_ebs_volume" "data" {{
  count             = var.data_volume_count
  availability_zone = var.availability_zones[count.index % length(var.availability_zones)]
  size              = 100
  type              = "gp3"
  encrypted         = {encrypted}

  tags = merge(local.common_tags, {{
    Name = "${{local.name}}-data-${{count.index}}"
  }})
}}
'''


def alarms_tf(ctx):
    bad = ctx["bad"]
    actions = "[]" if "alarm_no_actions" in bad else "[var.alarm_topic_arn]"
    runbook = "" if "alarm_no_runbook" in bad else f" Runbook: https://runbooks.example.com/{ctx['svc']}/"
    if ctx["use_module"]:
        dims = "    AutoScalingGroupName = module.app.asg_name"
        metric, namespace = "CPUUtilization", "AWS/EC2"
    else:
        dims = "    InstanceId = aws_instance.app.id"
        metric, namespace = "CPUUtilization", "AWS/EC2"
    return f'''locals {{
  db_alarms = {{
    cpu     = {{ metric = "CPUUtilization", threshold = 80 }}
    storage = {{ metric = "FreeStorageSpace", threshold = 5000000000 }}
  }}
}}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {{
  alarm_name          = "${{local.alarm_prefix}}-cpu-high"
  alarm_description   = "CPU above 85% for 10 minutes.{runbook}"
  namespace           = "{namespace}"
  metric_name         = "{metric}"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = {actions}
  ok_actions          = {actions}

  dimensions = {{
{dims}
  }}
}}

resource "aws_cloudwatch_metric_alarm" "db" {{
  for_each = local.db_alarms

  alarm_name          = "${{local.alarm_prefix}}-db-${{each.key}}"
  alarm_description   = "Database ${{each.value.metric}} crossed ${{each.value.threshold}}.{runbook}"
  namespace           = "AWS/RDS"
  metric_name         = each.value.metric
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = each.value.threshold
  comparison_operator = each.key == "storage" ? "LessThanThreshold" : "GreaterThanThreshold"
  alarm_actions       = {actions}

  dimensions = {{
    DBInstanceIdentifier = aws_db_instance.main.identifier
  }}
}}
'''


def remote_tf(ctx):
    return '''module "bucket" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "4.1.2"

  bucket = "${local.name}-assets"
  tags   = local.common_tags
}
'''


def service_files(rng, idx, verdicts=None):
    """[(relative path, text)] of the root module of service number idx; note good/bad in verdicts."""
    svc = f"svc-{idx:04d}"
    good = rng.random() < 0.5
    bad = [] if good else sorted(rng.sample(DEFECTS, rng.randint(1, 5)), key=DEFECTS.index)
    if verdicts is not None:
        verdicts[svc] = bad
    ctx = {
        "rng": rng, "svc": svc, "bad": bad,
        "team": rng.choice(TEAMS),
        "region": rng.choice(REGIONS),
        "account": str(rng.randint(10 ** 11, 10 ** 12 - 1)),
        "port": rng.choice([8080, 8000, 3000, 9000]),
        "component": rng.choice(["api", "worker", "frontend", "gateway"]),
        "use_module": rng.random() < 0.6,
    }
    ctx["db"] = rng.choice(DB_ENGINES)
    ctx["db_port"] = ctx["db"][2]
    base = f"services/{svc}/terraform/"
    files = [
        ("providers.tf", providers_tf(ctx)),
        ("variables.tf", variables_tf(ctx)),
        ("terraform.tfvars", tfvars(ctx)),
        ("locals.tf", locals_tf(ctx)),
        ("iam.tf", iam_tf(ctx)),
        ("network.tf", network_tf(ctx)),
        ("compute.tf", compute_tf(ctx)),
        ("data.tf", data_tf(ctx)),
        ("alarms.tf", alarms_tf(ctx)),
    ]
    if rng.random() < 0.3:
        files.append(("instance.auto.tfvars", auto_tfvars(ctx)))
    if rng.random() < 0.25:
        files.append(("storage.tf", remote_tf(ctx)))
    return [(base + name, text) for name, text in files]


def generate(n_files, seed, verdicts=None):
    """[(relative path, text)] of the tree: exactly n_files .tf files, plus the tfvars files of the services
    they belong to; verdicts (a dict) gets {service: [defects]}."""
    rng = random.Random(seed)
    out, count, idx = [], 0, 0
    for path, text in MODULE_FILES:
        if count < n_files:
            out.append((path, text))
            count += 1
    while count < n_files:
        for path, text in service_files(rng, idx, verdicts):
            if path.endswith(".tf"):
                if count == n_files:
                    continue
                count += 1
            out.append((path, text))
        idx += 1
    return out


def main(argv=None):
    from gen_k8s_tree import tree_arguments, write_tree

    args = tree_arguments(argv, __doc__.split("\n\n")[0], "number of .tf files to write")
    files = generate(args.files, args.seed)
    write_tree(args.out, files)
    print(f"wrote {sum(1 for rel, _ in files if rel.endswith('.tf'))} .tf files "
          f"({len(files)} files in all) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
