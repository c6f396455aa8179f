provider "aws" {
  region = "eu-west-2"

  default_tags {
    tags = {
      Service = "payments-gateway"
      Owner   = "payments"
    }
  }
}

variable "vpc_id" {
  type    = string
  default = "vpc-0d1e2f3a4b5c6d7e8"
}

variable "admin_cidrs" {
  type        = list(string)
  description = "Set by the security team's pipeline"
}

variable "debug_port" {
  type = number
}

variable "partner_rules" {
  type = list(object({ port = number, cidr = string }))
}

resource "aws_security_group" "bastion" {
  name        = "payments-bastion"
  description = "Bastion host"
  vpc_id      = var.vpc_id

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [
      "10.20.0.0/16",
      "0.0.0.0/0",
    ]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "windows_jump" {
  name   = "payments-windows-jump"
  vpc_id = var.vpc_id

  ingress {
    from_port        = 3389
    to_port          = 3389
    protocol         = "tcp"
    ipv6_cidr_blocks = ["::/0"]
  }

  # High ports for the callback listener: includes RDP.
  ingress {
    from_port   = 1024
    to_port     = 65535
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "debug" {
  name   = "payments-debug"
  vpc_id = var.vpc_id

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = var.debug_port
    to_port     = var.debug_port
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "partners" {
  name   = "payments-partners"
  vpc_id = var.vpc_id

  dynamic "ingress" {
    for_each = var.partner_rules
    content {
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = [ingress.value.cidr]
    }
  }
}

resource "aws_security_group" "app" {
  name   = "payments-app"
  vpc_id = var.vpc_id
}

resource "aws_security_group_rule" "app_all_tcp" {
  type              = "ingress"
  from_port         = 0
  to_port           = 65535
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.app.id
}

resource "aws_security_group_rule" "app_ssh_admins" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = var.admin_cidrs
  security_group_id = aws_security_group.app.id
}

resource "aws_vpc_security_group_ingress_rule" "app_ssh" {
  security_group_id = aws_security_group.app.id
  description       = "Temporary: vendor support session"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/0"
}

# Passes.
resource "aws_vpc_security_group_ingress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = "::/0"
}
