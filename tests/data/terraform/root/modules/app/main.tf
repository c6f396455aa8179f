resource "aws_launch_template" "this" {
  name_prefix   = "${var.name}-"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "m6i.large"

  metadata_options {
    http_tokens = var.http_tokens
  }
}

resource "aws_autoscaling_group" "this" {
  name                = var.name
  min_size            = var.min_size
  max_size            = 6
  vpc_zone_identifier = var.subnet_ids
  health_check_type   = "ELB"

  launch_template {
    id      = aws_launch_template.this.id
    version = "$Latest"
  }

  dynamic "tag" {
    for_each = var.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}
