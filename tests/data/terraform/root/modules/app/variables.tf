variable "name" {
  type = string
}

variable "min_size" {
  type    = number
  default = 2
}

variable "subnet_ids" {
  type = list(string)
}

variable "http_tokens" {
  type    = string
  default = "required"
}

variable "tags" {
  type    = map(string)
  default = {}
}
