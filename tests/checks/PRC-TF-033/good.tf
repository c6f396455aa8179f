provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "pricing"
      Owner   = "commerce"
    }
  }
}

locals {
  private_subnets = {
    "eu-west-1a" = "10.40.1.0/24"
    "eu-west-1b" = "10.40.2.0/24"
    "eu-west-1c" = "10.40.3.0/24"
  }
}

variable "extra_subnet_id" {
  type        = string
  description = "A subnet of the shared services VPC, passed by the pipeline"
}

resource "aws_vpc" "main" {
  cidr_block = "10.40.0.0/16"
}

resource "aws_subnet" "private" {
  for_each = local.private_subnets

  vpc_id            = aws_vpc.main.id
  cidr_block        = each.value
  availability_zone = each.key
}

resource "aws_subnet" "edge" {
  count                = 2
  vpc_id               = aws_vpc.main.id
  cidr_block           = cidrsubnet("10.40.0.0/16", 8, 20 + count.index)
  availability_zone_id = ["euw1-az1", "euw1-az2"][count.index]
}

resource "aws_launch_template" "pricing" {
  name_prefix   = "pricing-"
  image_id      = "ami-0905a3c97561e0b69"
  instance_type = "r6i.large"
}

# Three zones through subnets created here.
resource "aws_autoscaling_group" "api" {
  name                = "pricing-api"
  min_size            = 3
  max_size            = 9
  vpc_zone_identifier = [for subnet in aws_subnet.private : subnet.id]

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# Two zone IDs.
resource "aws_autoscaling_group" "edge" {
  name                = "pricing-edge"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = aws_subnet.edge[*].id

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# Subnet IDs from the network team: their zones are not in this configuration.
resource "aws_autoscaling_group" "feeds" {
  name                = "pricing-feeds"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69870"]

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# Two zones by name.
resource "aws_autoscaling_group" "rules" {
  name               = "pricing-rules"
  min_size           = 2
  max_size           = 4
  availability_zones = ["eu-west-1a", "eu-west-1b"]

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# Two known zones already, whatever the extra subnet adds.
resource "aws_autoscaling_group" "sync" {
  name                = "pricing-sync"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = [aws_subnet.private["eu-west-1a"].id, aws_subnet.private["eu-west-1b"].id, var.extra_subnet_id]

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}
