# Service wildcards: every action of a service, and every action AWS adds to it later.

variable "queue_actions" {
  type = list(string)
}

resource "aws_iam_role_policy" "uploader" {
  name   = "uploader"
  role   = "uploader"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Uploads",
      "Effect": "Allow",
      "Action": ["s3:*", "kms:GenerateDataKey"],
      "Resource": [
        "arn:aws:s3:::uploads-prod",
        "arn:aws:s3:::uploads-prod/*"
      ]
    }
  ]
}
EOF
}

data "aws_iam_policy_document" "orders" {
  statement {
    sid       = "ReadOrders"
    actions   = ["dynamodb:GetItem", "dynamodb:Query"]
    resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"]
  }

  # Only from the VPC endpoint: still every DynamoDB action, at a lower severity.
  statement {
    sid       = "Tables"
    actions   = ["dynamodb:*"]
    resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders-*"]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = ["vpce-0a1b2c3d4e5f67890"]
    }
  }
}

resource "aws_iam_policy" "orders" {
  name   = "orders"
  policy = data.aws_iam_policy_document.orders.json
}

resource "aws_iam_user_policy" "legacy" {
  name = "legacy"
  user = "legacy-batch"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "sqs:*", Resource = "*" },
      # A service prefix the catalogue does not know: misspelled, or a service newer than the catalogue.
      { Effect = "Allow", Action = "sqss:*", Resource = "*" },
      { Effect = "Allow", Action = var.queue_actions, Resource = "arn:aws:sqs:eu-west-1:123456789012:legacy" },
    ]
  })
}

resource "aws_iam_group_policy" "readers" {
  name  = "readers"
  group = "readers"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject", "s3:List*"], Resource = "*" }]
  })
}
