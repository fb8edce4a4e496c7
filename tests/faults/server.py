#!/usr/bin/python3
"""tests/faults/server.py — a fault-injection S3 server for the end-to-end tests (standard library only).

    /usr/bin/python3 tests/faults/server.py --root DIR --log FILE --ready FILE
        [--rules FILE] [--cert PEM --key PEM] [--idle-timeout S] [--parent PID] [--lifetime S]

Serves the files under ROOT as path-style S3 objects /<bucket>/<key> (and ListObjectsV2 on /<bucket>?list-type=2,
which rules match as the key "?list", start-after honoured; DeleteObjects on POST /<bucket>?delete, see
deletes.py) over HTTP and, with --cert/--key,
HTTPS, both on 127.0.0.1 and free ports. Once both listen it writes "HTTP_PORT HTTPS_PORT" (0 when no
TLS) to the --ready file. GET and HEAD (and DeleteObjects); signatures are ignored. Like S3: Range (206 + Content-Range,
416 for an empty object or a range past the end), ETag (MD5), If-Match (412), XML errors (NoSuchKey,
NoSuchBucket, PreconditionFailed, InternalError, SlowDown ...), keep-alive until --idle-timeout (20 s).

Faults come from the --rules file (rules.py says how requests are matched). The faults and their
parameters, where "after" counts body bytes sent before the fault strikes (default: half the body):
    reset [after]                 send, then reset the connection (RST)
    truncate [after]              full Content-Length, fewer bytes, then a clean close (TLS: close_notify)
    tls_no_close_notify [after]   the same but TLS ends without close_notify (plain HTTP: as truncate)
    status status=500|503 [code, retry_after_ms, retry_after_s]    an S3 error response
    stall [after, seconds=5]      send, pause, then send the rest
    close_after [delay=0]         a normal keep-alive response, then close the idle connection
    drop_request                  read the request, close without a byte of response
    silence [seconds=5]           read the request, send nothing for SECONDS, then answer normally
    bad_status [variant]          malformed status line (variants: garbage, code, version, nocrlf)
    bad_header [variant]          malformed header (nocolon, badlength, twolengths, spacename, ctl)
    huge_headers [bytes=70000]    a header block larger than 64 KiB before a normal body
    bad_chunk [status=500]        a chunked response whose chunk size is not hex
    change                        the object gets new bytes and a new ETag before this request is served
    slow [rate=1048576]           send the body at RATE bytes per second
    corrupt                       flip one byte in the middle of the body; headers as usual
    checksum [algorithm, type, parts, wrong]   with x-amz-checksum-mode: ENABLED, the object's stored checksum
                                  as S3 sends it (checksums.py): algorithm crc32 (default), crc32c,
                                  crc64nvme, sha1 or sha256; type FULL_OBJECT (default) or COMPOSITE of
                                  PARTS parts (default 2); "wrong": a value one bit off

A bucket may live in another region (the rules' "regions", see rules.py): a request whose Authorization
header is signed for any other region (its credential scope, AK/DATE/REGION/s3/aws4_request) gets what S3
answers then, before any fault: 301 PermanentRedirect with x-amz-bucket-region (answer 301), or 400
AuthorizationHeaderMalformed naming the region in <Region> of its body only (answer 400); with "always",
even a request signed for the bucket's region gets it (an endpoint that does not serve that region).

Every request is logged to --log as one tab-separated line:
    ms  conn  method  path  range  if-match  status  fault  body-bytes-sent  body-length  tls  pipelined  region  key
(range, if-match and fault are "-" when absent; status is what the status line said, 0 for none; sent
counts the bytes handed to the kernel before a fault closed the connection; tls is how the connection's
handshake went, "full" or "resumed", and "-" over plain HTTP; pipelined is "yes" when the request had
been read before the connection's previous response was complete, "no" when it came after, "-" for a
connection's first request); region and key are the region and access key id the request was signed
with, "-" when unsigned).
"""

import argparse
import io
import os
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rules import Rules  # noqa: E402
from store import Store  # noqa: E402
import deletes  # noqa: E402
import checksums  # noqa: E402

LIST_KEY = "?list"   # the key rules use to match ListObjectsV2 requests

REASONS = {200: "OK", 206: "Partial Content", 301: "Moved Permanently", 404: "Not Found", 412: "Precondition Failed",
           416: "Requested Range Not Satisfiable", 500: "Internal Server Error",
           503: "Service Unavailable", 400: "Bad Request", 405: "Method Not Allowed"}
ERRORS = {
    404: ("NoSuchKey", "The specified key does not exist."),
    412: ("PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
    416: ("InvalidRange", "The requested range is not satisfiable"),
    500: ("InternalError", "We encountered an internal error. Please try again."),
    503: ("SlowDown", "Please reduce your request rate."),
}


class Closed(Exception):
    """The fault closed the connection: the handler must not touch it again."""


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def error_xml(code, message, resource):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            '<Resource>%s</Resource><RequestId>FAULT0000</RequestId></Error>' % (
                code, message, xml_escape(resource))).encode()


class Response:
    """What a request gets before any fault: status, headers, body."""

    def __init__(self, status, headers=None, body=b""):
        self.status = status
        self.headers = headers or []
        self.body = body

    def head(self, length=True):
        lines = ["HTTP/1.1 %d %s" % (self.status, REASONS.get(self.status, "Status"))]
        lines += ["%s: %s" % kv for kv in self.headers]
        if length:
            lines.append("Content-Length: %d" % len(self.body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_range(value, size):
    """(first, last) of "bytes=a-b" / "bytes=a-" / "bytes=-n" clipped to size; "bad" when unsatisfiable;
    None when absent or not understood (S3 then ignores it)."""
    if not value or not value.startswith("bytes=") or "," in value:
        return None
    a, _, b = value[6:].partition("-")
    try:
        if a == "":
            n = int(b)
            if n <= 0 or size == 0:
                return "bad"
            return max(0, size - n), size - 1
        first = int(a)
        last = int(b) if b else size - 1
    except ValueError:
        return None
    if first >= size or last < first:
        return "bad"
    return first, min(last, size - 1)


class CountingIO(socket.SocketIO):
    """The connection's raw reads, counted."""

    def __init__(self, sock):
        super().__init__(sock, "rb")
        self.reads = 0

    def readinto(self, b):
        self.reads += 1
        return super().readinto(b)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AmazonS3"
    sys_version = ""

    def setup(self):
        srv = self.server
        with srv.conn_lock:
            srv.conn_seq += 1
            self.conn_id = srv.conn_seq
        self.timeout = srv.idle_timeout
        self.done = False     # the connection was closed (by a fault): leave it alone
        if srv.tls_ctx is not None:
            self.request.settimeout(10)
            self.request = srv.tls_ctx.wrap_socket(self.request, server_side=True)
            self.tls = "resumed" if self.request.session_reused else "full"
        else:
            self.tls = "-"
        super().setup()
        # Counts the reads from the connection, to tell a pipelined request (its bytes were read while the
        # previous request was being handled) from one that came after its predecessor's response.
        self.rfile.close()
        self.raw_in = CountingIO(self.connection)
        self.rfile = io.BufferedReader(self.raw_in)
        self.reads_at_answer = None   # raw reads done when the previous response was complete
        self.pipelined = "-"

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        if self.server.tls_ctx is not None and not self.done:
            self.close(graceful=True)

    def log_message(self, *args):
        pass

    def close(self, graceful=True, reset=False):
        """Ends the connection: RST, a clean close (with close_notify over TLS), or TLS without it."""
        sock = self.connection
        self.done = True
        try:
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif graceful and isinstance(sock, ssl.SSLSocket):
                sock.settimeout(1)
                sock = sock.unwrap()
            elif graceful:
                sock.shutdown(socket.SHUT_WR)
        except (OSError, ValueError):
            pass
        try:
            sock.close()
        except OSError:
            pass
        self.close_connection = True

    def send(self, data):
        try:
            self.connection.sendall(data)
        except OSError:
            self.close(graceful=False)
            raise Closed()

    # ---- requests ----

    def parse_request(self):
        ok = super().parse_request()
        if self.reads_at_answer is not None:
            self.pipelined = "yes" if self.raw_in.reads == self.reads_at_answer else "no"
        return ok

    def do_HEAD(self):
        self.serve(head_only=True)

    def do_GET(self):
        self.serve(head_only=False)

    def do_PUT(self):
        self.reply_plain(Response(405, [("Content-Type", "application/xml")],
                                  error_xml("MethodNotAllowed", "Read-only fault server", self.path)))

    do_DELETE = do_PUT

    def do_POST(self):
        """DeleteObjects (deletes.py); any other POST is refused like a PUT."""
        url = urllib.parse.urlsplit(self.path)
        bucket, _, key = urllib.parse.unquote(url.path.lstrip("/")).partition("/")
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        if key or "delete" not in query:
            return self.do_PUT()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.rules.refresh()
        moved = self.wrong_region(bucket, url.path)
        if moved:
            return self.reply_plain(moved)
        status, headers, out, fault = deletes.handle(self.server.store, self.server.rules.path, bucket,
                                                     self.headers, body)
        resp = Response(status, headers, out)
        self.send(resp.head() + resp.body)
        self.server.log(self, status, fault, len(out), len(out))

    def reply_plain(self, resp):
        self.send(resp.head() + resp.body)
        self.server.log(self, resp.status, "-", len(resp.body), len(resp.body))

    def serve(self, head_only):
        srv = self.server
        srv.rules.refresh()
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        bucket, _, key = urllib.parse.unquote(path.lstrip("/")).partition("/")
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        listing = not key and "list-type" in query
        rng_hdr = self.headers.get("Range")
        fault, params, _ = (None, {}, 0)
        first_byte = 0
        if rng_hdr and rng_hdr.startswith("bytes="):
            try:
                first_byte = int(rng_hdr[6:].partition("-")[0] or 0)
            except ValueError:
                pass
        if bucket and (key or listing):
            fault, params, _ = srv.rules.pick(bucket, key or LIST_KEY, first_byte)
        if fault == "change":
            srv.store.change(bucket, key)
        moved = self.wrong_region(bucket, path) if bucket else None
        if moved:
            resp, fault = moved, None
        elif key and srv.rules.throttled(key):
            resp = self.error(503, path, code="SlowDown")
            fault = "throttle"
        elif listing:
            resp = self.list_objects(bucket, query, path)
        else:
            resp = self.respond(bucket, key, path, rng_hdr)
        if fault in ("corrupt", "checksum") and resp.status in (200, 206):
            resp = self.integrity_fault(resp, fault, params, bucket, key)
        try:
            sent = self.deliver(resp, fault, params, head_only)
        except Closed as e:
            sent = e.args[0] if e.args else 0
        srv.log(self, resp.status if fault not in ("drop_request", "bad_status") else 0, fault or "-", sent,
                len(resp.body))

    def signed_region(self):
        """The region of the Authorization header's credential scope; "-" when the request is unsigned."""
        m = re.search(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/s3/aws4_request", self.headers.get("Authorization") or "")
        return m.group(1) if m else "-"

    def signed_key(self):
        """The access key id the request was signed with; "-" when unsigned."""
        m = re.search(r"Credential=([^/,\s]+)/", self.headers.get("Authorization") or "")
        return m.group(1) if m else "-"

    def wrong_region(self, bucket, resource):
        """S3's answer to a request signed for a region the bucket is not in (the rules' "regions"), else
        None: 301 PermanentRedirect with x-amz-bucket-region, or 400 AuthorizationHeaderMalformed with the
        region in the body's <Region> only."""
        r = self.server.rules.region_of(bucket)
        if r is None:
            return None
        signed = self.signed_region()
        if signed == r["region"] and not r.get("always"):
            return None
        common = [("Content-Type", "application/xml"), ("x-amz-request-id", "FAULT0000")]
        if int(r.get("answer", 301)) == 400:
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AuthorizationHeaderMalformed</Code>'
                    "<Message>The authorization header is malformed; the region '%s' is wrong; expecting '%s'"
                    "</Message><Region>%s</Region><RequestId>FAULT0000</RequestId></Error>" % (
                        xml_escape(signed), r["region"], r["region"])).encode()
            return Response(400, common, body)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code><Message>The bucket '
                "you are attempting to access must be addressed using the specified endpoint. Please send all "
                "future requests to this endpoint.</Message><Endpoint>%s.s3.%s.amazonaws.com</Endpoint>"
                "<Bucket>%s</Bucket><RequestId>FAULT0000</RequestId></Error>" % (
                    bucket, r["region"], xml_escape(bucket))).encode()
        return Response(301, common + [("x-amz-bucket-region", r["region"])], body)

    def integrity_fault(self, resp, fault, params, bucket, key):
        """corrupt: flip one body byte, headers untouched. checksum: the object's stored checksum, as S3
        sends it when asked (x-amz-checksum-mode: ENABLED) and the response is the whole object."""
        if fault == "corrupt" and resp.body:
            body = bytearray(resp.body)
            body[len(body) // 2] ^= 0xFF
            return Response(resp.status, resp.headers, bytes(body))
        if fault == "checksum" and self.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED":
            size, etag, read = self.server.store.open(bucket, key)
            ranged = resp.status == 206
            if ranged and ("Content-Range", "bytes 0-%d/%d" % (size - 1, size)) not in resp.headers:
                return resp  # a range of less than the object: no checksum (it would not be the range's)
            extra = checksums.headers(params, etag, read(0, size), not ranged)
            return Response(resp.status, resp.headers + extra, resp.body)
        return resp

    def error(self, status, resource, code=None, message=None):
        c, m = ERRORS.get(status, ("Error", "Error"))
        return Response(status, [("Content-Type", "application/xml"), ("x-amz-request-id", "FAULT0000")],
                        error_xml(code or c, message or m, resource))

    def respond(self, bucket, key, resource, rng_hdr):
        srv = self.server
        if not srv.store.bucket_exists(bucket):
            return self.error(404, resource, "NoSuchBucket", "The specified bucket does not exist")
        obj = srv.store.open(bucket, key) if key else None
        if obj is None:
            return self.error(404, resource)
        size, etag, read = obj
        im = self.headers.get("If-Match")
        if im is not None and im.strip() != etag and im.strip() != "*":
            return self.error(412, resource)
        common = [("ETag", etag), ("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"),
                  ("Accept-Ranges", "bytes"), ("Content-Type", "application/octet-stream"),
                  ("x-amz-request-id", "FAULT0000")]
        rng = parse_range(rng_hdr, size)
        if rng == "bad":
            r = self.error(416, resource)
            r.headers.append(("Content-Range", "bytes */%d" % size))
            return r
        if rng is None:
            return Response(200, common, read(0, size))
        first, last = rng
        return Response(206, common + [("Content-Range", "bytes %d-%d/%d" % (first, last, size))],
                        read(first, last - first + 1))

    def list_objects(self, bucket, query, resource):
        """ListObjectsV2: keys in binary order, pages of the rules' "list_page" keys (default 1000); the
        continuation token is the last key of the page, hex-encoded."""
        srv = self.server
        if not srv.store.bucket_exists(bucket):
            return self.error(404, resource, "NoSuchBucket", "The specified bucket does not exist")
        prefix = query.get("prefix", [""])[0]
        token = query.get("continuation-token", [""])[0]
        after = bytes.fromhex(token).decode() if token else query.get("start-after", [""])[0]
        page = srv.rules.list_page
        keys = [k for k in srv.store.keys(bucket) if k.startswith(prefix) and k > after]
        more = len(keys) > page
        keys = keys[:page]
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/'
               '2006-03-01/"><Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys>'
               '<IsTruncated>%s</IsTruncated>' % (bucket, xml_escape(prefix), len(keys), page,
                                                 "true" if more else "false")]
        for k in keys:
            size, etag, _ = srv.store.open(bucket, k)
            out.append("<Contents><Key>%s</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>%s"
                       "</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>" % (
                           xml_escape(k), xml_escape(etag), size))
        if token:
            out.append("<ContinuationToken>%s</ContinuationToken>" % token)
        if more:
            out.append("<NextContinuationToken>%s</NextContinuationToken>" % keys[-1].encode().hex())
        out.append("</ListBucketResult>")
        return Response(200, [("Content-Type", "application/xml"), ("x-amz-request-id", "FAULT0000")],
                        "".join(out).encode())

    # ---- faults ----

    def deliver(self, resp, fault, params, head_only):
        """Sends resp with fault applied; returns the body bytes sent."""
        body = b"" if head_only else resp.body
        after = int(params.get("after", len(body) // 2))
        after = max(0, min(after, len(body)))
        if fault == "silence":  # read the request, say nothing for a while, then answer normally
            time.sleep(float(params.get("seconds", 5)))
        if fault in (None, "change", "throttle", "corrupt", "checksum", "silence"):
            self.send(resp.head() + body)  # corrupt and checksum changed resp already
            return len(body)
        if fault in ("reset", "truncate", "tls_no_close_notify"):
            self.send(resp.head() + body[:after])
            if fault == "reset":
                self.close(reset=True)
            else:
                self.close(graceful=fault == "truncate")
            raise Closed(after)
        if fault == "status":
            st = int(params.get("status", 503))
            r = self.error(st, self.path, code=params.get("code"))
            if "retry_after_ms" in params:
                r.headers.append(("x-amz-retry-after", str(int(params["retry_after_ms"]))))
            if "retry_after_s" in params:
                r.headers.append(("Retry-After", str(int(params["retry_after_s"]))))
            resp.status, resp.headers, resp.body = r.status, r.headers, r.body
            self.send(r.head() + (b"" if head_only else r.body))
            return len(r.body)
        if fault == "stall":
            self.send(resp.head() + body[:after])
            time.sleep(float(params.get("seconds", 5)))
            self.send(body[after:])
            return len(body)
        if fault == "slow":
            rate = max(1024, int(params.get("rate", 1 << 20)))
            self.send(resp.head())
            step = max(1024, rate // 20)
            for i in range(0, len(body), step):
                self.send(body[i:i + step])
                time.sleep(len(body[i:i + step]) / rate)
            return len(body)
        if fault == "close_after":
            self.send(resp.head() + body)
            time.sleep(float(params.get("delay", 0)))
            self.close(graceful=True)
            raise Closed(len(body))
        if fault == "drop_request":
            self.close(graceful=True)
            raise Closed()
        if fault == "bad_status":
            lines = {"garbage": b"XTTP/1.1 200 OK\r\n", "code": b"HTTP/1.1 2x6 Partial Content\r\n",
                     "version": b"HTTP/9.Z 206 Partial Content\r\n", "nocrlf": b"HTTP/1.1 206\rPartial\r\n"}
            line = lines.get(params.get("variant", "garbage"), lines["garbage"])
            head = resp.head()
            self.send(line + head[head.index(b"\r\n") + 2:] + body)
            self.close(graceful=True)
            raise Closed()
        if fault == "bad_header":
            head = resp.head()
            variant = params.get("variant", "nocolon")
            bad = {"nocolon": b"X-Broken header line\r\n", "spacename": b"Content Length: 3\r\n",
                   "ctl": b"X-Amz-Meta-A: b\x01c\r\n", "badlength": b"", "twolengths": b""}[variant]
            if variant == "badlength":
                head = head.replace(b"Content-Length: ", b"Content-Length: 1x")
            if variant == "twolengths":
                bad = b"Content-Length: %d\r\n" % (len(body) + 7)
            cut = head.index(b"\r\n") + 2
            self.send(head[:cut] + bad + head[cut:] + body)
            self.close(graceful=True)
            raise Closed()
        if fault == "huge_headers":
            total = int(params.get("bytes", 70000))
            pad = "".join("x-amz-meta-pad%05d: %s\r\n" % (i, "p" * 990) for i in range(total // 1000 + 1))
            head = resp.head()
            cut = head.index(b"\r\n") + 2
            self.send(head[:cut] + pad.encode() + head[cut:] + body)
            self.close(graceful=True)
            raise Closed()
        if fault == "bad_chunk":
            st = int(params.get("status", 500))
            r = self.error(st, self.path) if st >= 300 else resp
            resp.status = r.status
            head = r.head(length=False).replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: chunked\r\n\r\n")
            self.send(head + b"%x\r\n" % 10 + r.body[:10] + b"\r\nzz\r\n" + r.body[10:] + b"\r\n0\r\n\r\n")
            self.close(graceful=True)
            raise Closed()
        raise AssertionError("fault " + fault)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, addr, shared, tls_ctx):
        super().__init__(addr, Handler)
        self.store, self.rules, self.log, self.idle_timeout = shared
        self.tls_ctx = tls_ctx
        self.conn_lock = threading.Lock()
        self.conn_seq = 0 if tls_ctx is None else 1000000   # HTTPS connections count from 1000001

    def handle_error(self, request, client_address):
        pass   # a client that vanished, or a failed TLS handshake: not the server's business


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1, encoding="utf-8")
        self.lock = threading.Lock()

    def __call__(self, h, status, fault, sent, length=0):
        h.reads_at_answer = h.raw_in.reads  # every answer is logged once it is sent: the response is complete
        line = "%d\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n" % (
            time.time() * 1000, h.conn_id, h.command, h.path, h.headers.get("Range") or "-",
            (h.headers.get("If-Match") or "-").replace("\t", " "), status, fault, sent, length, h.tls, h.pipelined,
            h.signed_region(), h.signed_key())
        with self.lock:
            self.f.write(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--rules")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--idle-timeout", type=float, default=20.0)
    ap.add_argument("--no-tickets", action="store_true", help="TLS: issue no session tickets (no resumption)")
    ap.add_argument("--parent", type=int, default=0, help="exit when this process is gone")
    ap.add_argument("--lifetime", type=float, default=3600.0, help="exit after this many seconds anyway")
    a = ap.parse_args()

    store = Store(a.root)
    rules = Rules(a.rules, on_reload=store.reset_changes)
    shared = (store, rules, Log(a.log), a.idle_timeout)
    servers = [Server(("127.0.0.1", 0), shared, None)]
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        if a.no_tickets:
            ctx.num_tickets = 0
        servers.append(Server(("127.0.0.1", 0), shared, ctx))
    for s in servers:
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
    ports = [s.server_address[1] for s in servers] + [0]
    tmp = a.ready + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % (ports[0], ports[1]))
    os.rename(tmp, a.ready)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    deadline = time.monotonic() + a.lifetime
    while not stop.wait(1.0) and time.monotonic() < deadline:
        if a.parent:
            try:
                os.kill(a.parent, 0)
            except ProcessLookupError:
                break
    for s in servers:
        s.shutdown()


if __name__ == "__main__":
    main()
