# Custom TLS policy: offer only TLS 1.2 with ECDHE + AES-GCM suites, and TLS 1.3. A client
# that offers only TLS 1.1, or only CBC suites, fails the handshake. Custom policies need a
# Standard or StandardWithWaf load balancer; Basic ones may use the system policies only.

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
  name    = "tls-policy-edge"
  edition = "Standard"
}

resource "gatehouse_tls_security_policy" "modern" {
  name = "modern-gcm"
  # Versions must be contiguous: OpenSSL serves every version between the lowest and highest.
  tls_versions = ["TLSv1.2", "TLSv1.3"]
  # Every cipher must belong to a chosen version, and each version needs one of its ciphers.
  ciphers = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
  ]
  tags = { owner = "platform" }
}

resource "gatehouse_server_group" "app" {
  name = "tls-policy-app"
  servers = [{
    address = regex("^\\[?(.+?)\\]?:[0-9]+$", var.backend)[0]
    port    = tonumber(regex(":([0-9]+)$", var.backend)[0])
  }]
}

resource "gatehouse_certificate" "site" {
  name            = "tls-policy-site"
  certificate_pem = file(var.cert_file)
  private_key_pem = file(var.key_file)
}

resource "gatehouse_listener" "https" {
  load_balancer_id        = gatehouse_load_balancer.edge.id
  protocol                = "HTTPS"
  port                    = var.port
  default_server_group_id = gatehouse_server_group.app.id
  certificates = {
    default_certificate_id = gatehouse_certificate.site.id
  }
  tls_policy_id = gatehouse_tls_security_policy.modern.id
}
