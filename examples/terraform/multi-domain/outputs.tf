output "listener_id" {
  value = gatehouse_listener.https.id
}

output "domains" {
  description = "Which names each certificate answers for, as the server read them from the PEM."
  value       = { for name, c in gatehouse_certificate.site : name => c.domains }
}
