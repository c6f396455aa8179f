provider "aws" {
  region = "eu-north-1"

  default_tags {
    tags = {
      Service = "search"
      Owner   = "search-infra"
    }
  }
}

variable "imds_tokens" {
  type        = string
  description = "optional while the old indexer agent still speaks IMDSv1"
}

# No metadata_options: IMDSv1 stays on.
resource "aws_instance" "indexer" {
  ami                  = "ami-0014ce3e52359afbd"
  instance_type        = "r7g.xlarge"
  subnet_id            = "subnet-0c1d2e3f4a5b60789"
  iam_instance_profile = "search-indexer"
}

resource "aws_instance" "crawler" {
  ami           = "ami-0014ce3e52359afbd"
  instance_type = "c7g.large"
  subnet_id     = "subnet-0c1d2e3f4a5b60789"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }
}

resource "aws_launch_template" "query" {
  name_prefix   = "search-query-"
  image_id      = "ami-0014ce3e52359afbd"
  instance_type = "c7g.xlarge"

  metadata_options {
    http_endpoint               = "enabled"
    http_put_response_hop_limit = 2
  }
}

resource "aws_launch_configuration" "legacy" {
  name_prefix   = "search-legacy-"
  image_id      = "ami-0014ce3e52359afbd"
  instance_type = "m6g.large"
}

resource "aws_instance" "ranker" {
  ami           = "ami-0014ce3e52359afbd"
  instance_type = "c7g.large"
  subnet_id     = "subnet-0c1d2e3f4a5b60789"

  metadata_options {
    http_tokens = var.imds_tokens
  }
}

# Launched from a template outside this configuration.
resource "aws_instance" "reindex" {
  subnet_id = "subnet-0c1d2e3f4a5b60789"

  launch_template {
    id = "lt-0a1b2c3d4e5f67890"
  }
}

# Passes.
resource "aws_launch_template" "ingest" {
  name_prefix   = "search-ingest-"
  image_id      = "ami-0014ce3e52359afbd"
  instance_type = "c7g.large"

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}
