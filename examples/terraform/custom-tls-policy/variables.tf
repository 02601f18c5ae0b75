variable "port" {
  description = "HTTPS port of the listener."
  type        = number
  default     = 10447
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
# The demo certificate is EC, hence the ECDSA suites.
variable "cert_file" {
  description = "Certificate chain (PEM, leaf first)."
  type        = string
  default     = "certs/server.pem"
}

variable "key_file" {
  description = "Private key of the certificate (PEM)."
  type        = string
  default     = "certs/server.key"
}
