# Write actions on Resource "*" that could name the resources they act on.

variable "events_bucket_arn" {
  type = string
}

resource "aws_iam_policy" "exporter" {
  name   = "exporter"
  policy = file("${path.module}/policies/exporter.json")
}

data "aws_iam_policy_document" "notifier" {
  statement {
    sid       = "Publish"
    actions   = ["sns:Publish", "sqs:SendMessage"]
    resources = ["*"]
  }

  # Tagged tables only: a lower severity, and the message says which condition.
  statement {
    sid       = "TaggedTables"
    actions   = ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/team"
      values   = ["notifications"]
    }
  }
}

resource "aws_iam_role_policy" "notifier" {
  name   = "notifier"
  role   = "notifier"
  policy = data.aws_iam_policy_document.notifier.json
}

resource "aws_iam_role" "collector" {
  name = "collector"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })

  inline_policy {
    name = "collect"
    policy = <<-EOT
      {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Effect": "Allow",
            "Action": "s3:PutObjectt",
            "Resource": "*"
          },
          {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": "${var.events_bucket_arn}"
          }
        ]
      }
    EOT
  }
}

# Passes: tracing and metrics actions accept only "*".
resource "aws_iam_policy" "telemetry" {
  name = "telemetry"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["xray:PutTraceSegments", "cloudwatch:PutMetricData"], Resource = "*" }]
  })
}
