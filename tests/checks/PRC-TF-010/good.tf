provider "aws" {
  region = "eu-central-1"

  default_tags {
    tags = {
      Service = "ledger"
      Team    = "core-banking"
    }
  }
}

locals {
  subnet_ids = ["subnet-01234567890abcdef", "subnet-0fedcba9876543210", "subnet-0a0b0c0d0e0f01234"]
}

resource "aws_sns_topic" "lifecycle" {
  name = "ledger-lifecycle"
}

resource "aws_iam_role" "lifecycle" {
  name = "ledger-lifecycle-hook"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "autoscaling.amazonaws.com" }
    }]
  })
}

resource "aws_launch_template" "ledger" {
  name_prefix   = "ledger-"
  image_id      = "ami-0a49b025fffbbdac6"
  instance_type = "c6i.xlarge"
}

resource "aws_lb_target_group" "ledger" {
  name     = "ledger-api"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = "vpc-0b1c2d3e4f5a6b7c8"

  health_check {
    path    = "/health/ready"
    matcher = "200"
  }
}

# An inline termination hook, next to a launch hook.
resource "aws_autoscaling_group" "api" {
  name                = "ledger-api"
  min_size            = 3
  max_size            = 9
  vpc_zone_identifier = local.subnet_ids
  target_group_arns   = [aws_lb_target_group.ledger.arn]
  health_check_type   = "ELB"

  initial_lifecycle_hook {
    name                 = "warm-cache"
    lifecycle_transition = "autoscaling:EC2_INSTANCE_LAUNCHING"
    default_result       = "CONTINUE"
    heartbeat_timeout    = 600
  }

  initial_lifecycle_hook {
    name                    = "drain-connections"
    lifecycle_transition    = "autoscaling:EC2_INSTANCE_TERMINATING"
    default_result          = "CONTINUE"
    heartbeat_timeout       = 300
    notification_target_arn = aws_sns_topic.lifecycle.arn
    role_arn                = aws_iam_role.lifecycle.arn
  }

  launch_template {
    id      = aws_launch_template.ledger.id
    version = "$Latest"
  }
}

# A separate hook naming the group by its literal name.
resource "aws_autoscaling_group" "web" {
  name                = "ledger-web"
  min_size            = 2
  max_size            = 6
  vpc_zone_identifier = local.subnet_ids
  target_group_arns   = [aws_lb_target_group.ledger.arn]
  health_check_type   = "ELB"

  launch_template {
    id      = aws_launch_template.ledger.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_lifecycle_hook" "web_drain" {
  name                   = "drain"
  autoscaling_group_name = "ledger-web"
  lifecycle_transition   = "autoscaling:EC2_INSTANCE_TERMINATING"
  default_result         = "CONTINUE"
  heartbeat_timeout      = 300
}

# Serves no traffic through a load balancer: not checked.
resource "aws_autoscaling_group" "batch" {
  name                = "ledger-batch"
  min_size            = 0
  max_size            = 10
  vpc_zone_identifier = local.subnet_ids

  launch_template {
    id      = aws_launch_template.ledger.id
    version = "$Latest"
  }
}
