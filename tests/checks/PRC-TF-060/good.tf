provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "orders"
      Owner   = "orders-team"
    }
  }
}

variable "service" {
  type = string
}

resource "aws_sns_topic" "pager" {
  name = "orders-pager"
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "orders-5xx"
  alarm_description   = "More than 1% of requests fail with a 5xx. Runbook: https://runbooks.example.com/orders/5xx"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 50
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

# The URL says it is a wiki page.
resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name          = "orders-p99-latency"
  alarm_description   = "p99 above 800 ms. See https://example.atlassian.net/wiki/spaces/OPS/pages/4242"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  threshold           = 0.8
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

# The label says it is the playbook, whatever the address.
resource "aws_cloudwatch_composite_alarm" "orders_down" {
  alarm_name        = "orders-down"
  alarm_description = "Errors and latency together. Playbook: https://notion.so/acme/5b1f0c"
  alarm_rule        = "ALARM(${aws_cloudwatch_metric_alarm.errors.alarm_name}) AND ALARM(${aws_cloudwatch_metric_alarm.latency.alarm_name})"
  alarm_actions     = [aws_sns_topic.pager.arn]
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each = toset(["payments", "refunds", "emails"])

  alarm_name          = "orders-${each.key}-queue-age"
  alarm_description   = "Oldest ${each.key} message older than 10 minutes. Runbook: https://runbooks.example.com/orders/${each.key}-queue"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 10
  threshold           = 600
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

# The service name is unknown, but the known text already links the runbook.
resource "aws_cloudwatch_metric_alarm" "disk" {
  alarm_name          = "orders-db-disk"
  alarm_description   = "Free storage below 5 GB. Runbook: https://runbooks.example.com/${var.service}/db-disk"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 5000000000
  comparison_operator = "LessThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

# Drives scaling, not a person: not an alert, not judged.
resource "aws_autoscaling_policy" "scale_out" {
  name                   = "orders-scale-out"
  autoscaling_group_name = "orders"
  adjustment_type        = "ChangeInCapacity"
  scaling_adjustment     = 2
}

resource "aws_cloudwatch_metric_alarm" "scale_out" {
  alarm_name          = "orders-scale-out"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 3
  threshold           = 70
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_autoscaling_policy.scale_out.arn]
}
