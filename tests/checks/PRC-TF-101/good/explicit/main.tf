provider "aws" {
  region = "ca-central-1"

  default_tags {
    tags = {
      Service = "analytics"
      Owner   = "data-platform"
    }
  }
}

resource "aws_kms_key" "ebs" {
  description         = "analytics EBS volumes"
  enable_key_rotation = true
}

resource "aws_ebs_volume" "warehouse" {
  availability_zone = "ca-central-1a"
  size              = 1000
  type              = "gp3"
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn
}

resource "aws_instance" "etl" {
  ami           = "ami-0a2e7efb4257c0907"
  instance_type = "r6i.2xlarge"
  subnet_id     = "subnet-0d4e5f6a7b8c90123"

  root_block_device {
    volume_size = 50
    encrypted   = true
  }

  ebs_block_device {
    device_name = "/dev/sdf"
    volume_size = 500
    encrypted   = true
    kms_key_id  = aws_kms_key.ebs.arn
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
      encrypted   = "true"
    }
  }

  # Instance store: not an EBS volume.
  block_device_mappings {
    device_name  = "/dev/sdb"
    virtual_name = "ephemeral0"
  }
}

# Launched from the template above: its volumes are judged there.
resource "aws_instance" "spark_driver" {
  subnet_id = "subnet-0d4e5f6a7b8c90123"

  launch_template {
    id      = aws_launch_template.spark.id
    version = "$Latest"
  }
}
