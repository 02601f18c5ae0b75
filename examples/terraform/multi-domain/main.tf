# Multi-domain: one HTTPS listener serves several domains. The first certificate is the
# default (served when no name matches, or to clients without SNI); the others are extension
# certificates, chosen by the SNI name — an exact name first, then a wildcard of the same level.

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

resource "gatehouse_load_balancer" "edge" {
  name = "multi-domain-edge"
}

resource "gatehouse_server_group" "sites" {
  name = "multi-domain-sites"
  servers = [{
    address = regex("^\\[?(.+?)\\]?:[0-9]+$", var.backend)[0]
    port    = tonumber(regex(":([0-9]+)$", var.backend)[0])
  }]
}

# One certificate per entry, keyed by name: reordering the list does not recreate any.
resource "gatehouse_certificate" "site" {
  for_each = { for c in var.certificates : c.name => c }

  name            = each.key
  certificate_pem = file(each.value.cert_file)
  private_key_pem = file(each.value.key_file)
}

locals {
  default_certificate_id    = gatehouse_certificate.site[var.certificates[0].name].id
  extension_certificate_ids = [for c in slice(var.certificates, 1, length(var.certificates)) : gatehouse_certificate.site[c.name].id]
}

resource "gatehouse_listener" "https" {
  load_balancer_id        = gatehouse_load_balancer.edge.id
  protocol                = "HTTPS"
  port                    = var.port
  default_server_group_id = gatehouse_server_group.sites.id
  certificates = {
    default_certificate_id     = local.default_certificate_id
    additional_certificate_ids = local.extension_certificate_ids
  }
  forwarded_headers = {
    host  = true
    proto = true
  }
}
