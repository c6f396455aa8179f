locals {
  # Locals may refer to each other in any order.
  bucket_arn  = "arn:aws:s3:::${local.name}-assets"
  name        = "${var.environment}-${local.service}"
  service     = "checkout"
  common_tags = {
    Team      = "payments"
    Component = upper(local.service)
  }
  alarms = {
    cpu    = { metric = "CPUUtilization", threshold = 80 }
    memory = { metric = "MemoryUtilization", threshold = 90 }
  }
}
