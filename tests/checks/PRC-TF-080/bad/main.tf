# Administrator access, granted every way Terraform can grant it.

variable "extra_policy_arn" {
  type        = string
  description = "Set per environment at plan time."
}

variable "break_glass_actions" {
  type = list(string)
}

data "aws_partition" "current" {}

data "aws_iam_policy" "administrator" {
  name = "AdministratorAccess"
}

# A heredoc policy: the result points at the statement inside it.
resource "aws_iam_policy" "deployer" {
  name   = "deployer"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ReadConfig",
          "Effect": "Allow",
          "Action": ["ssm:GetParameter"],
          "Resource": "arn:aws:ssm:eu-west-1:123456789012:parameter/deployer/*"
        },
        {
          "Sid": "Everything",
          "Effect": "Allow",
          "Action": "*",
          "Resource": "*"
        }
      ]
    }
  EOT
}

# A policy document: the result belongs to the role policy and points at the statement block.
data "aws_iam_policy_document" "ops" {
  statement {
    sid       = "DenyLeavingTheOrg"
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "aws:ResourceOrgID"
      values   = ["o-a1b2c3d4e5"]
    }
  }

  statement {
    sid       = "Ops"
    actions   = ["*:*"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "ops" {
  name               = "ops"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AdministratorAccess",
  ]
}

resource "aws_iam_role_policy" "ops" {
  name   = "ops"
  role   = aws_iam_role.ops.id
  policy = data.aws_iam_policy_document.ops.json
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:role/admins"]
    }
  }
}

# jsonencode(), restricted to the organisation: still a finding, at a lower severity.
resource "aws_iam_group_policy" "auditors" {
  name  = "auditors"
  group = "auditors"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "*"
      Resource  = "*"
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "power" {
  role       = aws_iam_role.ops.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_group_policy_attachment" "admins" {
  group      = "admins"
  policy_arn = data.aws_iam_policy.administrator.arn
}

# Not known statically: UNKNOWN, naming the expression.
resource "aws_iam_user_policy_attachment" "extra" {
  user       = "ci"
  policy_arn = var.extra_policy_arn
}

resource "aws_iam_user_policy" "break_glass" {
  name = "break-glass"
  user = "oncall"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = var.break_glass_actions
      Resource = "*"
    }]
  })
}
