output "listener_id" {
  value = gatehouse_listener.https.id
}

output "listener_status" {
  value = gatehouse_listener.https.status
}

output "url" {
  value = "https://localhost:${gatehouse_listener.https.port}/"
}

output "certificate_domains" {
  value = gatehouse_certificate.site.domains
}

output "certificate_expires" {
  value = gatehouse_certificate.site.not_after
}
