output "policy_id" {
  value = gatehouse_tls_security_policy.modern.id
}

output "listener_id" {
  value = gatehouse_listener.https.id
}

output "url" {
  value = "https://localhost:${gatehouse_listener.https.port}/"
}
