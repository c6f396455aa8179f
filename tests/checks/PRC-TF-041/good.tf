provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "orders"
      Owner   = "team-orders"
    }
  }
}

variable "db_password" {
  type      = string
  sensitive = true
}

variable "environment" {
  type    = string
  default = "production"
}

locals {
  tables = {
    orders = "order_id"
    carts  = "cart_id"
  }
}

resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  engine_version          = "15.5"
  instance_class          = "db.r6g.large"
  allocated_storage       = 100
  username                = "orders"
  password                = var.db_password
  multi_az                = true
  backup_retention_period = 14
  deletion_protection     = var.environment == "production"

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_rds_cluster" "reporting" {
  cluster_identifier      = "orders-reporting"
  engine                  = "aurora-postgresql"
  master_username         = "reporting"
  master_password         = var.db_password
  backup_retention_period = 7
  deletion_protection     = true
}

resource "aws_dynamodb_table" "tables" {
  for_each = local.tables

  name                        = "orders-${each.key}"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value
  deletion_protection_enabled = true

  attribute {
    name = each.value
    type = "S"
  }
}

# Not databases: not checked.
resource "aws_s3_bucket" "exports" {
  bucket = "orders-exports-eu-west-1"
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id = "orders-cache"
  description          = "Order lookups"
  node_type            = "cache.r7g.large"
  num_cache_clusters   = 2
}
