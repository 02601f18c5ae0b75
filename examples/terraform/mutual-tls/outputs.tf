output "listener_id" {
  value = gatehouse_listener.https.id
}

output "url" {
  value = "https://localhost:${gatehouse_listener.https.port}/"
}

output "trusted_client_ca" {
  description = "Subject DN of the CA that client certificates must chain to."
  value       = gatehouse_certificate.client_ca.subject_dn
}
