terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
    google = {
      source = "hashicorp/google"
    }
  }
}

provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      Service     = "recommendations"
      Environment = "production"
      Owner       = "ml-platform"
    }
  }
}

provider "google" {
  project = "recs-bigquery"
}

variable "extra_tags" {
  type    = map(string)
  default = { CostCenter = "cc-4410" }
}

data "aws_iam_policy_document" "model_read" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::recommendations-models-prod/*"]
  }
}

resource "aws_s3_bucket" "models" {
  bucket = "recommendations-models-prod"
  tags   = merge(var.extra_tags, { Name = "recommendations-models" })
}

# Its own tag wins over default_tags, and names a team: fine too.
resource "aws_sqs_queue" "events" {
  name = "recommendations-events"

  tags = {
    team = "ml-ingest"
  }
}

resource "aws_autoscaling_group" "trainer" {
  name                = "recommendations-trainer"
  min_size            = 0
  max_size            = 4
  vpc_zone_identifier = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69870"]

  launch_template {
    id      = "lt-0123456789abcdef0"
    version = "$Latest"
  }

  tag {
    key                 = "Owner"
    value               = "ml-platform"
    propagate_at_launch = true
  }
}

# Not taggable, or not AWS: not judged.
resource "aws_s3_bucket_versioning" "models" {
  bucket = aws_s3_bucket.models.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_security_group_rule" "https" {
  type              = "ingress"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8"]
  security_group_id = "sg-0123456789abcdef0"
}

resource "google_bigquery_dataset" "events" {
  dataset_id = "recommendation_events"
  location   = "US"
}
