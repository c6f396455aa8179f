# Read after terraform.tfvars, so it wins.
environment = "prod"
