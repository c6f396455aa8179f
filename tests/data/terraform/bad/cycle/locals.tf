locals {
  name   = "${local.prefix}-app"
  prefix = "${local.env}-${local.region}"
  env    = "${local.name}-env"
  region = "eu-west-1"
}

resource "aws_s3_bucket" "assets" {
  bucket = "${local.name}-assets"
}
