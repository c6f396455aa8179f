provider "aws" {
  region = "ca-central-1"

  default_tags {
    tags = {
      Service = "analytics"
      Owner   = "data-platform"
    }
  }
}

variable "encrypt_scratch" {
  type = bool
}

# Switched off, for the default provider region only: no effect.
resource "aws_ebs_encryption_by_default" "this" {
  enabled = false
}

resource "aws_ebs_volume" "warehouse" {
  availability_zone = "ca-central-1a"
  size              = 1000
  type              = "gp3"
}

resource "aws_ebs_volume" "spool" {
  availability_zone = "ca-central-1a"
  size              = 200
  encrypted         = false
}

# The root volume is left to the AMI, and the data volume is not encrypted.
resource "aws_instance" "etl" {
  ami           = "ami-0a2e7efb4257c0907"
  instance_type = "r6i.2xlarge"
  subnet_id     = "subnet-0d4e5f6a7b8c90123"

  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 500
    volume_type = "gp3"
  }
}

resource "aws_instance" "notebook" {
  ami           = "ami-0a2e7efb4257c0907"
  instance_type = "m6i.xlarge"
  subnet_id     = "subnet-0d4e5f6a7b8c90123"

  root_block_device {
    volume_size = 100
    encrypted   = var.encrypt_scratch
  }
}

resource "aws_launch_template" "spark" {
  name_prefix   = "analytics-spark-"
  image_id      = "ami-0a2e7efb4257c0907"
  instance_type = "r6id.4xlarge"

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size = 100
      volume_type = "gp3"
    }
  }

  block_device_mappings {
    device_name  = "/dev/sdb"
    virtual_name = "ephemeral0"
  }
}

# A data volume restored from a snapshot, encryption left to the snapshot.
resource "aws_launch_configuration" "presto" {
  name_prefix   = "analytics-presto-"
  image_id      = "ami-0a2e7efb4257c0907"
  instance_type = "r6i.xlarge"

  root_block_device {
    volume_size = 50
    encrypted   = true
  }

  ebs_block_device {
    device_name = "/dev/sdg"
    snapshot_id = "snap-0123456789abcdef0"
  }
}

# Passes.
resource "aws_ebs_volume" "checkpoints" {
  availability_zone = "ca-central-1b"
  size              = 500
  encrypted         = true
  kms_key_id        = "arn:aws:kms:ca-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}
