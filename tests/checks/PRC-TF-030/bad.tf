provider "aws" {
  region = "us-west-2"

  default_tags {
    tags = {
      Service = "notifications"
      Owner   = "messaging"
    }
  }
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-0123abcd4567ef890", "subnet-0987fedc6543ba210"]
}

variable "api_min_size" {
  type = number
}

variable "relay_count" {
  type        = number
  description = "How many SMTP relays to run"
}

locals {
  environments = {
    production = { min = 3, max = 12 }
    staging    = { min = 1, max = 2 }
  }
}

resource "aws_launch_template" "app" {
  name_prefix   = "notifications-"
  image_id      = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.large"
}

resource "aws_lb_target_group" "push" {
  name     = "notifications-push"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = "vpc-0f1e2d3c4b5a69788"
}

resource "aws_lb_target_group" "smtp" {
  name     = "notifications-smtp"
  port     = 25
  protocol = "TCP"
  vpc_id   = "vpc-0f1e2d3c4b5a69788"
}

# One instance at the low point of the day.
resource "aws_autoscaling_group" "push" {
  name                = "notifications-push"
  min_size            = 1
  max_size            = 6
  desired_capacity    = 2
  vpc_zone_identifier = var.subnet_ids
  target_group_arns   = [aws_lb_target_group.push.arn]

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

# Set by the pipeline: not known here.
resource "aws_autoscaling_group" "api" {
  name                = "notifications-api"
  min_size            = var.api_min_size
  max_size            = 6
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

# One group per environment: staging runs a single instance.
resource "aws_autoscaling_group" "digest" {
  for_each = local.environments

  name                = "notifications-digest-${each.key}"
  min_size            = each.value.min
  max_size            = each.value.max
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

# A lone instance behind the load balancer.
resource "aws_instance" "webhooks" {
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.medium"
  subnet_id     = "subnet-0123abcd4567ef890"
}

resource "aws_lb_target_group_attachment" "webhooks" {
  target_group_arn = aws_lb_target_group.push.arn
  target_id        = aws_instance.webhooks.id
  port             = 8080
}

# A lone instance with a fixed public address.
resource "aws_instance" "sms_gateway" {
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.small"
  subnet_id     = "subnet-0123abcd4567ef890"
}

resource "aws_eip" "sms_gateway" {
  instance = aws_instance.sms_gateway.id
  domain   = "vpc"
}

# As many relays as a variable without a value says.
resource "aws_instance" "relay" {
  count         = var.relay_count
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.small"
  subnet_id     = var.subnet_ids[count.index % 2]
}

resource "aws_lb_target_group_attachment" "relay" {
  count            = var.relay_count
  target_group_arn = aws_lb_target_group.smtp.arn
  target_id        = aws_instance.relay[count.index].id
  port             = 25
}

# Passes.
resource "aws_autoscaling_group" "email" {
  name                = "notifications-email"
  min_size            = 2
  max_size            = 8
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

# The service's scheduler: one instance, tagged with the service through default_tags.
resource "aws_instance" "scheduler" {
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.small"
  subnet_id     = "subnet-0123abcd4567ef890"
}

# Not checked: a shared CI runner, no service tag, nothing sends it traffic.
provider "aws" {
  alias  = "tooling"
  region = "us-west-2"
}

resource "aws_instance" "ci_runner" {
  provider      = aws.tooling
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "c6i.large"
  subnet_id     = "subnet-0123abcd4567ef890"

  tags = {
    Name = "ci-runner"
  }
}
