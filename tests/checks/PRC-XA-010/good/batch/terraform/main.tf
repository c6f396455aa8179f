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

resource "aws_cloudwatch_metric_alarm" "batch_capacity" {
  alarm_name          = "batch-workers-in-service-low"
  alarm_description   = "Fewer than two batch workers in service. Runbook: https://runbooks.example.com/batch#capacity"
  namespace           = "AWS/AutoScaling"
  metric_name         = "GroupInServiceInstances"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 2
  comparison_operator = "LessThanThreshold"
  dimensions = {
    AutoScalingGroupName = aws_autoscaling_group.batch.name
  }
  alarm_actions = ["arn:aws:sns:eu-west-1:123456789012:batch-oncall"]
}
