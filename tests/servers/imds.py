#!/usr/bin/env python3
"""tests/servers/imds.py — stand-ins for the two credential endpoints no real server on these machines can
play: EC2 instance metadata (IMDSv2) and the ECS / EKS Pod Identity container credentials endpoint. They
follow the documented protocols exactly, and serve the credentials they are given (e.g. real temporary
credentials that radosgw's STS issued), so an end-to-end test can finish with real downloads.

    imds.py imds      [common options] [--role NAME] [--region R] [--allow-v1] [--max-ttl S]
    imds.py container [common options] [--path /v1/credentials] [--auth-token T | --auth-token-file F]

Common options: --access-key K --secret-key S [--session-token T] [--expiration ISO | --expires-in SECONDS]
[--creds-file F (JSON with AccessKeyId, SecretAccessKey, Token/SessionToken, Expiration; re-read on every
request, so a test can rotate credentials)] [--port N (0: a free one)] [--stall (accept, never answer)]
[--log FILE] [--bind ADDR (default 127.0.0.1; e.g. 169.254.170.2 inside a network namespace of the test's
own)]. Binds ADDR and prints the port on the first line of stdout. Python 3 stdlib only.

IMDSv2, as AWS documents it:
  PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds: 1..21600 -> 200, the token (text), the
      TTL echoed in the same header; no or a bad TTL header -> 400; X-Forwarded-For present -> 403.
  GET with X-aws-ec2-metadata-token: a valid unexpired token -> the data; an unknown or expired token -> 401;
      no token -> 401 (IMDSv2 required) unless --allow-v1.
  /latest/meta-data/iam/security-credentials/        -> the role name
  /latest/meta-data/iam/security-credentials/ROLE    -> {"Code": "Success", "LastUpdated", "Type": "AWS-HMAC",
                                                          "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
  /latest/meta-data/iam/info, /latest/meta-data/placement/region, /latest/dynamic/instance-identity/document
  anything else -> 404; other methods -> 405.
Container endpoint: GET PATH with "Authorization: <token>" (the value verbatim) -> {"AccessKeyId",
  "SecretAccessKey", "Token", "Expiration", "RoleArn"}; a missing Authorization -> 401, a wrong one -> 403,
  each with {"code", "message"}; another path -> 404.
"""

import argparse
import datetime
import http.server
import json
import secrets
import signal
import socket
import sys
import threading
import time

ISO = "%Y-%m-%dT%H:%M:%SZ"


def utc(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(ISO)


class Creds:
    """The credentials to serve: from the command line, or re-read from a file on every request."""

    def __init__(self, args):
        self.args = args

    def get(self):
        a = self.args
        if a.creds_file:
            with open(a.creds_file, encoding="utf-8") as f:
                d = json.load(f)
            return {
                "AccessKeyId": d["AccessKeyId"],
                "SecretAccessKey": d["SecretAccessKey"],
                "Token": d.get("Token", d.get("SessionToken", "")),
                "Expiration": d.get("Expiration") or utc(time.time() + 3600),
            }
        exp = a.expiration or utc(time.time() + a.expires_in)
        return {"AccessKeyId": a.access_key, "SecretAccessKey": a.secret_key, "Token": a.session_token,
                "Expiration": exp}


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "EC2ws"  # what IMDS calls itself
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.logf:
            self.server.logf.write("%s %s\n" % (self.log_date_time_string(), fmt % args))
            self.server.logf.flush()

    def reply(self, status, body, ctype="text/plain", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def not_allowed(self):
        self.reply(405, "Method Not Allowed\n")

    do_DELETE = do_PATCH = do_POST = not_allowed

    # --- IMDSv2 ------------------------------------------------------------------------------------------

    def do_PUT(self):
        if self.server.mode != "imds":
            return self.not_allowed()
        if self.path != "/latest/api/token":
            return self.reply(404, "Not Found\n")
        if self.headers.get("X-Forwarded-For") is not None:
            return self.reply(403, "Forbidden\n")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        if ttl is None or not ttl.strip().isdigit() or not 1 <= int(ttl) <= self.server.max_ttl:
            return self.reply(400, "Bad Request\n")
        token = secrets.token_urlsafe(42)
        with self.server.lock:
            self.server.tokens[token] = time.time() + int(ttl)
        self.reply(200, token, headers=[("X-aws-ec2-metadata-token-ttl-seconds", ttl.strip())])

    def imds_authorized(self):
        token = self.headers.get("X-aws-ec2-metadata-token")
        if token is None:
            return self.server.allow_v1
        with self.server.lock:
            exp = self.server.tokens.get(token)
        return exp is not None and time.time() < exp

    def imds_get(self):
        if self.path == "/latest/api/token":
            return self.not_allowed()
        if not self.imds_authorized():
            return self.reply(401, "Unauthorized\n")
        a = self.server.args
        base = "/latest/meta-data/iam/security-credentials/"
        now = utc(time.time())
        if self.path == base:
            return self.reply(200, a.role)
        if self.path == base + a.role:
            c = self.server.creds.get()
            body = {"Code": "Success", "LastUpdated": now, "Type": "AWS-HMAC", "AccessKeyId": c["AccessKeyId"],
                    "SecretAccessKey": c["SecretAccessKey"], "Token": c["Token"], "Expiration": c["Expiration"]}
            return self.reply(200, json.dumps(body, indent=2))
        if self.path == "/latest/meta-data/iam/info":
            body = {"Code": "Success", "LastUpdated": now,
                    "InstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/" + a.role,
                    "InstanceProfileId": "AIPAEXAMPLE"}
            return self.reply(200, json.dumps(body, indent=2))
        if self.path == "/latest/meta-data/placement/region":
            return self.reply(200, a.region)
        if self.path == "/latest/dynamic/instance-identity/document":
            body = {"region": a.region, "availabilityZone": a.region + "a", "instanceId": "i-0123456789abcdef0",
                    "accountId": "123456789012"}
            return self.reply(200, json.dumps(body, indent=2))
        return self.reply(404, "Not Found\n")

    # --- container endpoint ------------------------------------------------------------------------------

    def container_get(self):
        a = self.server.args
        if self.path != a.path:
            return self.reply(404, json.dumps({"code": "NotFound", "message": "no such path"}), "application/json")
        want = a.auth_token
        if a.auth_token_file:
            with open(a.auth_token_file, encoding="utf-8") as f:
                want = f.read().strip()
        if want is not None:
            got = self.headers.get("Authorization")
            if got is None:
                return self.reply(401, json.dumps({"code": "Unauthorized",
                                                   "message": "Authorization header is missing"}), "application/json")
            if got != want:
                return self.reply(403, json.dumps({"code": "AccessDenied",
                                                   "message": "Invalid authorization token"}), "application/json")
        c = self.server.creds.get()
        body = {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "Token": c["Token"],
                "Expiration": c["Expiration"], "RoleArn": "arn:aws:iam::123456789012:role/" + a.role}
        self.reply(200, json.dumps(body), "application/json")

    def do_GET(self):
        return self.imds_get() if self.server.mode == "imds" else self.container_get()

    do_HEAD = do_GET


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def stall(port_sock):
    """Accepts connections and never answers: an endpoint that hangs, to test a client's timeouts."""
    held = []
    while True:
        conn, _ = port_sock.accept()
        held.append(conn)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mode", choices=["imds", "container"])
    p.add_argument("--access-key", default="AKIASTANDIN")
    p.add_argument("--secret-key", default="standin-secret")
    p.add_argument("--session-token", default="")
    p.add_argument("--expiration", help="ISO-8601, e.g. 2026-12-03T10:00:00Z")
    p.add_argument("--expires-in", type=int, default=3600, help="seconds from each answer (default 3600)")
    p.add_argument("--creds-file")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--stall", action="store_true")
    p.add_argument("--log")
    p.add_argument("--role", default="urestore-test-role")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--allow-v1", action="store_true")
    p.add_argument("--max-ttl", type=int, default=21600)
    p.add_argument("--path", default="/v1/credentials")
    p.add_argument("--auth-token")
    p.add_argument("--auth-token-file")
    a = p.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if a.stall:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a.bind, a.port))
        s.listen(64)
        print(s.getsockname()[1], flush=True)
        stall(s)
        return
    srv = Server((a.bind, a.port), Handler)
    srv.mode, srv.args, srv.creds = a.mode, a, Creds(a)
    srv.tokens, srv.lock = {}, threading.Lock()
    srv.allow_v1, srv.max_ttl = a.allow_v1, a.max_ttl
    srv.logf = open(a.log, "a", encoding="utf-8") if a.log else None
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
