provider "aws" {
  region = "eu-central-1"

  default_tags {
    tags = {
      Service = "ledger"
      Team    = "core-banking"
    }
  }
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-01234567890abcdef", "subnet-0fedcba9876543210"]
}

variable "hook_transition" {
  type = string
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

# Serves traffic, no lifecycle hook at all.
resource "aws_autoscaling_group" "api" {
  name                = "ledger-api"
  min_size            = 3
  max_size            = 9
  vpc_zone_identifier = var.subnet_ids
  target_group_arns   = [aws_lb_target_group.ledger.arn]
  health_check_type   = "ELB"

  launch_template {
    id      = aws_launch_template.ledger.id
    version = "$Latest"
  }
}

# Only a launch hook: instances still get terminated without draining.
resource "aws_autoscaling_group" "reports" {
  name                = "ledger-reports"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = var.subnet_ids
  health_check_type   = "ELB"

  initial_lifecycle_hook {
    name                 = "warm-cache"
    lifecycle_transition = "autoscaling:EC2_INSTANCE_LAUNCHING"
    default_result       = "CONTINUE"
    heartbeat_timeout    = 600
  }

  launch_template {
    id      = aws_launch_template.ledger.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_attachment" "reports" {
  autoscaling_group_name = aws_autoscaling_group.reports.name
  lb_target_group_arn    = aws_lb_target_group.ledger.arn
}

# The transition of its hook comes from a variable without a value.
resource "aws_autoscaling_group" "sync" {
  name                = "ledger-sync"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = var.subnet_ids
  target_group_arns   = [aws_lb_target_group.ledger.arn]
  health_check_type   = "ELB"

  initial_lifecycle_hook {
    name                 = "drain"
    lifecycle_transition = var.hook_transition
    default_result       = "CONTINUE"
    heartbeat_timeout    = 300
  }

  launch_template {
    id      = aws_launch_template.ledger.id
    version = "$Latest"
  }
}

# Passes: a separate termination hook that names the group.
resource "aws_autoscaling_group" "web" {
  name                = "ledger-web"
  min_size            = 2
  max_size            = 6
  vpc_zone_identifier = var.subnet_ids
  target_group_arns   = [aws_lb_target_group.ledger.arn]
  health_check_type   = "ELB"

  launch_template {
    id      = aws_launch_template.ledger.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_lifecycle_hook" "web_drain" {
  name                   = "drain"
  autoscaling_group_name = aws_autoscaling_group.web.name
  lifecycle_transition   = "autoscaling:EC2_INSTANCE_TERMINATING"
  default_result         = "CONTINUE"
  heartbeat_timeout      = 300
}
