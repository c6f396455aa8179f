provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      Service = "storefront"
      Owner   = "web-platform"
    }
  }
}

variable "private_subnet_ids" {
  type    = list(string)
  default = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
}

variable "extra_target_groups" {
  type        = list(string)
  description = "Target groups from the shared ingress stack, passed by the pipeline"
}

variable "health_check_type" {
  type = string
}

resource "aws_launch_template" "web" {
  name_prefix   = "storefront-web-"
  image_id      = "ami-0c02fb55956c7d316"
  instance_type = "m6i.large"
}

resource "aws_lb_target_group" "web" {
  name     = "storefront-web"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = "vpc-0123456789abcdef0"

  health_check {
    path    = "/healthz"
    matcher = "200"
  }
}

resource "aws_elb" "legacy" {
  name    = "storefront-legacy"
  subnets = var.private_subnet_ids

  listener {
    instance_port     = 8080
    instance_protocol = "http"
    lb_port           = 80
    lb_protocol       = "http"
  }
}

# Attached through target_group_arns, health_check_type left at its default (EC2).
resource "aws_autoscaling_group" "web" {
  name                = "storefront-web"
  min_size            = 2
  max_size            = 10
  vpc_zone_identifier = var.private_subnet_ids
  target_group_arns   = [aws_lb_target_group.web.arn]

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

# Attached by a separate aws_autoscaling_attachment, EC2 health checks written out.
resource "aws_autoscaling_group" "api" {
  name                      = "storefront-api"
  min_size                  = 2
  max_size                  = 6
  vpc_zone_identifier       = var.private_subnet_ids
  health_check_type         = "EC2"
  health_check_grace_period = 120

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_attachment" "api" {
  autoscaling_group_name = aws_autoscaling_group.api.id
  lb_target_group_arn    = aws_lb_target_group.web.arn
}

# A classic ELB.
resource "aws_autoscaling_group" "legacy" {
  name                = "storefront-legacy"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = var.private_subnet_ids
  load_balancers      = [aws_elb.legacy.name]
  health_check_type   = "EC2"

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

# Whether it is attached depends on a variable without a value.
resource "aws_autoscaling_group" "checkout" {
  name                = "storefront-checkout"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = var.private_subnet_ids
  target_group_arns   = var.extra_target_groups

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

# Attached, with a health check type nobody set a value for.
resource "aws_autoscaling_group" "search" {
  name                = "storefront-search"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = var.private_subnet_ids
  target_group_arns   = [aws_lb_target_group.web.arn]
  health_check_type   = var.health_check_type

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

# Passes.
resource "aws_autoscaling_group" "images" {
  name                      = "storefront-images"
  min_size                  = 2
  max_size                  = 4
  vpc_zone_identifier       = var.private_subnet_ids
  target_group_arns         = [aws_lb_target_group.web.arn]
  health_check_type         = "ELB"
  health_check_grace_period = 300

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

# Not attached to any load balancer: not checked.
resource "aws_autoscaling_group" "queue_workers" {
  name                = "storefront-queue-workers"
  min_size            = 1
  max_size            = 20
  vpc_zone_identifier = var.private_subnet_ids

  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}
