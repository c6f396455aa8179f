# Bound to the checkout pods by the AWS Load Balancer Controller's TargetGroupBinding (IP mode).
resource "aws_lb_target_group" "checkout" {
  name        = "checkout"
  port        = 8080
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = "vpc-0a1b2c3d"
  # deregistration_delay left at the AWS default of 300 s

  tags = {
    Service = "checkout"
  }
}
