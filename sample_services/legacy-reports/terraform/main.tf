# The report renderer still runs on one EC2 instance next to the cluster;
# it was lifted from the old data centre in 2019 and never revisited.

provider "aws" {
  region = "eu-west-1"
}

variable "subnet_id" {
  type    = string
  default = "subnet-0123456789abcdef0"
}

resource "aws_security_group" "renderer" {
  name        = "legacy-reports-renderer"
  description = "renderer"

  ingress {
    description = "ssh for the vendor"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 8080
    to_port     = 8080
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_instance" "renderer" {
  ami                    = "ami-0c1a7f89451184c8b"
  instance_type          = "m5.xlarge"
  subnet_id              = var.subnet_id
  vpc_security_group_ids = [aws_security_group.renderer.id]

  root_block_device {
    volume_size = 200
  }

  tags = {
    Name    = "legacy-reports-renderer"
    Service = "legacy-reports"
  }
}

resource "aws_db_instance" "reports" {
  identifier              = "legacy-reports"
  engine                  = "mysql"
  engine_version          = "8.0.39"
  instance_class          = "db.m5.large"
  allocated_storage       = 50
  username                = "reports"
  password                = "Report2019!"
  backup_retention_period = 1
  skip_final_snapshot     = true

  tags = {
    Service = "legacy-reports"
  }
}
