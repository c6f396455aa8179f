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

variable "office_cidrs" {
  type    = list(string)
  default = ["203.0.113.0/24", "198.51.100.16/28"]
}

variable "partner_cidrs" {
  type        = list(string)
  description = "Partner egress ranges, from the pipeline"
}

locals {
  public_ports = [80, 443]
}

resource "aws_security_group" "bastion" {
  name        = "payments-bastion"
  description = "SSH from the office only"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH from the office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.office_cidrs
  }

  egress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_security_group" "web" {
  name   = "payments-web"
  vpc_id = var.vpc_id

  dynamic "ingress" {
    for_each = local.public_ports
    content {
      from_port        = ingress.value
      to_port          = ingress.value
      protocol         = "tcp"
      cidr_blocks      = ["0.0.0.0/0"]
      ipv6_cidr_blocks = ["::/0"]
    }
  }

  ingress {
    description     = "SSH from the bastion"
    from_port       = 22
    to_port         = 22
    protocol        = "tcp"
    security_groups = [aws_security_group.bastion.id]
  }

  ingress {
    description = "Health checks and ICMP from anywhere"
    from_port   = -1
    to_port     = -1
    protocol    = "icmp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# The sources are unknown, but port 8443 is not an admin port.
resource "aws_security_group_rule" "partners_api" {
  type              = "ingress"
  from_port         = 8443
  to_port           = 8443
  protocol          = "tcp"
  cidr_blocks       = var.partner_cidrs
  security_group_id = aws_security_group.web.id
}

# Egress is not checked.
resource "aws_security_group_rule" "web_egress" {
  type              = "egress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.web.id
}

resource "aws_vpc_security_group_ingress_rule" "rdp_from_vpn" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_ipv4         = "10.8.0.0/16"
}

resource "aws_vpc_security_group_ingress_rule" "all_from_bastion" {
  security_group_id            = aws_security_group.web.id
  ip_protocol                  = "-1"
  referenced_security_group_id = aws_security_group.bastion.id
}
