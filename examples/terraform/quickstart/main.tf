# Quickstart: a load balancer on 127.0.0.1, a server group of two local backends, a
# certificate read from PEM files, and an HTTPS listener that forwards to the group.

terraform {
  required_version = ">= 1.5"
  required_providers {
    gatehouse = {
      source  = "gatehouse/gatehouse"
      version = "~> 0.1"
    }
  }
}

# The endpoint and the token come from GATEHOUSE_ENDPOINT and GATEHOUSE_TOKEN.
provider "gatehouse" {}

locals {
  # "host:port", "[v6]:port" → { address, port }
  servers = [for s in var.backends : {
    address = regex("^\\[?(.+?)\\]?:[0-9]+$", s)[0]
    port    = tonumber(regex(":([0-9]+)$", s)[0])
  }]
}

resource "gatehouse_load_balancer" "edge" {
  name    = "quickstart-edge"
  address = "127.0.0.1"
}

resource "gatehouse_server_group" "web" {
  name    = "quickstart-web"
  servers = local.servers
  health_check = {
    path     = "/"
    interval = 2
  }
}

resource "gatehouse_certificate" "site" {
  name            = "quickstart-site"
  certificate_pem = file(var.cert_file)
  # Sensitive: the plan shows "(sensitive value)". It is still stored in the state in clear
  # text, like every attribute: keep the state in an encrypted backend (docs/terraform.md).
  private_key_pem = file(var.key_file)
}

resource "gatehouse_listener" "https" {
  load_balancer_id        = gatehouse_load_balancer.edge.id
  protocol                = "HTTPS"
  port                    = var.port
  default_server_group_id = gatehouse_server_group.web.id
  certificates = {
    default_certificate_id = gatehouse_certificate.site.id
  }
  forwarded_headers = {
    proto = true
    port  = true
    host  = true
  }
}
