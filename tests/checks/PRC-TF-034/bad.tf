provider "aws" {
  region = "ap-southeast-2"

  default_tags {
    tags = {
      Service = "accounts"
      Owner   = "identity"
    }
  }
}

variable "db_password" {
  type      = string
  sensitive = true
}

variable "ha_enabled" {
  type = bool
}

resource "aws_db_subnet_group" "accounts" {
  name       = "accounts"
  subnet_ids = ["subnet-0aa1bb2cc3dd4ee5f", "subnet-0ff6ee5dd4cc3bb2a"]
}

# multi_az left out: a single-AZ instance.
resource "aws_db_instance" "accounts" {
  identifier              = "accounts-primary"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.r6g.large"
  allocated_storage       = 200
  username                = "accounts"
  password                = var.db_password
  db_subnet_group_name    = aws_db_subnet_group.accounts.name
  backup_retention_period = 14
  deletion_protection     = true
}

# Written out as false.
resource "aws_db_instance" "sessions" {
  identifier           = "accounts-sessions"
  engine               = "mysql"
  engine_version       = "8.0.36"
  instance_class       = "db.m6g.large"
  allocated_storage    = 50
  username             = "sessions"
  password             = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
  multi_az             = false
}

# Decided by a variable without a value.
resource "aws_db_instance" "audit" {
  identifier           = "accounts-audit"
  engine               = "postgres"
  engine_version       = "16.3"
  instance_class       = "db.t4g.medium"
  allocated_storage    = 100
  username             = "audit"
  password             = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
  multi_az             = var.ha_enabled
}

# An Aurora cluster with a single instance.
resource "aws_rds_cluster" "profiles" {
  cluster_identifier   = "accounts-profiles"
  engine               = "aurora-postgresql"
  engine_version       = "15.4"
  master_username      = "profiles"
  master_password      = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
}

resource "aws_rds_cluster_instance" "profiles" {
  count              = 1
  identifier         = "accounts-profiles-${count.index}"
  cluster_identifier = aws_rds_cluster.profiles.id
  instance_class     = "db.r6g.large"
  engine             = aws_rds_cluster.profiles.engine
}

# Two Aurora instances, both pinned to one zone.
resource "aws_rds_cluster" "tokens" {
  cluster_identifier   = "accounts-tokens"
  engine               = "aurora-mysql"
  master_username      = "tokens"
  master_password      = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
}

resource "aws_rds_cluster_instance" "tokens_writer" {
  identifier         = "accounts-tokens-1"
  cluster_identifier = aws_rds_cluster.tokens.id
  instance_class     = "db.r6g.large"
  engine             = "aurora-mysql"
  availability_zone  = "ap-southeast-2a"
}

resource "aws_rds_cluster_instance" "tokens_reader" {
  identifier         = "accounts-tokens-2"
  cluster_identifier = aws_rds_cluster.tokens.id
  instance_class     = "db.r6g.large"
  engine             = "aurora-mysql"
  availability_zone  = "ap-southeast-2a"
}

# Its instances are created by another stack: not known here.
resource "aws_rds_cluster" "history" {
  cluster_identifier   = "accounts-history"
  engine               = "aurora-postgresql"
  master_username      = "history"
  master_password      = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
}

# Passes.
resource "aws_db_instance" "billing" {
  identifier           = "accounts-billing"
  engine               = "postgres"
  engine_version       = "16.3"
  instance_class       = "db.r6g.large"
  allocated_storage    = 100
  username             = "billing"
  password             = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
  multi_az             = true
}
