resource "aws_launch_template" "batch" {
  name_prefix   = "batch-"
  image_id      = "ami-0c1a7f89451184c8b"
  instance_type = "c6i.large"
}

resource "aws_autoscaling_group" "batch" {
  name                = "batch-workers"
  min_size            = 2
  max_size            = 6
  vpc_zone_identifier = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]

  launch_template {
    id      = aws_launch_template.batch.id
    version = "$Latest"
  }

  tag {
    key                 = "Service"
    value               = "batch"
    propagate_at_launch = true
  }
}
