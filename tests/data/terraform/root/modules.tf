module "app" {
  source = "./modules/app"

  name       = local.name
  min_size   = var.min_size
  subnet_ids = var.subnet_ids
  tags       = local.common_tags
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"

  name = local.name
}
