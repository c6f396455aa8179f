terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.50"
    }
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "orders"
      Owner   = "team-orders"
    }
  }
}

variable "protect_reporting" {
  type        = bool
  description = "Deletion protection for the reporting cluster; set per workspace"
}

variable "db_password" {
  type      = string
  sensitive = true
}

# The registry module is not scanned; the plan shows what it creates.
module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.5.4"

  identifier        = "orders"
  engine            = "postgres"
  engine_version    = "15.5"
  instance_class    = "db.t4g.large"
  allocated_storage = 100
  username          = "orders"
}

# deletion_protection_enabled left out: false.
resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "order_id"

  attribute {
    name = "order_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }
}

# Only the plan knows the variable's value: false.
resource "aws_rds_cluster" "reporting" {
  cluster_identifier      = "orders-reporting"
  engine                  = "aurora-postgresql"
  engine_version          = "15.5"
  master_username         = "reporting"
  master_password         = var.db_password
  backup_retention_period = 7
  deletion_protection     = var.protect_reporting
}

# Passes.
resource "aws_dynamodb_table" "idempotency" {
  name                        = "orders-idempotency"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "key"
  deletion_protection_enabled = true

  attribute {
    name = "key"
    type = "S"
  }
}
