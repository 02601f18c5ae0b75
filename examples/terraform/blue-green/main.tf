# Blue/green: two server groups run side by side; the listener sends traffic to the one named
# by the `active_color` variable. Switching is an in-place update of the listener's
# default_server_group_id — no replacement, no dropped connections:
#
#   terraform apply -var active_color=green

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
  servers = { blue = var.blue_servers, green = var.green_servers }
}

resource "gatehouse_load_balancer" "edge" {
  name = "blue-green-edge"
}

# gatehouse_server_group.color["blue"] and gatehouse_server_group.color["green"].
resource "gatehouse_server_group" "color" {
  for_each = local.servers

  name = each.key
  servers = [for s in each.value : {
    address = regex("^\\[?(.+?)\\]?:[0-9]+$", s)[0]
    port    = tonumber(regex(":([0-9]+)$", s)[0])
  }]
  # Requests already in flight on a server that leaves the group may finish.
  connection_drain = {
    enabled = true
    timeout = 30
  }
  tags = { color = each.key }
}

resource "gatehouse_certificate" "site" {
  name            = "blue-green-site"
  certificate_pem = file(var.cert_file)
  private_key_pem = file(var.key_file)
}

resource "gatehouse_listener" "https" {
  load_balancer_id        = gatehouse_load_balancer.edge.id
  protocol                = "HTTPS"
  port                    = var.port
  default_server_group_id = gatehouse_server_group.color[var.active_color].id
  certificates = {
    default_certificate_id = gatehouse_certificate.site.id
  }
  tags = { active = var.active_color }
}
