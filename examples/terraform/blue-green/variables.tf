variable "active_color" {
  description = "The server group that receives the traffic: blue or green."
  type        = string
  default     = "blue"
  validation {
    condition     = contains(["blue", "green"], var.active_color)
    error_message = "active_color is blue or green."
  }
}

variable "blue_servers" {
  description = "Servers of the blue group as host:port."
  type        = list(string)
  default     = ["127.0.0.1:3001"]
  validation {
    condition     = alltrue([for s in var.blue_servers : can(regex("^\\[?(.+?)\\]?:[0-9]+$", s))])
    error_message = "Each server is host:port, e.g. 127.0.0.1:3001 or [::1]:3001."
  }
}

variable "green_servers" {
  description = "Servers of the green group as host:port."
  type        = list(string)
  default     = ["127.0.0.1:3002"]
  validation {
    condition     = alltrue([for s in var.green_servers : can(regex("^\\[?(.+?)\\]?:[0-9]+$", s))])
    error_message = "Each server is host:port, e.g. 127.0.0.1:3002 or [::1]:3002."
  }
}

variable "port" {
  description = "HTTPS port of the listener."
  type        = number
  default     = 10446
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
