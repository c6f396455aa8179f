provider "aws" {
  region = "us-east-2"

  default_tags {
    tags = {
      Service = "invoicing"
      Owner   = "finance-eng"
    }
  }
}

variable "db_password" {
  type      = string
  sensitive = true
}

variable "backup_days" {
  type    = number
  default = 14
}

variable "docs_backup_days" {
  type = number
}

# Left out: AWS keeps one day.
resource "aws_db_instance" "invoices" {
  identifier          = "invoicing-invoices"
  engine              = "postgres"
  engine_version      = "16.3"
  instance_class      = "db.r6g.large"
  allocated_storage   = 100
  username            = "invoices"
  password            = var.db_password
  multi_az            = true
  deletion_protection = true
}

# Backups switched off.
resource "aws_db_instance" "scratch" {
  identifier              = "invoicing-scratch"
  engine                  = "mysql"
  engine_version          = "8.0.36"
  instance_class          = "db.t4g.medium"
  allocated_storage       = 20
  username                = "scratch"
  password                = var.db_password
  backup_retention_period = 0
  skip_final_snapshot     = true
}

# Three days, set in terraform.tfvars.
resource "aws_db_instance" "payments" {
  identifier              = "invoicing-payments"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.r6g.large"
  allocated_storage       = 200
  username                = "payments"
  password                = var.db_password
  backup_retention_period = var.backup_days
}

# Aurora at its one-day minimum.
resource "aws_rds_cluster" "ledger" {
  cluster_identifier      = "invoicing-ledger"
  engine                  = "aurora-postgresql"
  master_username         = "ledger"
  master_password         = var.db_password
  backup_retention_period = 1
  preferred_backup_window = "03:00-04:00"
}

# A variable without a value.
resource "aws_docdb_cluster" "documents" {
  cluster_identifier      = "invoicing-documents"
  engine                  = "docdb"
  master_username         = "documents"
  master_password         = var.db_password
  backup_retention_period = var.docs_backup_days
}

# Passes.
resource "aws_rds_cluster" "archive" {
  cluster_identifier      = "invoicing-archive"
  engine                  = "aurora-mysql"
  master_username         = "archive"
  master_password         = var.db_password
  backup_retention_period = 35
}
