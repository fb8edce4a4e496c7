#!/usr/bin/python3
"""tests/servers/connect_proxy.py — an HTTP proxy that opens CONNECT tunnels (RFC 9110 9.3.6) and forwards
plain-http requests in absolute form (RFC 9112 3.2.2), for the proxy tests: our own stand-in for a corporate
proxy (squid and the like), Python 3 stdlib only.

    connect_proxy.py --log FILE [--user USER:PASSWORD] [--refuse STATUS] [--parent PID]

Binds 127.0.0.1 on a free port and prints it on the first line of stdout. Each CONNECT HOST:PORT
HTTP/1.1 is answered "200 Connection established" and the bytes are then relayed both ways until either
side closes. A request whose target is an absolute http:// URL is sent on to that server in origin form
(Proxy-Authorization and Proxy-Connection dropped, everything else as it came, on one upstream connection
per client connection) and its response relayed back, one request after another on a keep-alive
connection. With --user, a request without "Proxy-Authorization: Basic base64(USER:PASSWORD)" gets 407
with Proxy-Authenticate; with --refuse STATUS (403, 502 ...) every request gets that status. A request in
origin form gets 400 (this is a proxy, not a server). Every request is logged to FILE as one tab-separated
line:
    target  status  auth
where target is CONNECT's HOST:PORT, or "METHOD URL" for a forwarded request; status is the answer's; auth
is "ok", "bad" (credentials that do not match) or "-" (none sent); never the credentials.
"""

import argparse
import base64
import os
import select
import socket
import socketserver
import sys
import threading
import time
import urllib.parse

REASONS = {200: "Connection established", 400: "Bad Request", 403: "Forbidden", 405: "Method Not Allowed",
           407: "Proxy Authentication Required", 502: "Bad Gateway", 503: "Service Unavailable"}


class Handler(socketserver.StreamRequestHandler):
    def answer(self, status, extra=""):
        self.wfile.write(("HTTP/1.1 %d %s\r\n%sContent-Length: 0\r\n\r\n" % (
            status, REASONS.get(status, "Status"), extra)).encode() if status != 200 else
            b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()

    def head(self, f):
        """A request's or response's header block: (start line, [(name, value)]), or None at EOF."""
        line = f.readline(8192).decode("latin-1").rstrip("\r\n")
        if not line:
            return None
        fields = []
        while True:
            h = f.readline(8192).decode("latin-1").rstrip("\r\n")
            if not h:
                return line, fields
            k, _, v = h.partition(":")
            fields.append((k.strip(), v.strip()))

    def handle(self):
        self.up = None
        try:
            while self.one():
                pass
        finally:
            if self.up:
                self.up.close()

    def one(self):
        """Serves one request; False when the connection is done."""
        a = self.server.args
        got = self.head(self.rfile)
        if got is None:
            return False
        line, fields = got
        headers = {k.lower(): v for k, v in fields}
        parts = line.split(" ")
        if len(parts) != 3:
            self.answer(400)
            return False
        method, target = parts[0], parts[1]
        absolute = method != "CONNECT" and target.startswith("http://")
        if method != "CONNECT" and not absolute:
            self.server.log(line, 400, "-")
            self.answer(400)
            return False
        auth = headers.get("proxy-authorization")
        want = "Basic " + base64.b64encode(a.user.encode()).decode() if a.user else None
        seen = "-" if auth is None else ("ok" if auth == want else "bad")
        if a.refuse:
            status = a.refuse
        elif want and auth != want:
            status = 407
        else:
            status = 200
        if status != 200:
            self.server.log(target if method == "CONNECT" else method + " " + target, status, seen)
            self.answer(status, 'Proxy-Authenticate: Basic realm="test"\r\n' if status == 407 else "")
            return False
        if absolute:
            return self.forward(method, target, parts[2], fields, headers, seen)
        self.server.log(target, status, seen)
        host, _, port = target.rpartition(":")
        try:
            up = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except (OSError, ValueError):
            return self.answer(502)
        self.answer(200)
        self.relay(self.connection, up)
        return False

    def forward(self, method, url, version, fields, headers, seen):
        """Sends one absolute-form request on to its server in origin form and relays the response."""
        u = urllib.parse.urlsplit(url)
        dest = (u.hostname, u.port or 80)
        if self.up is None or self.dest != dest:
            if self.up:
                self.up.close()
            try:
                self.up = socket.create_connection(dest, timeout=30)
            except OSError:
                self.server.log(method + " " + url, 502, seen)
                self.answer(502)
                return False
            self.dest, self.upr = dest, self.up.makefile("rb")
        n = int(headers.get("content-length", "0") or "0")
        body = self.rfile.read(n) if n else b""
        path = (u.path or "/") + ("?" + u.query if u.query else "")
        out = ["%s %s %s" % (method, path, version)]
        out += ["%s: %s" % (k, v) for k, v in fields if k.lower() not in ("proxy-authorization", "proxy-connection")]
        self.up.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
        got = self.head(self.upr)
        if got is None:
            self.server.log(method + " " + url, 502, seen)
            self.answer(502)
            return False
        sline, rfields = got
        status = int(sline.split(" ")[1])
        self.server.log(method + " " + url, status, seen)
        rh = {k.lower(): v for k, v in rfields}
        self.wfile.write(("\r\n".join([sline] + ["%s: %s" % kv for kv in rfields]) + "\r\n\r\n").encode("latin-1"))
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            pass
        elif rh.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size_line = self.upr.readline(8192)
                self.wfile.write(size_line)
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    while True:  # trailers, then the empty line
                        t = self.upr.readline(8192)
                        self.wfile.write(t)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                self.wfile.write(self.upr.read(size + 2))
        elif "content-length" in rh:
            left = int(rh["content-length"])
            while left:
                chunk = self.upr.read(min(left, 1 << 20))
                if not chunk:
                    return False
                self.wfile.write(chunk)
                left -= len(chunk)
        else:  # delimited by the server's close
            while True:
                chunk = self.upr.read1(1 << 20)
                if not chunk:
                    break
                self.wfile.write(chunk)
            self.wfile.flush()
            return False
        self.wfile.flush()
        return headers.get("connection", "").lower() != "close" and rh.get("connection", "").lower() != "close"

    def relay(self, down, up):
        socks = [down, up]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 60)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (up if s is down else down).sendall(data)
        except OSError:
            pass
        finally:
            up.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, args):
        super().__init__(("127.0.0.1", 0), Handler)
        self.args = args
        self.lock = threading.Lock()
        self.logf = open(args.log, "a", buffering=1, encoding="utf-8")

    def log(self, target, status, auth):
        with self.lock:
            self.logf.write("%s\t%d\t%s\n" % (target, status, auth))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--user", help="USER:PASSWORD the proxy requires (Basic)")
    ap.add_argument("--refuse", type=int, default=0, help="answer every CONNECT with this status")
    ap.add_argument("--parent", type=int, default=0, help="exit when this process is gone")
    a = ap.parse_args()
    srv = Server(a)
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    print(srv.server_address[1], flush=True)
    while True:
        time.sleep(1)
        if a.parent:
            try:
                os.kill(a.parent, 0)
            except ProcessLookupError:
                break
    srv.shutdown()


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    main()
