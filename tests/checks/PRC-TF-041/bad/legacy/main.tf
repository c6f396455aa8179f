# An older root module of the same service, with no plan: its values are what the configuration says.
provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "orders"
      Owner   = "team-orders"
    }
  }
}

variable "environment" {
  type = string
}

variable "db_password" {
  type      = string
  sensitive = true
}

resource "aws_db_instance" "archive" {
  identifier          = "orders-archive"
  engine              = "postgres"
  engine_version      = "15.5"
  instance_class      = "db.t4g.medium"
  allocated_storage   = 500
  username            = "archive"
  password            = var.db_password
  deletion_protection = var.environment == "production"
}

resource "aws_dynamodb_table" "carts" {
  name                        = "orders-carts"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "cart_id"
  deletion_protection_enabled = false

  attribute {
    name = "cart_id"
    type = "S"
  }
}
