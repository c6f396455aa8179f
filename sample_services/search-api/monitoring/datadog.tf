# search-api's JVM and Elasticsearch client metrics go to Datadog (APM), not Prometheus.
terraform {
  required_providers {
    datadog = {
      source  = "DataDog/datadog"
      version = "~> 3.46"
    }
  }
}

resource "datadog_monitor" "search_latency" {
  name     = "search-api p99 latency above 800 ms"
  type     = "query alert"
  priority = 1
  query    = "percentile(last_10m):p99:trace.http.request.duration{service:search-api,env:prod} > 0.8"
  message  = <<-EOT
    search-api p99 latency is above 800 ms for 10 minutes; searches time out in the storefront.
    Runbook: https://runbooks.example.com/search-api#latency
    {{#is_alert}}@slack-discovery-alerts{{/is_alert}}
  EOT

  monitor_thresholds {
    critical = 0.8
    warning  = 0.6
  }

  tags = ["service:search-api", "team:discovery", "env:prod"]
}
