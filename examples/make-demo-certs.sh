#!/bin/sh
# make-demo-certs.sh — creates the demo certificates the examples read, with openssl.
#
#   examples/make-demo-certs.sh [OUT_DIR]      (default: ./certs)
#
# Run it from an example's folder (`../make-demo-certs.sh`) so that the files land in that
# example's certs/ folder, where its program looks by default. Everything it writes is for local
# testing only; the private keys (*.key) must never be committed (examples/.gitignore ignores
# certs/). Re-running overwrites the files.
#
# Files (EC P-256 keys, certificates valid 365 days):
#   ca.pem / ca.key                   demo root CA that signs every server certificate
#   server.pem / server.key           localhost and 127.0.0.1 (chain: leaf, then ca.pem)
#   example-test.pem / .key           example.test and www.example.test
#   wildcard-example-test.pem / .key  *.example.test
#   shop-example-org.pem / .key       shop.example.org
#   client-ca.pem / client-ca.key     CA for client certificates (mutual TLS)
#   client.pem / client.key           a client certificate signed by client-ca.pem
set -eu

OUT=${1:-certs}
DAYS=365
mkdir -p "$OUT"
umask 077
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# ca NAME COMMON_NAME: a self-signed CA certificate with CA:TRUE.
ca() {
  key "$OUT/$1.key"
  cat >"$TMP/$1.ext" <<EOF
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  openssl req -new -key "$OUT/$1.key" -subj "/CN=$2" -out "$TMP/$1.csr"
  openssl x509 -req -in "$TMP/$1.csr" -signkey "$OUT/$1.key" -days "$DAYS" -sha256 \
    -extfile "$TMP/$1.ext" -out "$OUT/$1.pem" 2>/dev/null
}

# leaf NAME ISSUER USAGE COMMON_NAME SAN: a certificate signed by ISSUER; the PEM holds the
# leaf first, then the issuer (the chain order a Certificate expects).
leaf() {
  key "$OUT/$1.key"
  cat >"$TMP/$1.ext" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = $3
subjectAltName = $5
EOF
  openssl req -new -key "$OUT/$1.key" -subj "/CN=$4" -out "$TMP/$1.csr"
  openssl x509 -req -in "$TMP/$1.csr" -CA "$OUT/$2.pem" -CAkey "$OUT/$2.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days "$DAYS" -sha256 -extfile "$TMP/$1.ext" -out "$TMP/$1.leaf" 2>/dev/null
  cat "$TMP/$1.leaf" "$OUT/$2.pem" >"$OUT/$1.pem"
}

ca ca "Gatehouse Demo CA"
leaf server ca serverAuth localhost "DNS:localhost, IP:127.0.0.1"
leaf example-test ca serverAuth example.test "DNS:example.test, DNS:www.example.test"
leaf wildcard-example-test ca serverAuth "*.example.test" "DNS:*.example.test"
leaf shop-example-org ca serverAuth shop.example.org "DNS:shop.example.org"
ca client-ca "Gatehouse Demo Client CA"
leaf client client-ca clientAuth demo-client "DNS:demo-client"

chmod 644 "$OUT"/*.pem
echo "demo certificates written to $OUT/ (private keys: $OUT/*.key, keep them out of version control)"
