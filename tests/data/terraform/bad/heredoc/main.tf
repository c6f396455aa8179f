resource "aws_iam_policy" "logs" {
  name   = "logs"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": []
}
EOT
}
