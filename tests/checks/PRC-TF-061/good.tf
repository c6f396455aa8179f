variable "runbook_base" {
  type    = string
  default = "https://runbooks.example.com/checkout"
}

variable "service" {
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
    [Runbook](${var.runbook_base}/cpu) · [Dashboard](https://app.datadoghq.com/dashboard/abc-123-def)
    {{#is_alert}}@slack-checkout-alerts{{/is_alert}}
  EOT
}

# A Datadog notebook, linked relative to the Datadog site, named as the runbook.
resource "datadog_monitor" "errors" {
  name    = "checkout: error rate"
  type    = "query alert"
  query   = "sum(last_5m):sum:trace.http.request.errors{service:checkout}.as_count() > 50"
  tags    = ["service:checkout", "team:payments"]
  message = "Error rate is {{value}}. [Runbook](/notebook/812345/checkout-errors) @slack-checkout-alerts"
}

# The link text says playbook; the address does not.
resource "datadog_monitor" "disk" {
  name    = "checkout: disk almost full"
  type    = "metric alert"
  query   = "max(last_5m):max:system.disk.in_use{service:checkout} by {host} > 0.9"
  tags    = ["service:checkout", "team:payments"]
  message = "Disk above 90% on {{host.name}}. [Disk-full playbook](https://notion.so/acme/7c2e91) @slack-checkout-alerts"
}

resource "datadog_monitor" "queue_depth" {
  for_each = toset(["orders", "refunds"])

  name    = "checkout: ${each.key} queue depth"
  type    = "metric alert"
  query   = "avg(last_10m):avg:aws.sqs.approximate_number_of_messages_visible{queuename:${each.key}} > 1000"
  tags    = ["service:checkout", "team:payments"]
  message = "The ${each.key} queue is backing up. Runbook: https://runbooks.example.com/checkout/${each.key}-queue"
}

# Part of the message is unknown, but the known part already links the runbook.
resource "datadog_monitor" "latency" {
  name    = "${var.service}: p99 latency"
  type    = "metric alert"
  query   = "avg(last_10m):p99:trace.http.request{service:checkout} > 0.8"
  tags    = ["service:checkout", "team:payments"]
  message = "p99 above 800 ms on ${var.service}. Runbook: https://wiki.example.com/checkout/latency @slack-checkout-alerts"
}
