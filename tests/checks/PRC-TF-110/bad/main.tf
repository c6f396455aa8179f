provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      Service     = "recommendations"
      Environment = "production"
    }
  }
}

variable "table_tags" {
  type        = map(string)
  description = "Extra tags from the pipeline"
}

variable "team" {
  type = string
}

data "aws_iam_policy_document" "model_read" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.models.arn}/*"]
  }
}

resource "aws_s3_bucket" "models" {
  bucket = "recommendations-models-prod"

  tags = {
    Name = "recommendations-models"
  }
}

resource "aws_sqs_queue" "events" {
  name                       = "recommendations-events"
  visibility_timeout_seconds = 120
}

resource "aws_lambda_function" "scorer" {
  function_name = "recommendations-scorer"
  role          = aws_iam_role.scorer.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "scorer.zip"

  tags = {
    Owner = ""
  }
}

resource "aws_iam_role" "scorer" {
  name = "recommendations-scorer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })

  tags = {
    Owner = "ml-platform"
  }
}

# Not taggable: never judged.
resource "aws_iam_role_policy_attachment" "scorer_logs" {
  role       = aws_iam_role.scorer.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_dynamodb_table" "features" {
  name         = "recommendations-features"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "user_id"

  attribute {
    name = "user_id"
    type = "S"
  }

  tags = var.table_tags
}

resource "aws_ecr_repository" "scorer" {
  name = "recommendations/scorer"

  tags = {
    team = var.team
  }
}

# default_tags do not reach Auto Scaling groups.
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
    key                 = "Name"
    value               = "recommendations-trainer"
    propagate_at_launch = true
  }
}

# A type outside the built-in list, judged because it takes tags.
resource "aws_xray_group" "scorer" {
  group_name        = "recommendations-scorer"
  filter_expression = "service(\"recommendations-scorer\")"

  tags = {
    Name = "recommendations-scorer"
  }
}
