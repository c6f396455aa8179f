provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "pricing"
      Owner   = "commerce"
    }
  }
}

variable "app_subnet_ids" {
  type        = list(string)
  description = "Private subnets, from the network team's stack"
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_subnets" "private" {
  filter {
    name   = "tag:Tier"
    values = ["private"]
  }
}

resource "aws_vpc" "main" {
  cidr_block = "10.40.0.0/16"
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.40.1.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "private_a2" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.40.2.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "dynamic" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet("10.40.0.0/16", 8, 10 + count.index)
  availability_zone = data.aws_availability_zones.available.names[count.index]
}

resource "aws_launch_template" "pricing" {
  name_prefix   = "pricing-"
  image_id      = "ami-0905a3c97561e0b69"
  instance_type = "r6i.large"
}

# One subnet: one zone.
resource "aws_autoscaling_group" "api" {
  name                = "pricing-api"
  min_size            = 2
  max_size            = 6
  vpc_zone_identifier = [aws_subnet.private_a.id]

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# Two subnets, but both in eu-west-1a.
resource "aws_autoscaling_group" "quotes" {
  name                = "pricing-quotes"
  min_size            = 2
  max_size            = 6
  vpc_zone_identifier = [aws_subnet.private_a.id, aws_subnet.private_a2.id]

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# EC2-Classic style zones, only one.
resource "aws_autoscaling_group" "rules" {
  name               = "pricing-rules"
  min_size           = 2
  max_size           = 4
  availability_zones = ["eu-west-1b"]

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# A single subnet given by ID.
resource "aws_autoscaling_group" "feeds" {
  name                = "pricing-feeds"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = ["subnet-0a1b2c3d4e5f60718"]

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# Subnets from a variable without a value.
resource "aws_autoscaling_group" "batch" {
  name                = "pricing-batch"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = var.app_subnet_ids

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# Subnets looked up by a data source when Terraform plans.
resource "aws_autoscaling_group" "sync" {
  name                = "pricing-sync"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = data.aws_subnets.private.ids

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}

# Subnets whose zones come from a data source.
resource "aws_autoscaling_group" "export" {
  name                = "pricing-export"
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = aws_subnet.dynamic[*].id

  launch_template {
    id      = aws_launch_template.pricing.id
    version = "$Latest"
  }
}
