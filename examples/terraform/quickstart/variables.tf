variable "port" {
  description = "HTTPS port of the listener."
  type        = number
  default     = 10443
}

variable "backends" {
  description = "Backend servers as host:port (an IP, a host name, or [v6]:port)."
  type        = list(string)
  default     = ["127.0.0.1:3001", "127.0.0.1:3002"]
  validation {
    condition     = alltrue([for s in var.backends : can(regex("^\\[?(.+?)\\]?:[0-9]+$", s))])
    error_message = "Each backend is host:port, e.g. 127.0.0.1:3001 or [::1]:3001."
  }
}

# Relative paths are taken from the folder terraform runs in; make the files with ../../make-demo-certs.sh.
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
