# The renderer's instance role got AdministratorAccess "to make the S3 errors go away", and the vendor
# who maintains the PDF engine assumes a role that trusts every AWS account.

resource "aws_iam_role" "renderer" {
  name = "legacy-reports-renderer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })

  tags = {
    Service = "legacy-reports"
  }
}

resource "aws_iam_role_policy_attachment" "renderer_admin" {
  role       = aws_iam_role.renderer.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_instance_profile" "renderer" {
  name = "legacy-reports-renderer"
  role = aws_iam_role.renderer.name
}

resource "aws_iam_role" "vendor_support" {
  name               = "legacy-reports-vendor-support"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "VendorSupport",
          "Effect": "Allow",
          "Principal": {"AWS": "*"},
          "Action": "sts:AssumeRole"
        }
      ]
    }
  EOT

  tags = {
    Service = "legacy-reports"
  }
}

resource "aws_iam_role_policy_attachment" "vendor_support" {
  role       = aws_iam_role.vendor_support.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
