provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "checkout"
      Team    = "payments"
    }
  }
}

variable "vpc_id" {
  type    = string
  default = "vpc-0a1b2c3d4e5f67890"
}

variable "backend_protocol" {
  type        = string
  description = "Set per environment with -var"
}

variable "status_path" {
  type = string
}

# No health_check block at all: AWS probes / and expects 200.
resource "aws_lb_target_group" "api" {
  name        = "checkout-api"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id

  deregistration_delay = 30
}

# A path but no matcher.
resource "aws_lb_target_group" "admin" {
  name     = "checkout-admin"
  port     = 8443
  protocol = "HTTPS"
  vpc_id   = var.vpc_id

  health_check {
    path                = "/"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

# Health checks switched off.
resource "aws_alb_target_group" "legacy" {
  name     = "checkout-legacy"
  port     = 80
  protocol = "HTTP"
  vpc_id   = var.vpc_id

  health_check {
    enabled = false
  }
}

# A network load balancer target group probed over HTTP, without a path or matcher.
resource "aws_lb_target_group" "nlb" {
  name     = "checkout-nlb"
  port     = 8080
  protocol = "TCP"
  vpc_id   = var.vpc_id

  health_check {
    protocol = "HTTP"
    port     = "traffic-port"
  }
}

# The protocol is only known at plan time, and there is no health check: HTTP would need one.
resource "aws_lb_target_group" "edge" {
  name     = "checkout-edge"
  port     = 8080
  protocol = var.backend_protocol
  vpc_id   = var.vpc_id
}

# The path comes from a variable without a value.
resource "aws_lb_target_group" "web" {
  name     = "checkout-web"
  port     = 3000
  protocol = "HTTP"
  vpc_id   = var.vpc_id

  health_check {
    path    = var.status_path
    matcher = "200"
  }
}

# Passes: a dedicated endpoint and the codes it returns.
resource "aws_lb_target_group" "worker" {
  name     = "checkout-worker"
  port     = 9000
  protocol = "HTTP"
  vpc_id   = var.vpc_id

  health_check {
    path    = "/healthz"
    matcher = "200-299"
  }
}
