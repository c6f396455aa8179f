resource "aws_iam_policy" "outside" {
  name   = "outside"
  policy = file("${path.module}/../secret.json")
}

resource "aws_iam_policy" "inside" {
  name   = "inside"
  policy = file("${path.module}/policies/inside.json")
}
