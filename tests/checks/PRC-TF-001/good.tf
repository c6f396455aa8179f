terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "catalog"
      Team    = "discovery"
    }
  }
}

variable "vpc_id" {
  type    = string
  default = "vpc-0a1b2c3d4e5f67890"
}

variable "listener_protocol" {
  type = string
}

locals {
  services = {
    search = { port = 8080, health = "/search/healthz" }
    browse = { port = 8081, health = "/browse/ready" }
  }
}

resource "aws_lb_target_group" "api" {
  name                 = "catalog-api"
  port                 = 8080
  protocol             = "HTTP"
  protocol_version     = "HTTP1"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    enabled             = true
    path                = "/healthz"
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

# One target group per service, each with its own health endpoint.
resource "aws_lb_target_group" "services" {
  for_each = local.services

  name     = "catalog-${each.key}"
  port     = each.value.port
  protocol = "HTTP"
  vpc_id   = var.vpc_id

  health_check {
    path    = each.value.health
    matcher = "200-204"
  }
}

# The protocol is unknown here, but the health check is complete whatever it is.
resource "aws_lb_target_group" "edge" {
  name     = "catalog-edge"
  port     = 8443
  protocol = var.listener_protocol
  vpc_id   = var.vpc_id

  health_check {
    protocol = "HTTPS"
    path     = "/ready"
    matcher  = "200"
  }
}

# Not applicable: TCP health checks have no path.
resource "aws_lb_target_group" "grpc_nlb" {
  name     = "catalog-nlb"
  port     = 50051
  protocol = "TCP"
  vpc_id   = var.vpc_id
}

# Not applicable: Lambda targets.
resource "aws_lb_target_group" "thumbnails" {
  name        = "catalog-thumbnails"
  target_type = "lambda"
}
