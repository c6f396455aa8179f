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

locals {
  databases = {
    primary = { class = "db.r6g.xlarge", storage = 500 }
    ledger  = { class = "db.r6g.large", storage = 200 }
  }
}

resource "aws_db_subnet_group" "accounts" {
  name       = "accounts"
  subnet_ids = ["subnet-0aa1bb2cc3dd4ee5f", "subnet-0ff6ee5dd4cc3bb2a", "subnet-0123456789abcdef0"]
}

resource "aws_db_instance" "accounts" {
  for_each = local.databases

  identifier           = "accounts-${each.key}"
  engine               = "postgres"
  engine_version       = "16.3"
  instance_class       = each.value.class
  allocated_storage    = each.value.storage
  username             = "accounts"
  password             = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
  multi_az             = true
}

# A read replica is not checked: its source is multi-AZ.
resource "aws_db_instance" "accounts_reporting" {
  identifier          = "accounts-reporting"
  replicate_source_db = aws_db_instance.accounts["primary"].identifier
  instance_class      = "db.r6g.large"
  multi_az            = false
  skip_final_snapshot = true
}

# Aurora with two instances that RDS spreads over zones.
resource "aws_rds_cluster" "profiles" {
  cluster_identifier   = "accounts-profiles"
  engine               = "aurora-postgresql"
  engine_version       = "15.4"
  master_username      = "profiles"
  master_password      = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
}

resource "aws_rds_cluster_instance" "profiles" {
  count              = 2
  identifier         = "accounts-profiles-${count.index}"
  cluster_identifier = aws_rds_cluster.profiles.id
  instance_class     = "db.r6g.large"
  engine             = aws_rds_cluster.profiles.engine
}

# Members that name the cluster by its identifier, in two zones.
resource "aws_rds_cluster" "tokens" {
  cluster_identifier   = "accounts-tokens"
  engine               = "aurora-mysql"
  master_username      = "tokens"
  master_password      = var.db_password
  db_subnet_group_name = aws_db_subnet_group.accounts.name
}

resource "aws_rds_cluster_instance" "tokens_writer" {
  identifier         = "accounts-tokens-1"
  cluster_identifier = "accounts-tokens"
  instance_class     = "db.r6g.large"
  engine             = "aurora-mysql"
  availability_zone  = "ap-southeast-2a"
}

resource "aws_rds_cluster_instance" "tokens_reader" {
  identifier         = "accounts-tokens-2"
  cluster_identifier = "accounts-tokens"
  instance_class     = "db.r6g.large"
  engine             = "aurora-mysql"
  availability_zone  = "ap-southeast-2b"
}

# A Multi-AZ DB cluster: one writer and two readers in three zones.
resource "aws_rds_cluster" "events" {
  cluster_identifier        = "accounts-events"
  engine                    = "postgres"
  engine_version            = "16.3"
  db_cluster_instance_class = "db.m6gd.large"
  storage_type              = "io1"
  allocated_storage         = 400
  iops                      = 3000
  master_username           = "events"
  master_password           = var.db_password
  db_subnet_group_name      = aws_db_subnet_group.accounts.name
}
