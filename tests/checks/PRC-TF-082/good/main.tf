# The known false positives of other tools: actions that only accept "*" (X-Ray, CloudWatch metrics,
# ec2:Describe*), reads on "*", and Deny statements with "*". Writes name their resources.

resource "aws_s3_bucket" "assets" {
  bucket = "storefront-assets"
}

resource "aws_iam_policy" "storefront" {
  name = "storefront"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Telemetry"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"]
        Resource = "*"
      },
      {
        Sid      = "Discovery"
        Effect   = "Allow"
        Action   = ["ec2:Describe*", "ecs:ListClusters"]
        Resource = "*"
      },
      {
        Sid      = "Assets"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:DeleteObject"]
        Resource = "${aws_s3_bucket.assets.arn}/*"
      },
    ]
  })
}

data "aws_iam_policy_document" "guardrails" {
  statement {
    sid       = "NoDeletes"
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "aws:PrincipalTag/role"
      values   = ["admin"]
    }
  }

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["arn:aws:logs:eu-west-1:123456789012:log-group:/storefront:*"]
  }
}

resource "aws_iam_role_policy" "guardrails" {
  name   = "guardrails"
  role   = "storefront"
  policy = data.aws_iam_policy_document.guardrails.json
}

resource "aws_iam_user_policy" "ci" {
  name   = "ci"
  user   = "ci"
  policy = file("${path.module}/ci-policy.json")
}
