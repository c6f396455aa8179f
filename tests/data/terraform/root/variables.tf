variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type    = string
  default = "staging"
}

variable "vpc_id" {
  type        = string
  description = "Set in terraform.tfvars."
}

variable "subnet_ids" {
  type = list(string)
}

variable "kms_key_arn" {
  type        = string
  description = "No default and no tfvars value: stays unknown."
}

variable "min_size" {
  type    = number
  default = 1
}

variable "volume_count" {
  type    = number
  default = 2
}

variable "admin_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}

variable "egress_ports" {
  type = list(number)
}
