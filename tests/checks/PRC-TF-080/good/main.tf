# A worker role with least privilege, written the three ways a policy can be written. The known false
# positives of other tools are here too: a Deny of "*" on "*" is a guardrail, not a grant.

resource "aws_s3_bucket" "exports" {
  bucket = "billing-exports-prod"
}

resource "aws_sqs_queue" "jobs" {
  name = "billing-jobs"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "billing-worker"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    aws_iam_policy.exports.arn,
  ]
}

data "aws_iam_policy_document" "jobs" {
  statement {
    sid       = "ConsumeJobs"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
    resources = [aws_sqs_queue.jobs.arn]
  }
}

resource "aws_iam_role_policy" "jobs" {
  name   = "jobs"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.jobs.json
}

resource "aws_iam_policy" "exports" {
  name = "billing-exports"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteExports"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = "${aws_s3_bucket.exports.arn}/*"
      },
      {
        Sid      = "NothingOutsideTheOrg"
        Effect   = "Deny"
        Action   = "*"
        Resource = "*"
        Condition = {
          StringNotEquals = { "aws:ResourceOrgID" = "o-a1b2c3d4e5" }
        }
      },
    ]
  })
}

resource "aws_iam_user_policy" "reporting" {
  name   = "reporting"
  user   = "reporting"
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": {
        "Effect": "Allow",
        "Action": ["ce:GetCostAndUsage", "ce:GetCostForecast"],
        "Resource": "*"
      }
    }
  EOT
}

resource "aws_iam_role_policy_attachment" "read_only" {
  role       = aws_iam_role.worker.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
