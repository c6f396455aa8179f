# Bound to the checkout pods by the AWS Load Balancer Controller's TargetGroupBinding (IP mode).
resource "aws_lb_target_group" "checkout" {
  name                 = "checkout"
  port                 = 8080
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = "vpc-0a1b2c3d"
  deregistration_delay = 45

  tags = {
    Service = "checkout"
  }
}

# Instances behind this one are nodes, which outlive pods: not compared.
resource "aws_lb_target_group" "checkout_nodes" {
  name        = "checkout-nodes"
  port        = 30080
  protocol    = "HTTP"
  target_type = "instance"
  vpc_id      = "vpc-0a1b2c3d"

  tags = {
    Service = "checkout"
  }
}
