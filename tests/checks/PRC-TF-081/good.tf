# Named actions and access-level patterns ("s3:Get*") instead of service wildcards; a Deny of "s3:*" is a
# guardrail and never a finding.

resource "aws_s3_bucket" "media" {
  bucket = "media-prod"
}

data "aws_iam_policy_document" "media" {
  statement {
    sid       = "ReadMedia"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:List*"]
    resources = [aws_s3_bucket.media.arn, "${aws_s3_bucket.media.arn}/*"]
  }

  statement {
    sid       = "OnlyOverTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_iam_role_policy" "media" {
  name   = "media"
  role   = "media-api"
  policy = data.aws_iam_policy_document.media.json
}

resource "aws_iam_policy" "metrics" {
  name = "metrics"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["cloudwatch:PutMetricData", "xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = "*"
    }]
  })
}
