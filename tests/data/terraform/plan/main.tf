provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "orders"
      Owner   = "team-orders"
    }
  }
}

variable "http_tokens" {
  type = string
}

resource "aws_instance" "web" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.small"

  metadata_options {
    http_tokens = var.http_tokens
  }

  tags = {
    Name = "orders-web"
  }
}

resource "aws_ebs_volume" "data" {
  count             = 2
  availability_zone = "eu-west-1${["a", "b"][count.index]}"
  size              = 50
  encrypted         = true
}

module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.5.4"

  identifier = "orders"
}
