# NotAction and NotResource in Allow statements: everything except a few things, including all that AWS adds.

resource "aws_iam_policy" "power_user" {
  name   = "almost-admin"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "AllButIam",
          "Effect": "Allow",
          "NotAction": ["iam:*", "organizations:*"],
          "Resource": "*"
        }
      ]
    }
  EOT
}

data "aws_iam_policy_document" "archive" {
  statement {
    sid           = "EverywhereButAudit"
    actions       = ["s3:GetObject", "s3:PutObject"]
    not_resources = ["arn:aws:s3:::audit-logs/*"]
  }
}

resource "aws_iam_role_policy" "archive" {
  name   = "archive"
  role   = "archiver"
  policy = data.aws_iam_policy_document.archive.json
}

resource "aws_iam_user_policy" "contractor" {
  name = "contractor"
  user = "contractor"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      NotAction = "iam:*"
      Resource  = "*"
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}

# Passes: a plain Allow.
resource "aws_iam_group_policy" "readers" {
  name  = "readers"
  group = "readers"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }]
  })
}
