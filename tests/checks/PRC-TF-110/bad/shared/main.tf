# A shared root whose default tags come from a variable without a value.
variable "default_tags" {
  type = map(string)
}

provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = var.default_tags
  }
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "recommendations-artifacts"
}
