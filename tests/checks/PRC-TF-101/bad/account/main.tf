# The account baseline: whether encryption by default is on depends on a variable without a value.
provider "aws" {
  region = "ca-central-1"

  default_tags {
    tags = {
      Service = "analytics"
      Owner   = "data-platform"
    }
  }
}

variable "enforce_encryption" {
  type = bool
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = var.enforce_encryption
}

resource "aws_ebs_volume" "audit_logs" {
  availability_zone = "ca-central-1a"
  size              = 100
}
