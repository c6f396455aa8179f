# Deploying without escalation: iam:PassRole on the one task role, only to ECS (the false positive other tools
# report), self-service access keys, and function code updates on named functions.

resource "aws_iam_role" "task" {
  name = "payments-task"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecs-tasks.amazonaws.com" } }]
  })
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "PassTaskRole"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.task.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "Deploy"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:UpdateService", "ecs:DescribeServices"]
    resources = ["*"]
  }

  statement {
    sid       = "Functions"
    actions   = ["lambda:UpdateFunctionCode"]
    resources = ["arn:aws:lambda:eu-west-1:123456789012:function:payments-webhook"]
  }
}

resource "aws_iam_policy" "deploy" {
  name   = "payments-deploy"
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_group_policy" "developers" {
  name   = "self-service"
  group  = "developers"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "OwnKeys",
          "Effect": "Allow",
          "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys"],
          "Resource": "arn:aws:iam::123456789012:user/$${aws:username}"
        }
      ]
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.task.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"
}
