provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Service = "ledger"
      Owner   = "ledger-team"
    }
  }
}

# A list given at plan time.
variable "escalation_arns" {
  type = list(string)
}

variable "alarms_enabled" {
  type = bool
}

resource "aws_sns_topic" "pager" {
  name = "ledger-pager"
}

resource "aws_cloudwatch_metric_alarm" "no_actions" {
  alarm_name          = "ledger-5xx"
  alarm_description   = "Runbook: https://runbooks.example.com/ledger/5xx"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_Target_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 50
  comparison_operator = "GreaterThanThreshold"
}

resource "aws_cloudwatch_metric_alarm" "empty_actions" {
  alarm_name          = "ledger-cpu"
  alarm_description   = "Runbook: https://runbooks.example.com/ledger/cpu"
  namespace           = "AWS/EC2"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = 85
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = []
}

# Silenced during a migration and never turned back on.
resource "aws_cloudwatch_metric_alarm" "disabled" {
  alarm_name          = "ledger-db-connections"
  alarm_description   = "Runbook: https://runbooks.example.com/ledger/db-connections"
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 900
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
  actions_enabled     = false
}

resource "aws_cloudwatch_composite_alarm" "ledger_down" {
  alarm_name        = "ledger-down"
  alarm_description = "Runbook: https://runbooks.example.com/ledger/down"
  alarm_rule        = "ALARM(${aws_cloudwatch_metric_alarm.no_actions.alarm_name}) AND ALARM(${aws_cloudwatch_metric_alarm.empty_actions.alarm_name})"
}

resource "aws_cloudwatch_metric_alarm" "escalation" {
  alarm_name          = "ledger-backlog"
  alarm_description   = "Runbook: https://runbooks.example.com/ledger/backlog"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 10
  threshold           = 600
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.escalation_arns
}

resource "aws_cloudwatch_metric_alarm" "switchable" {
  alarm_name          = "ledger-replica-lag"
  alarm_description   = "Runbook: https://runbooks.example.com/ledger/replica-lag"
  namespace           = "AWS/RDS"
  metric_name         = "ReplicaLag"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 30
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.pager.arn]
  actions_enabled     = var.alarms_enabled
}

# Staging's alarm is switched off.
resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each = {
    production = true
    staging    = false
  }

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
  actions_enabled     = each.value
}

resource "datadog_monitor" "unrouted" {
  name    = "ledger: error rate"
  type    = "query alert"
  query   = "sum(last_5m):sum:trace.http.request.errors{service:ledger}.as_count() > 50"
  tags    = ["service:ledger"]
  message = "Error rate is {{value}}. [Runbook](https://runbooks.example.com/ledger/errors)"
}

# Notifies only when it recovers; @here is Slack's word, not a Datadog handle.
resource "datadog_monitor" "recovery_only" {
  name    = "ledger: latency"
  type    = "metric alert"
  query   = "avg(last_10m):p99:trace.http.request{service:ledger} > 0.8"
  tags    = ["service:ledger"]
  message = <<-EOT
    p99 is {{value}} s @here. [Runbook](https://runbooks.example.com/ledger/latency)
    {{#is_recovery}}@slack-ledger-alerts{{/is_recovery}}
  EOT
}

# Priority 1, but it only posts to Slack.
resource "datadog_monitor" "critical_chat_only" {
  name     = "ledger: payouts failing"
  type     = "query alert"
  query    = "sum(last_5m):sum:ledger.payouts.failed{*}.as_count() > 0"
  priority = 1
  tags     = ["service:ledger"]
  message  = "Payouts are failing. [Runbook](https://runbooks.example.com/ledger/payouts) @slack-ledger-alerts"
}

# Tagged critical; the pager is wired only to the warning threshold.
resource "datadog_monitor" "critical_pages_on_warning" {
  name    = "ledger: balance drift"
  type    = "metric alert"
  query   = "max(last_15m):max:ledger.balance.drift{*} > 100"
  tags    = ["service:ledger", "critical"]
  message = <<-EOT
    Balance drift is {{value}}. [Runbook](https://runbooks.example.com/ledger/drift)
    {{#is_warning}}@pagerduty-ledger{{/is_warning}}
    {{#is_alert}}@slack-ledger-alerts{{/is_alert}}
  EOT

  monitor_thresholds {
    warning  = 50
    critical = 100
  }
}

variable "oncall_handle" {
  type = string
}

# Critical, and the pager handle is not known here.
resource "datadog_monitor" "critical_unknown_pager" {
  name     = "ledger: settlement lag"
  type     = "metric alert"
  query    = "max(last_15m):max:ledger.settlement.lag{*} > 3600"
  priority = "1"
  tags     = ["service:ledger"]
  message  = "Settlement is late. [Runbook](https://runbooks.example.com/ledger/settlement) @slack-ledger-alerts ${var.oncall_handle}"
}

# Passes.
resource "datadog_monitor" "routed" {
  name    = "ledger: queue depth"
  type    = "metric alert"
  query   = "avg(last_10m):avg:aws.sqs.approximate_number_of_messages_visible{queuename:ledger} > 1000"
  tags    = ["service:ledger"]
  message = "Queue depth is {{value}}. [Runbook](https://runbooks.example.com/ledger/queue) @slack-ledger-alerts"
}
