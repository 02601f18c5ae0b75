variable "port" {
  description = "HTTPS port of the listener."
  type        = number
  default     = 10444
}

variable "backend" {
  description = "The backend server as host:port (an IP, a host name, or [v6]:port)."
  type        = string
  default     = "127.0.0.1:3001"
  validation {
    condition     = can(regex("^\\[?(.+?)\\]?:[0-9]+$", var.backend))
    error_message = "The backend is host:port, e.g. 127.0.0.1:3001 or [::1]:3001."
  }
}

# Relative paths are taken from the folder terraform runs in; make the files with ../../make-demo-certs.sh.
variable "cert_file" {
  description = "Server certificate chain (PEM, leaf first)."
  type        = string
  default     = "certs/server.pem"
}

variable "key_file" {
  description = "Private key of the server certificate (PEM)."
  type        = string
  default     = "certs/server.key"
}

variable "client_ca_file" {
  description = "CA certificate (PEM) that client certificates must chain to."
  type        = string
  default     = "certs/client-ca.pem"
}
