output "active" {
  value = var.active_color
}

output "active_server_group_id" {
  value = gatehouse_listener.https.default_server_group_id
}

output "url" {
  value = "https://localhost:${gatehouse_listener.https.port}/"
}
