provider "aws" {
  region = "us-west-2"

  default_tags {
    tags = {
      Service = "notifications"
      Owner   = "messaging"
    }
  }
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-0123abcd4567ef890", "subnet-0987fedc6543ba210", "subnet-0aaa1111bbbb2222c"]
}

variable "api_min_size" {
  type    = number
  default = 3
}

resource "aws_launch_template" "app" {
  name_prefix   = "notifications-"
  image_id      = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.large"
}

resource "aws_lb_target_group" "push" {
  name     = "notifications-push"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = "vpc-0f1e2d3c4b5a69788"
}

resource "aws_lb_target_group" "smtp" {
  name     = "notifications-smtp"
  port     = 25
  protocol = "TCP"
  vpc_id   = "vpc-0f1e2d3c4b5a69788"
}

resource "aws_autoscaling_group" "push" {
  name                = "notifications-push"
  min_size            = 2
  max_size            = 6
  vpc_zone_identifier = var.subnet_ids
  target_group_arns   = [aws_lb_target_group.push.arn]

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

resource "aws_autoscaling_group" "api" {
  name                = "notifications-api"
  min_size            = var.api_min_size
  max_size            = 9
  vpc_zone_identifier = var.subnet_ids

  launch_template {
    id      = aws_launch_template.app.id
    version = "$Latest"
  }
}

# Two instances, each registered by its own attachment in the same target group.
resource "aws_instance" "webhooks_a" {
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.medium"
  subnet_id     = var.subnet_ids[0]
}

resource "aws_instance" "webhooks_b" {
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.medium"
  subnet_id     = var.subnet_ids[1]
}

resource "aws_lb_target_group_attachment" "webhooks_a" {
  target_group_arn = aws_lb_target_group.push.arn
  target_id        = aws_instance.webhooks_a.id
  port             = 8080
}

resource "aws_lb_target_group_attachment" "webhooks_b" {
  target_group_arn = aws_lb_target_group.push.arn
  target_id        = aws_instance.webhooks_b.id
  port             = 8080
}

# Three relays behind the NLB.
resource "aws_instance" "relay" {
  count         = 3
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.small"
  subnet_id     = var.subnet_ids[count.index]
}

resource "aws_lb_target_group_attachment" "relay" {
  count            = length(aws_instance.relay)
  target_group_arn = aws_lb_target_group.smtp.arn
  target_id        = aws_instance.relay[count.index].id
  port             = 25
}

# Two schedulers of the service, no load balancer in front.
resource "aws_instance" "scheduler" {
  count         = 2
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "t3.small"
  subnet_id     = var.subnet_ids[count.index]
}

# Not checked: a shared CI runner, no service tag, nothing sends it traffic.
provider "aws" {
  alias  = "tooling"
  region = "us-west-2"
}

resource "aws_instance" "ci_runner" {
  provider      = aws.tooling
  ami           = "ami-0ceecbb0f30a902a6"
  instance_type = "c6i.large"
  subnet_id     = var.subnet_ids[0]
}
