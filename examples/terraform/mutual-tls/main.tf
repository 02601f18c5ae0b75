# Mutual TLS: the HTTPS listener asks every client for a certificate that chains to a CA
# certificate, and passes what it learned to the backend in the client-certificate headers.

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

# Mutual authentication needs a Standard (or StandardWithWaf) load balancer.
resource "gatehouse_load_balancer" "edge" {
  name    = "mtls-edge"
  edition = "Standard"
}

resource "gatehouse_server_group" "api" {
  name = "mtls-api"
  servers = [{
    address = regex("^\\[?(.+?)\\]?:[0-9]+$", var.backend)[0]
    port    = tonumber(regex(":([0-9]+)$", var.backend)[0])
  }]
}

resource "gatehouse_certificate" "server" {
  name            = "mtls-server"
  certificate_pem = file(var.cert_file)
  private_key_pem = file(var.key_file)
}

# A CA certificate carries no key: it only verifies the certificates clients present.
resource "gatehouse_certificate" "client_ca" {
  name            = "mtls-client-ca"
  type            = "CA"
  certificate_pem = file(var.client_ca_file)
}

resource "gatehouse_listener" "https" {
  load_balancer_id        = gatehouse_load_balancer.edge.id
  protocol                = "HTTPS"
  port                    = var.port
  default_server_group_id = gatehouse_server_group.api.id
  certificates = {
    default_certificate_id = gatehouse_certificate.server.id
  }
  mutual_authentication = {
    enabled           = true
    ca_certificate_id = gatehouse_certificate.client_ca.id
  }
  forwarded_headers = {
    proto = true
    # Default names: X-Forwarded-Clientcert-subjectdn and X-Forwarded-Clientcert-clientverify.
    client_cert_subject_dn    = { enabled = true }
    client_cert_client_verify = { enabled = true }
    # Renamed: 1–40 characters of [a-z0-9_-], never a reserved name such as x-forwarded-for.
    client_cert_issuer_dn   = { enabled = true, header_name = "x-client-issuer" }
    client_cert_fingerprint = { enabled = true, header_name = "x-client-cert-sha1" }
  }
}
