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

resource "aws_db_instance" "invoices" {
  identifier              = "invoicing-invoices"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.r6g.large"
  allocated_storage       = 100
  username                = "invoices"
  password                = var.db_password
  multi_az                = true
  backup_retention_period = var.backup_days
  backup_window           = "02:00-03:00"
}

# A read replica is not checked: its backups are the source's.
resource "aws_db_instance" "invoices_replica" {
  identifier              = "invoicing-invoices-replica"
  replicate_source_db     = aws_db_instance.invoices.identifier
  instance_class          = "db.r6g.large"
  backup_retention_period = 0
  skip_final_snapshot     = true
}

resource "aws_rds_cluster" "ledger" {
  cluster_identifier      = "invoicing-ledger"
  engine                  = "aurora-postgresql"
  master_username         = "ledger"
  master_password         = var.db_password
  backup_retention_period = "7"
  preferred_backup_window = "03:00-04:00"
}

resource "aws_neptune_cluster" "graph" {
  cluster_identifier      = "invoicing-graph"
  engine                  = "neptune"
  backup_retention_period = 10
}

# Not databases: not checked.
resource "aws_dynamodb_table" "idempotency" {
  name         = "invoicing-idempotency"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "key"

  attribute {
    name = "key"
    type = "S"
  }
}
