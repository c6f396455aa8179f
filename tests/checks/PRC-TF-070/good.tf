provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      Service = "media"
      Team    = "video"
    }
  }
}

resource "aws_instance" "origin" {
  count         = 2
  ami           = "ami-0fc5d935ebf8bc3bc"
  instance_type = "m7i.large"
  subnet_id     = ["subnet-0a9b8c7d6e5f40312", "subnet-0b1c2d3e4f5a60718"][count.index]
  monitoring    = true
}

resource "aws_launch_template" "streaming" {
  name_prefix   = "media-streaming-"
  image_id      = "ami-0fc5d935ebf8bc3bc"
  instance_type = "m7i.xlarge"

  monitoring {
    enabled = true
  }
}

# Launched from the template above: judged there.
resource "aws_instance" "canary" {
  subnet_id = "subnet-0a9b8c7d6e5f40312"

  launch_template {
    id      = aws_launch_template.streaming.id
    version = aws_launch_template.streaming.latest_version
  }
}

# Launch configurations enable detailed monitoring by default.
resource "aws_launch_configuration" "legacy" {
  name_prefix   = "media-legacy-"
  image_id      = "ami-0fc5d935ebf8bc3bc"
  instance_type = "m5.large"
}
