resource "datadog_monitor" "latency" {
  name    = "p99 latency above 800 ms"
  type    = "query alert"
  query   = "percentile(last_10m):p99:trace.http.request.duration{service:search,env:prod} > 0.8"
  message = "p99 latency above 800 ms. Runbook: https://runbooks.example.com/search#latency @pagerduty-discovery"
}
