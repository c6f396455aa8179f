# Added after the March outage; nobody wired it to the pager.
resource "aws_cloudwatch_metric_alarm" "renderer_status" {
  alarm_name          = "legacy-reports-renderer-status-check"
  alarm_description   = "renderer instance status check failing"
  namespace           = "AWS/EC2"
  metric_name         = "StatusCheckFailed"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  dimensions = {
    InstanceId = aws_instance.renderer.id
  }
  actions_enabled = false
}
