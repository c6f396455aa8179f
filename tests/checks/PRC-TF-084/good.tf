# NotAction belongs in Deny statements: the usual region guardrail, written with aws_iam_policy_document.

data "aws_iam_policy_document" "region_guardrail" {
  statement {
    sid         = "DenyOutsideEu"
    effect      = "Deny"
    not_actions = ["iam:*", "sts:*", "cloudfront:*", "route53:*", "support:*"]
    resources   = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "eu-central-1"]
    }
  }

  statement {
    sid       = "Reports"
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::reports/*"]
  }
}

resource "aws_iam_role_policy" "reports" {
  name   = "reports"
  role   = "reports"
  policy = data.aws_iam_policy_document.region_guardrail.json
}

resource "aws_iam_policy" "deny_everything_but_billing" {
  name = "contractors"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Deny", NotAction = ["aws-portal:View*", "ce:Get*"], Resource = "*" },
      { Effect = "Deny", Action = "s3:*", NotResource = ["arn:aws:s3:::invoices", "arn:aws:s3:::invoices/*"] },
      { Effect = "Allow", Action = ["aws-portal:ViewBilling", "ce:GetCostAndUsage"], Resource = "*" },
    ]
  })
}
