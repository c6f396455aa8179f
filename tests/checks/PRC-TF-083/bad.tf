# Privilege escalation: a workload that can give itself more permissions.

resource "aws_iam_role" "deployer" {
  name = "deployer"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }]
  })
}

# iam:PassRole on every role, with lambda:CreateFunction: run code as any role in the account.
data "aws_iam_policy_document" "deployer" {
  statement {
    sid       = "Functions"
    actions   = ["lambda:CreateFunction", "lambda:UpdateFunctionCode"]
    resources = ["arn:aws:lambda:eu-west-1:123456789012:function:orders-*"]
  }

  statement {
    sid       = "PassAnyRole"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deployer" {
  name   = "deployer"
  role   = aws_iam_role.deployer.id
  policy = data.aws_iam_policy_document.deployer.json
}

# Restricted to one service: lowered, but any role (an administrator role too) can still be passed to ECS.
resource "aws_iam_policy" "scheduler" {
  name   = "scheduler"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "RunTasks",
          "Effect": "Allow",
          "Action": "ecs:RunTask",
          "Resource": "arn:aws:ecs:eu-west-1:123456789012:task-definition/report-*"
        },
        {
          "Sid": "PassTaskRoles",
          "Effect": "Allow",
          "Action": "iam:PassRole",
          "Resource": "*",
          "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
        }
      ]
    }
  EOT
}

resource "aws_iam_user_policy" "support" {
  name = "support"
  user = "support-bot"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Keys"
        Effect   = "Allow"
        Action   = ["iam:CreateAccessKey", "iam:ListAccessKeys"]
        Resource = "arn:aws:iam::123456789012:user/*"
      },
      {
        Sid      = "Roles"
        Effect   = "Allow"
        Action   = ["iam:AttachRolePolicy", "iam:PutRolePolicy"]
        Resource = "arn:aws:iam::123456789012:role/app-*"
      },
    ]
  })
}

resource "aws_iam_group_policy_attachment" "iam_admins" {
  group      = "iam-admins"
  policy_arn = "arn:aws:iam::aws:policy/IAMFullAccess"
}

# Passes: reading is not escalating.
resource "aws_iam_policy" "auditor" {
  name = "auditor"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["iam:Get*", "iam:List*"], Resource = "*" }]
  })
}
