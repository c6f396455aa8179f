terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.60"
    }
  }
  backend "s3" {
    bucket = "example-payments-tfstate"
    key    = "checkout/prod/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = var.region

  # Every resource of the stack carries the service, its owner and its cost centre.
  default_tags {
    tags = {
      Service    = "checkout"
      Team       = "payments"
      CostCenter = "cc-4410"
      ManagedBy  = "terraform"
    }
  }
}
