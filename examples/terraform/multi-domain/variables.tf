variable "port" {
  description = "HTTPS port of the listener."
  type        = number
  default     = 10445
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
variable "certificates" {
  description = "Certificates of the listener: the first is the default one, the others (at most 25) are chosen by SNI."
  type = list(object({
    name      = string
    cert_file = string
    key_file  = string
  }))
  default = [
    { name = "example-test", cert_file = "certs/example-test.pem", key_file = "certs/example-test.key" },
    # *.example.test matches api.example.test or www2.example.test, not a.b.example.test.
    { name = "wildcard-example-test", cert_file = "certs/wildcard-example-test.pem", key_file = "certs/wildcard-example-test.key" },
    { name = "shop-example-org", cert_file = "certs/shop-example-org.pem", key_file = "certs/shop-example-org.key" },
  ]
  validation {
    condition     = length(var.certificates) >= 1 && length(var.certificates) <= 26
    error_message = "Give at least one certificate (the default one) and at most 25 more."
  }
  validation {
    condition     = length(distinct([for c in var.certificates : c.name])) == length(var.certificates)
    error_message = "Each certificate needs a name of its own."
  }
}
