provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      Service = "storefront"
      Owner   = "web-platform"
    }
  }
}

locals {
  subnets = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88", "subnet-0cc99dd00ee11ff22"]
}

variable "worker_target_groups" {
  type = list(string)
}

resource "aws_launch_template" "app" {
  name_prefix   = "storefront-app-"
  image_id      = "ami-0c02fb55956c7d316"
  instance_type = "m6i.large"
}

resource "aws_lb_target_group" "app" {
  name     = "storefront-app"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = "vpc-0123456789abcdef0"

  health_check {
    path    = "/healthz"
    matcher = "200"
  }
}

resource "aws_autoscaling_group" "app" {
  name                      = "storefront-app"
  min_size                  = 3
  max_size                  = 12
  vpc_zone_identifier       = local.subnets
  target_group_arns         = [aws_lb_target_group.app.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 180

  launch_template {
    id      = aws_launch_template.app.id
    version = aws_launch_template.app.latest_version
  }
}

# Attached by name from an aws_autoscaling_attachment.
resource "aws_autoscaling_group" "admin" {
  name                      = "storefront-admin"
  min_size                  = 2
  max_size                  = 2
  vpc_zone_identifier       = local.subnets
  health_check_type         = "ELB"
  health_check_grace_period = 180

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_attachment" "admin" {
  autoscaling_group_name = "storefront-admin"
  lb_target_group_arn    = aws_lb_target_group.app.arn
}

# Whether it is attached is unknown, but it uses ELB health checks either way.
resource "aws_autoscaling_group" "workers" {
  name                = "storefront-workers"
  min_size            = 2
  max_size            = 8
  vpc_zone_identifier = local.subnets
  target_group_arns   = var.worker_target_groups
  health_check_type   = "ELB"

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

# Not attached to a load balancer: EC2 health checks are all there is.
resource "aws_autoscaling_group" "batch" {
  name                = "storefront-batch"
  min_size            = 0
  max_size            = 10
  vpc_zone_identifier = local.subnets
  health_check_type   = "EC2"

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

# An explicitly empty list is not an attachment.
resource "aws_autoscaling_group" "canary" {
  name                = "storefront-canary"
  min_size            = 1
  max_size            = 1
  vpc_zone_identifier = local.subnets
  target_group_arns   = []

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}
