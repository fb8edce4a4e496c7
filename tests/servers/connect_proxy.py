#!/usr/bin/python3
"""tests/servers/connect_proxy.py — an HTTP proxy that opens CONNECT tunnels (RFC 9110 9.3.6), for the proxy
tests: our own stand-in for a corporate proxy (squid and the like), Python 3 stdlib only.

    connect_proxy.py --log FILE [--user USER:PASSWORD] [--refuse STATUS] [--parent PID]

Binds 127.0.0.1 on a free port and prints it on the first line of stdout. Each CONNECT HOST:PORT
HTTP/1.1 is answered "200 Connection established" and the bytes are then relayed both ways until either
side closes. With --user, a CONNECT without "Proxy-Authorization: Basic base64(USER:PASSWORD)" gets 407
with Proxy-Authenticate; with --refuse STATUS (403, 502 ...) every CONNECT gets that status. Any other
method gets 405 (this proxy only tunnels). Every CONNECT is logged to FILE as one tab-separated line:
    target  status  auth
where auth is "ok", "bad" (credentials that do not match) or "-" (none sent); never the credentials.
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

REASONS = {200: "Connection established", 403: "Forbidden", 405: "Method Not Allowed",
           407: "Proxy Authentication Required", 502: "Bad Gateway", 503: "Service Unavailable"}


class Handler(socketserver.StreamRequestHandler):
    def answer(self, status, extra=""):
        self.wfile.write(("HTTP/1.1 %d %s\r\n%sContent-Length: 0\r\n\r\n" % (
            status, REASONS.get(status, "Status"), extra)).encode() if status != 200 else
            b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()

    def handle(self):
        a = self.server.args
        line = self.rfile.readline(8192).decode("latin-1").rstrip("\r\n")
        headers = {}
        while True:
            h = self.rfile.readline(8192).decode("latin-1").rstrip("\r\n")
            if not h:
                break
            k, _, v = h.partition(":")
            headers[k.strip().lower()] = v.strip()
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "CONNECT":
            return self.answer(405)
        target = parts[1]
        auth = headers.get("proxy-authorization")
        want = "Basic " + base64.b64encode(a.user.encode()).decode() if a.user else None
        seen = "-" if auth is None else ("ok" if auth == want else "bad")
        if a.refuse:
            status = a.refuse
        elif want and auth != want:
            status = 407
        else:
            status = 200
        self.server.log(target, status, seen)
        if status != 200:
            return self.answer(status, 'Proxy-Authenticate: Basic realm="test"\r\n' if status == 407 else "")
        host, _, port = target.rpartition(":")
        try:
            up = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except (OSError, ValueError):
            return self.answer(502)
        self.answer(200)
        self.relay(self.connection, up)

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
