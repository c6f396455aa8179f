# Routed, or not, by a rule whose scope query prc does not evaluate.
resource "datadog_monitor" "kafka_lag" {
  name    = "platform: consumer lag"
  type    = "metric alert"
  query   = "max(last_10m):max:kafka.consumer_lag{env:production} by {consumer_group} > 100000"
  tags    = ["service:kafka", "team:platform", "env:production"]
  message = "Consumer lag is {{value}}. [Runbook](https://runbooks.example.com/platform/kafka-lag)"
}

resource "datadog_monitor_notification_rule" "platform" {
  name       = "Route platform production monitors"
  recipients = ["slack-platform-alerts"]

  filter {
    scope = "team:platform AND env:production"
  }
}
