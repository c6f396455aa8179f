provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "ledger"
      Owner   = "ledger-team"
    }
  }
}

variable "pager_topic_arn" {
  type = string
}

resource "aws_sns_topic" "pager" {
  name = "ledger-pager"
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "ledger-5xx"
  alarm_description   = "Runbook: https://runbooks.example.com/ledger/5xx"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 50
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
  ok_actions          = [aws_sns_topic.pager.arn]
  actions_enabled     = true
}

# The topic ARN is given at plan time: unknown, but the alarm has an action either way.
resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "ledger-cpu"
  alarm_description   = "Runbook: https://runbooks.example.com/ledger/cpu"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [var.pager_topic_arn]
}

resource "aws_cloudwatch_composite_alarm" "ledger_down" {
  alarm_name        = "ledger-down"
  alarm_description = "Runbook: https://runbooks.example.com/ledger/down"
  alarm_rule        = "ALARM(${aws_cloudwatch_metric_alarm.errors.alarm_name}) AND ALARM(${aws_cloudwatch_metric_alarm.cpu.alarm_name})"
  alarm_actions     = ["arn:aws:sns:eu-west-1:123456789012:ledger-pager"]
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each = toset(["production", "staging"])

  alarm_name          = "ledger-${each.key}-queue-age"
  alarm_description   = "Runbook: https://runbooks.example.com/ledger/queue-age"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 10
  threshold           = 600
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
}

# Pages on alerts, posts warnings to Slack.
resource "datadog_monitor" "payouts" {
  name     = "ledger: payouts failing"
  type     = "query alert"
  query    = "sum(last_5m):sum:ledger.payouts.failed{*}.as_count() > 5"
  priority = 1
  tags     = ["service:ledger", "team:ledger"]
  message  = <<-EOT
    Payouts are failing. [Runbook](https://runbooks.example.com/ledger/payouts)
    {{#is_alert}}@pagerduty-ledger{{/is_alert}}
    {{#is_warning}}@slack-ledger-alerts{{/is_warning}}
  EOT

  monitor_thresholds {
    warning  = 1
    critical = 5
  }
}

resource "datadog_monitor" "latency" {
  name    = "ledger: latency"
  type    = "metric alert"
  query   = "avg(last_10m):p99:trace.http.request{service:ledger} > 0.8"
  tags    = ["service:ledger", "team:ledger"]
  message = "p99 is {{value}} s. [Runbook](https://runbooks.example.com/ledger/latency) @slack-ledger-alerts @ledger-oncall@example.com"
}

# No handle in the message: the notification rule for team:ledger routes it.
resource "datadog_monitor" "queue_depth" {
  name    = "ledger: queue depth"
  type    = "metric alert"
  query   = "avg(last_10m):avg:aws.sqs.approximate_number_of_messages_visible{queuename:ledger} > 1000"
  tags    = ["service:ledger", "team:ledger"]
  message = "Queue depth is {{value}}. [Runbook](https://runbooks.example.com/ledger/queue)"
}

resource "datadog_monitor_notification_rule" "ledger" {
  name       = "Route ledger monitors"
  recipients = ["slack-ledger-alerts"]

  filter {
    tags = ["team:ledger"]
  }
}
