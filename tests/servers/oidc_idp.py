#!/usr/bin/env python3
"""tests/servers/oidc_idp.py — a stand-in OpenID Connect identity provider, the one piece of web identity
(EKS IRSA) no server here can play: the tokens it mints are verified by radosgw's own STS
(AssumeRoleWithWebIdentity), which fetches this provider's discovery document and keys over http.

    oidc_idp.py serve --dir DIR [--port N (0: a free one)] [--bind ADDR (default 127.0.0.1)] [--log FILE]
    oidc_idp.py mint  --dir DIR --aud AUD --sub SUB [--ttl SECONDS (default 3600)] [--key PEM]

serve: makes the provider's RSA key (DIR/key.pem) and a self-signed certificate for it (DIR/cert.pem; an
  operator registers its SHA-1 thumbprint with the STS), writes the issuer URL (http://ADDR:PORT) to
  DIR/issuer, prints the port on the first line of stdout, and answers, as a Kubernetes service-account
  issuer does for EKS (OpenID Connect Discovery 1.0, RFC 7517):
  GET /.well-known/openid-configuration -> {"issuer", "jwks_uri", "response_types_supported": ["id_token"],
      "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]}
  GET /openid/v1/jwks -> {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid", "n", "e", "x5c"}]}
      (x5c: the certificate, base64 DER; kid: the base64url SHA-256 of the public key's DER)
  anything else -> 404; other methods -> 405.
mint: prints a token as the kubelet projects one into a pod: a JWS compact serialization, header
  {"alg": "RS256", "kid", "typ": "JWT"}, claims {"aud": [AUD], "exp", "iat", "iss", "nbf", "sub"}, signed
  RSASSA-PKCS1-v1_5 SHA-256 (RFC 7515, 7518) with DIR/key.pem, or with --key (another key: a token whose
  signature the provider's certificate does not verify).
Needs python3-cryptography (scripts/deps.sh).
"""

import argparse
import base64
import datetime
import hashlib
import http.server
import json
import os
import signal
import sys
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/openid/v1/jwks"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint_b64url(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def key_id(public_key):
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b64url(hashlib.sha256(der).digest())


def make_key_and_cert(d):
    """A new RSA 2048 key and a self-signed certificate for it (what x5c carries), written to d."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "urestore test OIDC provider")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    with open(os.path.join(d, "key.pem"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(os.path.join(d, "cert.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.logf:
            self.server.logf.write("%s %s\n" % (self.log_date_time_string(), fmt % args))
            self.server.logf.flush()

    def reply(self, status, body, ctype="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == DISCOVERY:
            return self.reply(200, json.dumps(self.server.discovery))
        if path == JWKS:
            return self.reply(200, json.dumps(self.server.jwks))
        return self.reply(404, "Not Found\n", "text/plain")

    do_HEAD = do_GET

    def not_allowed(self):
        self.reply(405, "Method Not Allowed\n", "text/plain")

    do_POST = do_PUT = do_DELETE = do_PATCH = not_allowed


def serve(a):
    key, cert = make_key_and_cert(a.dir)
    srv = http.server.ThreadingHTTPServer((a.bind, a.port), Handler)
    srv.daemon_threads = True
    host = "[%s]" % a.bind if ":" in a.bind else a.bind
    issuer = "http://%s:%d" % (host, srv.server_address[1])
    pub = key.public_key().public_numbers()
    srv.discovery = {"issuer": issuer, "jwks_uri": issuer + JWKS, "response_types_supported": ["id_token"],
                     "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]}
    srv.jwks = {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": key_id(key.public_key()),
                          "n": uint_b64url(pub.n), "e": uint_b64url(pub.e),
                          "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]}]}
    with open(os.path.join(a.dir, "issuer"), "w", encoding="utf-8") as f:
        f.write(issuer + "\n")
    srv.logf = open(a.log, "a", encoding="utf-8") if a.log else None
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


def mint(a):
    with open(os.path.join(a.dir, "issuer"), encoding="utf-8") as f:
        issuer = f.read().strip()
    provider_key = load_key(os.path.join(a.dir, "key.pem"))
    signer = load_key(a.key) if a.key else provider_key
    now = int(time.time())
    header = {"alg": "RS256", "kid": key_id(provider_key.public_key()), "typ": "JWT"}
    claims = {"aud": [a.aud], "exp": now + a.ttl, "iat": now, "iss": issuer, "nbf": now, "sub": a.sub}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(claims, separators=(",", ":")).encode()))
    sig = signer.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    print(signing_input + "." + b64url(sig))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mode", choices=["serve", "mint"])
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--log")
    p.add_argument("--aud")
    p.add_argument("--sub")
    p.add_argument("--ttl", type=int, default=3600)
    p.add_argument("--key")
    a = p.parse_args()
    if a.mode == "serve":
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sys.exit(0))
        serve(a)
    else:
        if not a.aud or not a.sub:
            p.error("mint needs --aud and --sub")
        mint(a)


if __name__ == "__main__":
    main()
