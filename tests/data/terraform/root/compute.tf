resource "aws_instance" "bastion" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.micro"
  subnet_id     = var.subnet_ids[0]
  monitoring    = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "optional"
  }

  root_block_device {
    encrypted  = true
    kms_key_id = var.kms_key_arn
  }

  tags = merge(local.common_tags, { Name = "${local.name}-bastion" })
}

resource "aws_ebs_volume" "data" {
  count             = var.volume_count
  availability_zone = "${var.region}${["a", "b", "c"][count.index]}"
  size              = 100
  encrypted         = true
}

resource "aws_ebs_volume" "scratch" {
  count             = 0
  availability_zone = "${var.region}a"
  size              = 10
}

resource "aws_security_group" "app" {
  name_prefix = "${local.name}-"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = { http = 80, ssh = 22 }
    iterator = port
    content {
      description = port.key
      from_port   = port.value
      to_port     = port.value
      protocol    = "tcp"
      cidr_blocks = port.key == "ssh" ? var.admin_cidrs : ["0.0.0.0/0"]
    }
  }

  dynamic "egress" {
    for_each = var.egress_ports
    content {
      from_port = 0
      to_port   = 0
      protocol  = "-1"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "app" {
  for_each = local.alarms

  alarm_name          = "${local.name}-${each.key}"
  namespace           = "AWS/EC2"
  metric_name         = each.value.metric
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 2
  period              = 300
  statistic           = "Average"
  alarm_description   = "Runbook: https://runbooks.example.com/checkout/${each.key}"

  dimensions = {
    AutoScalingGroupName = module.app.asg_name
  }
}

resource "aws_s3_bucket" "replica" {
  provider = aws.dr
  bucket   = "${local.name}-replica"
}
