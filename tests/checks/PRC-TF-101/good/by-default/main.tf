# Encryption by default in this account and region: every new volume is encrypted.
provider "aws" {
  region = "ca-central-1"

  default_tags {
    tags = {
      Service = "analytics"
      Owner   = "data-platform"
    }
  }
}

resource "aws_ebs_encryption_by_default" "this" {}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "ca-central-1a"
  size              = 200
}

resource "aws_instance" "bastion" {
  ami           = "ami-0a2e7efb4257c0907"
  instance_type = "t3.micro"
  subnet_id     = "subnet-0d4e5f6a7b8c90123"
}
