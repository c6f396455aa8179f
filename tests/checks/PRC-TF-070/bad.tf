provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      Service = "media"
      Team    = "video"
    }
  }
}

variable "detailed_monitoring" {
  type = bool
}

# monitoring left out.
resource "aws_instance" "transcoder" {
  ami           = "ami-0fc5d935ebf8bc3bc"
  instance_type = "c7i.2xlarge"
  subnet_id     = "subnet-0a9b8c7d6e5f40312"
}

resource "aws_instance" "thumbnailer" {
  ami           = "ami-0fc5d935ebf8bc3bc"
  instance_type = "c7i.large"
  subnet_id     = "subnet-0a9b8c7d6e5f40312"
  monitoring    = false
}

resource "aws_instance" "packager" {
  ami           = "ami-0fc5d935ebf8bc3bc"
  instance_type = "c7i.large"
  subnet_id     = "subnet-0a9b8c7d6e5f40312"
  monitoring    = var.detailed_monitoring
}

# Launched from a template the platform team manages elsewhere.
resource "aws_instance" "ingest" {
  subnet_id = "subnet-0a9b8c7d6e5f40312"

  launch_template {
    name    = "platform-base-al2023"
    version = "$Default"
  }
}

# No monitoring block.
resource "aws_launch_template" "streaming" {
  name_prefix   = "media-streaming-"
  image_id      = "ami-0fc5d935ebf8bc3bc"
  instance_type = "m7i.xlarge"
}

resource "aws_launch_template" "workers" {
  name_prefix   = "media-workers-"
  image_id      = "ami-0fc5d935ebf8bc3bc"
  instance_type = "m7i.large"

  monitoring {
    enabled = false
  }
}

resource "aws_launch_configuration" "legacy" {
  name_prefix       = "media-legacy-"
  image_id          = "ami-0fc5d935ebf8bc3bc"
  instance_type     = "m5.large"
  enable_monitoring = false
}

# Passes.
resource "aws_instance" "origin" {
  ami           = "ami-0fc5d935ebf8bc3bc"
  instance_type = "m7i.large"
  subnet_id     = "subnet-0a9b8c7d6e5f40312"
  monitoring    = true
}
