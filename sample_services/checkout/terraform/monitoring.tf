variable "pager_topic_arn" {
  type        = string
  description = "SNS topic that pages the payments on-call through PagerDuty"
  default     = "arn:aws:sns:eu-west-1:123456789012:payments-oncall-pager"
}

# The database is outside the cluster, so Prometheus does not see it: CloudWatch watches it.
resource "aws_cloudwatch_metric_alarm" "database_cpu" {
  alarm_name          = "checkout-db-cpu-high"
  alarm_description   = "Checkout database CPU above 80% for 15 minutes. Runbook: https://runbooks.example.com/checkout#database-cpu"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  dimensions = {
    DBInstanceIdentifier = aws_db_instance.checkout.identifier
  }
  alarm_actions = [var.pager_topic_arn]
  ok_actions    = [var.pager_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "database_storage" {
  alarm_name          = "checkout-db-free-storage-low"
  alarm_description   = "Less than 20 GiB free on the checkout database. Runbook: https://runbooks.example.com/checkout#database-storage"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  threshold           = 21474836480
  comparison_operator = "LessThanThreshold"
  dimensions = {
    DBInstanceIdentifier = aws_db_instance.checkout.identifier
  }
  alarm_actions = [var.pager_topic_arn]
}
