provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "orders"
      Owner   = "orders-team"
    }
  }
}

# Given at plan time with -var, so not known here.
variable "runbook_url" {
  type = string
}

resource "aws_sns_topic" "pager" {
  name = "orders-pager"
}

# No description at all.
resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  alarm_name          = "orders-cpu-high"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "orders-5xx"
  alarm_description   = "More than 1% of requests fail with a 5xx. Check the deploy log first."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 50
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

# A dashboard is not a runbook.
resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name          = "orders-p99-latency"
  alarm_description   = "p99 above 800 ms. Dashboard: https://grafana.example.com/d/orders-latency"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  threshold           = 0.8
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

resource "aws_cloudwatch_composite_alarm" "orders_down" {
  alarm_name        = "orders-down"
  alarm_description = "Errors and latency together: orders is down."
  alarm_rule        = "ALARM(${aws_cloudwatch_metric_alarm.errors.alarm_name}) AND ALARM(${aws_cloudwatch_metric_alarm.latency.alarm_name})"
  alarm_actions     = [aws_sns_topic.pager.arn]
}

# One instance of three has no runbook.
locals {
  queues = {
    payments = "Runbook: https://runbooks.example.com/orders/payments-queue"
    refunds  = "Runbook: https://runbooks.example.com/orders/refunds-queue"
    emails   = "Emails back up; usually the SMTP relay."
  }
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each = local.queues

  alarm_name          = "orders-${each.key}-queue-age"
  alarm_description   = "Oldest ${each.key} message is older than 10 minutes. ${each.value}"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 10
  threshold           = 600
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]

  dimensions = {
    QueueName = "orders-${each.key}"
  }
}

# The link is a variable with no value in the configuration.
resource "aws_cloudwatch_metric_alarm" "disk" {
  alarm_name          = "orders-db-disk"
  alarm_description   = "Free storage below 5 GB. Runbook: ${var.runbook_url}"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 5000000000
  comparison_operator = "LessThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

# Passes.
resource "aws_cloudwatch_metric_alarm" "replica_lag" {
  alarm_name          = "orders-db-replica-lag"
  alarm_description   = "Replica lag above 30 s. Runbook: https://runbooks.example.com/orders/replica-lag"
  namespace           = "AWS/RDS"
  metric_name         = "ReplicaLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 30
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}
