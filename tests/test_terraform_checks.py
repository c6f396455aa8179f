"""Terraform infrastructure checks (PRC-TF-001..110, IAM aside): the logic the fixtures in tests/checks/PRC-TF-*
do not pin on their own: count/for_each instances judged one by one, rule port and CIDR parsing, attachments and
hooks found by reference or by name, subnets passed into a local module, provider regions, plans, options,
suppression, and values prc cannot know, which never give a PASS and never crash a check.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from prc.config import Config
from prc.model import Status
from prc_checks.terraform import _is_world, _rule_ports

from .conftest import run_scan

TF_CHECKS = ["PRC-TF-001", "PRC-TF-002", "PRC-TF-010", "PRC-TF-030", "PRC-TF-033", "PRC-TF-034", "PRC-TF-040",
             "PRC-TF-041", "PRC-TF-070", "PRC-TF-100", "PRC-TF-101", "PRC-TF-102", "PRC-TF-110"]


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def scan(root: Path, registry, checks, options=None):
    config = Config(enable=list(checks), options=options or {})
    return run_scan([root], registry, config, root=root).results


def rows(results, check=None):
    return [(r.check.id, r.status.value, f"{r.location.file}:{r.location.line}", r.message)
            for r in results if check is None or r.check.id == check]


# -- count / for_each ---------------------------------------------------------------------------------------

def test_a_value_that_differs_between_instances_is_judged_per_instance(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        locals {
          databases = {
            production = { multi_az = true }
            staging    = { multi_az = false }
            preview    = { multi_az = false }
          }
        }

        resource "aws_db_instance" "app" {
          for_each          = local.databases
          identifier        = "app-${each.key}"
          engine            = "postgres"
          instance_class    = "db.t4g.medium"
          allocated_storage = 20
          multi_az          = each.value.multi_az
        }
        """})
    assert rows(scan(tmp_path, registry, ["PRC-TF-034"])) == [
        ("PRC-TF-034", "FAIL", "main.tf:15",
         'aws_db_instance.app["preview"]: multi_az is false: the database runs in one zone (and 1 more instance)'),
    ]


def test_instances_that_all_pass_give_one_pass(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        resource "aws_db_instance" "app" {
          count                   = 2
          identifier              = "app-${count.index}"
          engine                  = "postgres"
          instance_class          = "db.t4g.medium"
          backup_retention_period = [7, 14][count.index]
        }
        """})
    assert rows(scan(tmp_path, registry, ["PRC-TF-040"])) == [
        ("PRC-TF-040", "PASS", "main.tf:6", "aws_db_instance.app[0]: backups are kept 7 days (and 1 more instance)"),
    ]


# -- security group rules -----------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, opened", [
    ({"protocol": "tcp", "from_port": 22, "to_port": 22}, "SSH (22)"),
    ({"protocol": "6", "from_port": 3389, "to_port": 3389}, "RDP (3389)"),
    ({"protocol": "udp", "from_port": 3389, "to_port": 3389}, "RDP (3389)"),
    ({"protocol": "-1", "from_port": 0, "to_port": 0}, "all ports (protocol -1)"),
    ({"protocol": "all"}, "all ports (protocol -1)"),
    ({"protocol": "tcp", "from_port": 0, "to_port": 65535}, "all TCP ports (0-65535)"),
    ({"protocol": "tcp", "from_port": 20, "to_port": 25}, "ports 20-25, which include SSH (22),"),
    ({"protocol": "tcp", "from_port": "22", "to_port": "22"}, "SSH (22)"),
    ({"protocol": "tcp", "from_port": 443, "to_port": 443}, None),
    ({"protocol": "icmp", "from_port": -1, "to_port": -1}, None),
    ({"protocol": "tcp", "from_port": 8000, "to_port": 9000}, None),
])
def test_rule_ports(rule, opened):
    assert _rule_ports(rule, vpc_rule=False) == opened


def test_rule_ports_of_a_vpc_ingress_rule_read_ip_protocol():
    assert _rule_ports({"ip_protocol": "-1"}, vpc_rule=True) == "all ports (protocol -1)"
    assert _rule_ports({"ip_protocol": "tcp", "from_port": 22, "to_port": 22}, vpc_rule=True) == "SSH (22)"


@pytest.mark.parametrize("cidr, world", [
    ("0.0.0.0/0", True), ("::/0", True), ("::0/0", True), (" 0.0.0.0/0 ", True), ("1.2.3.4/0", True),
    ("10.0.0.0/8", False), ("0.0.0.0/1", False), ("2001:db8::/32", False), ("not-a-cidr", False), (None, False),
])
def test_world_cidrs(cidr, world):
    assert _is_world(cidr) is world


def test_an_inline_ignore_suppresses_one_rule(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        # prc:ignore PRC-TF-102 vendor support window, closed by INC-4411
        resource "aws_security_group_rule" "vendor_ssh" {
          type              = "ingress"
          from_port         = 22
          to_port           = 22
          protocol          = "tcp"
          cidr_blocks       = ["0.0.0.0/0"]
          security_group_id = "sg-0123456789abcdef0"
        }

        resource "aws_security_group_rule" "admin_ssh" {
          type              = "ingress"
          from_port         = 22
          to_port           = 22
          protocol          = "tcp"
          cidr_blocks       = ["0.0.0.0/0"]
          security_group_id = "sg-0123456789abcdef0"
        }
        """})
    results = scan(tmp_path, registry, ["PRC-TF-102"])
    state = {r.target.name: r.suppression is not None for r in results}
    assert state == {"aws_security_group_rule.vendor_ssh": True, "aws_security_group_rule.admin_ssh": False}


# -- Auto Scaling groups ------------------------------------------------------------------------------------

def test_attachments_and_hooks_found_by_literal_name_and_traffic_source(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        resource "aws_autoscaling_group" "web" {
          name                = "web"
          min_size            = 2
          max_size            = 4
          availability_zones  = ["eu-west-1a", "eu-west-1b"]
        }

        resource "aws_autoscaling_traffic_source_attachment" "web" {
          autoscaling_group_name = "web"
          traffic_source {
            identifier = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/0123456789abcdef"
            type       = "elbv2"
          }
        }

        resource "aws_autoscaling_lifecycle_hook" "drain" {
          name                   = "drain"
          autoscaling_group_name = "web"
          lifecycle_transition   = "autoscaling:EC2_INSTANCE_TERMINATING"
        }

        resource "aws_autoscaling_group" "lattice" {
          name               = "lattice"
          min_size           = 2
          max_size           = 4
          availability_zones = ["eu-west-1a", "eu-west-1b"]
          health_check_type  = "EC2"

          traffic_source {
            identifier = "arn:aws:vpc-lattice:eu-west-1:111122223333:targetgroup/tg-0123456789abcdef0"
            type       = "vpc-lattice"
          }
        }
        """})
    assert rows(scan(tmp_path, registry, ["PRC-TF-002", "PRC-TF-010"])) == [
        ("PRC-TF-002", "FAIL", "main.tf:1",
         'aws_autoscaling_group.web: attached to a load balancer (aws_autoscaling_traffic_source_attachment.web) but '
         'health_check_type is not set (defaults to "EC2"): instances that fail the load balancer\'s health check '
         "are never replaced"),
        ("PRC-TF-010", "PASS", "main.tf:1", "aws_autoscaling_group.web: termination lifecycle hook "
                                            "aws_autoscaling_lifecycle_hook.drain"),
        ("PRC-TF-010", "FAIL", "main.tf:22",
         "aws_autoscaling_group.lattice: serves traffic (traffic_source) but has no "
         "autoscaling:EC2_INSTANCE_TERMINATING lifecycle hook: instances are terminated without a chance to drain"),
        ("PRC-TF-002", "FAIL", "main.tf:27",
         'aws_autoscaling_group.lattice: attached to a load balancer (traffic_source) but health_check_type is '
         '"EC2": instances that fail the load balancer\'s health check are never replaced'),
    ]


def test_subnets_passed_into_a_local_module_keep_their_zones(tmp_path, registry):
    write(tmp_path, {
        "main.tf": """
            resource "aws_subnet" "private" {
              count             = 2
              vpc_id            = "vpc-0123456789abcdef0"
              cidr_block        = "10.0.${count.index}.0/24"
              availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
            }

            resource "aws_subnet" "single" {
              vpc_id            = "vpc-0123456789abcdef0"
              cidr_block        = "10.0.9.0/24"
              availability_zone = "eu-west-1c"
            }

            module "spread" {
              source     = "./modules/asg"
              name       = "spread"
              subnet_ids = aws_subnet.private[*].id
            }

            module "pinned" {
              source     = "./modules/asg"
              name       = "pinned"
              subnet_ids = [aws_subnet.private[0].id]
            }
            """,
        "modules/asg/main.tf": """
            variable "name" {
              type = string
            }

            variable "subnet_ids" {
              type = list(string)
            }

            resource "aws_autoscaling_group" "this" {
              name                = var.name
              min_size            = 2
              max_size            = 4
              vpc_zone_identifier = var.subnet_ids
            }
            """})
    assert sorted(rows(scan(tmp_path, registry, ["PRC-TF-033"]))) == [
        ("PRC-TF-033", "FAIL", "modules/asg/main.tf:13",
         "module.pinned.aws_autoscaling_group.this: vpc_zone_identifier lists one subnet (aws_subnet.private[0] in "
         "eu-west-1a), and a subnet lies in a single zone: one zone outage takes every instance down"),
        ("PRC-TF-033", "PASS", "modules/asg/main.tf:13",
         "module.spread.aws_autoscaling_group.this: spans 2 zones (eu-west-1a, eu-west-1b)"),
    ]


# -- providers and regions ----------------------------------------------------------------------------------

def test_encryption_by_default_counts_only_in_its_own_region(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        provider "aws" {
          region = "eu-west-1"
        }

        provider "aws" {
          alias  = "dr"
          region = "eu-central-1"
        }

        resource "aws_ebs_encryption_by_default" "dr" {
          provider = aws.dr
        }

        resource "aws_ebs_volume" "primary" {
          availability_zone = "eu-west-1a"
          size              = 100
        }

        resource "aws_ebs_volume" "replica" {
          provider          = aws.dr
          availability_zone = "eu-central-1a"
          size              = 100
        }
        """})
    assert rows(scan(tmp_path, registry, ["PRC-TF-101"])) == [
        ("PRC-TF-101", "FAIL", "main.tf:14",
         "aws_ebs_volume.primary: the volume is not encrypted: encrypted is not set (defaults to false)"),
        ("PRC-TF-101", "PASS", "main.tf:19",
         "aws_ebs_volume.replica: EBS encryption by default is on (aws_ebs_encryption_by_default.dr)"),
    ]


def test_owner_tag_keys_are_an_option_compared_case_insensitively(tmp_path, registry):
    write(tmp_path, {"main.tf": """
        provider "aws" {
          default_tags {
            tags = { owner = "payments" }
          }
        }

        resource "aws_sqs_queue" "jobs" {
          name = "jobs"
          tags = { COSTOWNER = "finance" }
        }

        resource "aws_sns_topic" "alerts" {
          name = "alerts"
        }
        """})
    results = scan(tmp_path, registry, ["PRC-TF-110"], {"PRC-TF-110": {"keys": ["CostOwner"]}})
    assert rows(results) == [
        ("PRC-TF-110", "PASS", "main.tf:9", "aws_sqs_queue.jobs: owned by finance (tag COSTOWNER)"),
        ("PRC-TF-110", "FAIL", "main.tf:12",
         "aws_sns_topic.alerts: has no owner tag (CostOwner) on the resource or in the provider's default_tags"),
    ]


# -- plans --------------------------------------------------------------------------------------------------

def _plan(resources: list[dict], changes: list[dict]) -> str:
    return json.dumps({
        "format_version": "1.2", "terraform_version": "1.8.5",
        "planned_values": {"root_module": {"child_modules": [{"address": "module.web", "resources": resources}]}},
        "resource_changes": changes,
    }, indent=2)


def test_a_resource_only_in_a_plan_is_judged_at_its_address_and_unknowns_stay_unknown(tmp_path, registry):
    template = {"address": "module.web.aws_launch_template.this[0]", "mode": "managed",
                "type": "aws_launch_template", "name": "this", "index": 0,
                "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                "values": {"name_prefix": "web-", "metadata_options": [{"http_endpoint": "enabled",
                                                                         "http_tokens": "optional"}],
                           "monitoring": [{"enabled": True}], "tags": None,
                           "tags_all": {"Owner": "web-team"}}}
    instance = {"address": "module.web.aws_instance.this", "mode": "managed", "type": "aws_instance",
                "name": "this", "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 1,
                "values": {"ami": "ami-0123456789abcdef0", "instance_type": "t3.small", "tags": None}}
    changes = [{"address": "module.web.aws_instance.this", "module_address": "module.web", "mode": "managed",
                "type": "aws_instance", "name": "this", "change": {
                    "actions": ["create"], "before": None, "after": instance["values"],
                    "after_unknown": {"metadata_options": True, "monitoring": True, "tags_all": True, "id": True}}}]
    (tmp_path / "web.tfplan.json").write_text(_plan([template, instance], changes), encoding="utf-8")
    results = scan(tmp_path, registry, ["PRC-TF-070", "PRC-TF-100", "PRC-TF-110"])
    found = rows(results)
    assert ("PRC-TF-100", "FAIL", "web.tfplan.json:11",
            'module.web.aws_launch_template.this: metadata_options.http_tokens is "optional": IMDSv1 hands the '
            "instance role's credentials to any request the instance can be tricked into making") in found
    assert ("PRC-TF-070", "PASS", "web.tfplan.json:11",
            "module.web.aws_launch_template.this: monitoring.enabled is true (1-minute metrics)") in found
    unknown = {check: message for check, status, _, message in found
               if status == "UNKNOWN" and "aws_instance" in message}
    assert set(unknown) == {"PRC-TF-070", "PRC-TF-100", "PRC-TF-110"}
    assert all("known only after apply" in message for message in unknown.values())


# -- values nobody knows ------------------------------------------------------------------------------------

UNKNOWABLE = """
variable "s" { type = string }
variable "n" { type = number }
variable "b" { type = bool }
variable "l" { type = list(any) }
variable "m" { type = map(string) }

resource "aws_lb_target_group" "tg" {
  protocol = var.s
  port     = var.n
  tags     = var.m
  dynamic "health_check" {
    for_each = var.l
    content {
      path = health_check.value
    }
  }
}

resource "aws_autoscaling_group" "asg" {
  min_size            = var.n
  max_size            = var.n
  vpc_zone_identifier = var.l
  target_group_arns   = var.l
  health_check_type   = var.s
  dynamic "initial_lifecycle_hook" {
    for_each = var.l
    content {
      name                 = initial_lifecycle_hook.value
      lifecycle_transition = var.s
    }
  }
  dynamic "tag" {
    for_each = var.m
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}

resource "aws_db_instance" "db" {
  multi_az                = var.b
  backup_retention_period = var.n
  deletion_protection     = var.b
  tags                    = var.m
}

resource "aws_rds_cluster" "cluster" {
  cluster_identifier        = var.s
  db_cluster_instance_class = var.s
  backup_retention_period   = var.n
  deletion_protection       = var.b
  tags                      = var.m
}

resource "aws_rds_cluster_instance" "member" {
  count              = var.n
  cluster_identifier = aws_rds_cluster.cluster.id
  tags               = var.m
}

resource "aws_dynamodb_table" "table" {
  deletion_protection_enabled = var.b
  tags                        = var.m
}

resource "aws_instance" "vm" {
  count      = var.n
  monitoring = var.b
  tags       = var.m
  dynamic "metadata_options" {
    for_each = var.l
    content {
      http_tokens = var.s
    }
  }
  dynamic "root_block_device" {
    for_each = var.l
    content {
      encrypted = var.b
    }
  }
}

resource "aws_lb_target_group_attachment" "vm" {
  count            = var.n
  target_group_arn = aws_lb_target_group.tg.arn
  target_id        = aws_instance.vm[count.index].id
}

resource "aws_launch_template" "lt" {
  tags = var.m
  dynamic "monitoring" {
    for_each = var.l
    content {
      enabled = var.b
    }
  }
  dynamic "metadata_options" {
    for_each = var.l
    content {
      http_tokens = var.s
    }
  }
  dynamic "block_device_mappings" {
    for_each = var.l
    content {
      device_name = block_device_mappings.value
    }
  }
}

resource "aws_launch_configuration" "lc" {
  enable_monitoring = var.b
  dynamic "metadata_options" {
    for_each = var.l
    content {
      http_tokens = var.s
    }
  }
  root_block_device {
    encrypted = var.b
  }
}

resource "aws_ebs_volume" "vol" {
  encrypted = var.b
  tags      = var.m
}

resource "aws_security_group" "sg" {
  tags = var.m
  dynamic "ingress" {
    for_each = var.l
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = var.l
    }
  }
}

resource "aws_security_group_rule" "rule" {
  type              = var.s
  from_port         = var.n
  to_port           = var.n
  protocol          = var.s
  cidr_blocks       = var.l
  security_group_id = aws_security_group.sg.id
}

resource "aws_vpc_security_group_ingress_rule" "vpc_rule" {
  security_group_id = aws_security_group.sg.id
  ip_protocol       = var.s
  from_port         = var.n
  to_port           = var.n
  cidr_ipv4         = var.s
  tags              = var.m
}
"""


def test_values_nobody_knows_give_unknown_never_a_pass_and_never_a_crash(tmp_path, registry):
    write(tmp_path, {"main.tf": UNKNOWABLE})
    results = scan(tmp_path, registry, TF_CHECKS)
    statuses = {(r.check.id, r.target.name): r.status for r in results}
    assert [key for key, status in statuses.items() if status is not Status.UNKNOWN] == []
    judged = {check for check, _ in statuses}
    assert judged == set(TF_CHECKS)
    assert all("is not known statically" in r.message or "not known" in r.message for r in results)
