environment = "production"
vpc_id      = "vpc-0a1b2c3d4e5f60718"
subnet_ids  = ["subnet-0aa", "subnet-0bb", "subnet-0cc"]
min_size    = "2"
