locals {
  db_identifier = "checkout-${var.environment}"
}

resource "aws_db_subnet_group" "checkout" {
  name       = local.db_identifier
  subnet_ids = var.database_subnet_ids
}

resource "aws_security_group" "database" {
  name        = "${local.db_identifier}-db"
  description = "PostgreSQL for checkout, reachable from the checkout pods only"
  vpc_id      = var.vpc_id

  ingress {
    description     = "PostgreSQL from checkout pods"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [var.app_security_group_id]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_kms_key" "database" {
  description         = "Encrypts the checkout database and its snapshots"
  enable_key_rotation = true
}

resource "aws_db_instance" "checkout" {
  identifier     = local.db_identifier
  engine         = "postgres"
  engine_version = "16.4"
  instance_class = "db.r6g.large"

  allocated_storage     = 100
  max_allocated_storage = 500
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.database.arn

  db_subnet_group_name   = aws_db_subnet_group.checkout.name
  vpc_security_group_ids = [aws_security_group.database.id]

  multi_az                  = true
  backup_retention_period   = 14
  backup_window             = "02:00-03:00"
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.db_identifier}-final"

  performance_insights_enabled = true
  manage_master_user_password  = true
  username                     = "checkout"
}

resource "aws_dynamodb_table" "idempotency_keys" {
  name         = "checkout-idempotency-${var.environment}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "key"

  attribute {
    name = "key"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  deletion_protection_enabled = true
}
