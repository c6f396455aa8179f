# The checkout pods' AWS permissions, through IAM Roles for Service Accounts: only the checkout
# ServiceAccount of the prod-eu cluster can assume the role, and it reaches only checkout's own
# table, key and database secret.

variable "eks_oidc_issuer" {
  type        = string
  description = "OIDC issuer of the prod-eu EKS cluster, without https://"
  default     = "oidc.eks.eu-west-1.amazonaws.com/id/5C2B9A8E4F1D7A3B6E0C9D2F1A4B7E8C"
}

variable "account_id" {
  type    = string
  default = "123456789012"
}

data "aws_iam_policy_document" "checkout_assume" {
  statement {
    sid     = "CheckoutServiceAccount"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${var.account_id}:oidc-provider/${var.eks_oidc_issuer}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.eks_oidc_issuer}:sub"
      values   = ["system:serviceaccount:checkout:checkout"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.eks_oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "checkout" {
  name                 = "checkout-${var.environment}"
  description          = "Assumed by the checkout pods (ServiceAccount checkout/checkout)"
  assume_role_policy   = data.aws_iam_policy_document.checkout_assume.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "checkout" {
  statement {
    sid = "IdempotencyKeys"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:ConditionCheckItem",
    ]
    resources = [aws_dynamodb_table.idempotency_keys.arn]
  }

  statement {
    sid       = "DatabaseCredentials"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [aws_db_instance.checkout.master_user_secret[0].secret_arn]
  }

  statement {
    sid       = "DatabaseKey"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.database.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }

  # X-Ray only accepts "*" for these.
  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "checkout" {
  name   = "checkout"
  role   = aws_iam_role.checkout.id
  policy = data.aws_iam_policy_document.checkout.json
}
