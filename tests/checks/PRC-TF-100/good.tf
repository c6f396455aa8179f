provider "aws" {
  region = "eu-north-1"

  default_tags {
    tags = {
      Service = "search"
      Owner   = "search-infra"
    }
  }
}

# The region's default for instances that do not say otherwise.
resource "aws_ec2_instance_metadata_defaults" "this" {
  http_tokens                 = "required"
  http_put_response_hop_limit = 2
}

resource "aws_instance" "indexer" {
  ami           = "ami-0014ce3e52359afbd"
  instance_type = "r7g.xlarge"
  subnet_id     = "subnet-0c1d2e3f4a5b60789"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}

resource "aws_launch_template" "query" {
  name_prefix   = "search-query-"
  image_id      = "ami-0014ce3e52359afbd"
  instance_type = "c7g.xlarge"

  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}

# No metadata service at all.
resource "aws_instance" "sandbox" {
  ami           = "ami-0014ce3e52359afbd"
  instance_type = "t4g.small"
  subnet_id     = "subnet-0c1d2e3f4a5b60789"

  metadata_options {
    http_endpoint = "disabled"
  }
}

# Launched from the template above: judged there.
resource "aws_instance" "query_canary" {
  subnet_id = "subnet-0c1d2e3f4a5b60789"

  launch_template {
    id      = aws_launch_template.query.id
    version = "$Latest"
  }
}

# Relies on the region's default.
resource "aws_instance" "crawler" {
  ami           = "ami-0014ce3e52359afbd"
  instance_type = "c7g.large"
  subnet_id     = "subnet-0c1d2e3f4a5b60789"
}
