# The message is assembled by a module in another repository.
variable "disk_message" {
  type = string
}

resource "datadog_monitor" "cpu" {
  name     = "checkout: CPU above 90%"
  type     = "metric alert"
  query    = "avg(last_10m):avg:system.cpu.user{service:checkout} > 90"
  priority = 3
  tags     = ["service:checkout", "team:payments"]
  message  = <<-EOT
    CPU has been above 90% for 10 minutes on {{host.name}}.
    {{#is_alert}}@slack-checkout-alerts{{/is_alert}}
  EOT
}

# Links to a dashboard and logs, not to what to do.
resource "datadog_monitor" "errors" {
  name     = "checkout: error rate"
  type     = "query alert"
  query    = "sum(last_5m):sum:trace.http.request.errors{service:checkout}.as_count() > 50"
  priority = 2
  tags     = ["service:checkout", "team:payments"]
  message  = <<-EOT
    Error rate is {{value}}.
    [Dashboard](https://app.datadoghq.com/dashboard/abc-123-def) · [Logs](https://app.datadoghq.com/logs?query=service%3Acheckout)
    @slack-checkout-alerts
  EOT
}

resource "datadog_monitor" "disk" {
  name    = "checkout: disk almost full"
  type    = "metric alert"
  query   = "max(last_5m):max:system.disk.in_use{service:checkout} by {host} > 0.9"
  tags    = ["service:checkout", "team:payments"]
  message = var.disk_message
}

# One instance of two has no runbook.
resource "datadog_monitor" "queue_depth" {
  for_each = {
    orders  = "[Runbook](https://runbooks.example.com/checkout/orders-queue)"
    refunds = "Ask in #payments."
  }

  name    = "checkout: ${each.key} queue depth"
  type    = "metric alert"
  query   = "avg(last_10m):avg:aws.sqs.approximate_number_of_messages_visible{queuename:${each.key}} > 1000"
  tags    = ["service:checkout", "team:payments"]
  message = "The ${each.key} queue is backing up. ${each.value} @slack-checkout-alerts"
}

# Passes.
resource "datadog_monitor" "latency" {
  name    = "checkout: p99 latency"
  type    = "metric alert"
  query   = "avg(last_10m):p99:trace.http.request{service:checkout} > 0.8"
  tags    = ["service:checkout", "team:payments"]
  message = "p99 above 800 ms. [Runbook](https://runbooks.example.com/checkout/latency) @slack-checkout-alerts"
}
