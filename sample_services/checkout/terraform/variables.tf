variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "vpc_id" {
  type        = string
  description = "VPC of the prod-eu EKS cluster"
}

variable "database_subnet_ids" {
  type        = list(string)
  description = "Private database subnets, one per availability zone"
}

variable "app_security_group_id" {
  type        = string
  description = "Security group of the checkout pods (security groups for pods)"
}
