#!/usr/bin/python3
"""tests/fuzz/make_seeds.py — writes the small seed corpora in tests/fuzz/corpus/ (committed; re-run only to
change them). Each seed is a valid or nearly valid input in the target's input format (see each target)."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def http(name, mode, resp):
    write("http_response", name, bytes([mode]) + b"\x35\x9a\x01\x7c" + resp)


XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your '
       b'request rate &amp; retry.</Message><RequestId>R1</RequestId></Error>')
http("206", 2, b"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/20\r\nContent-Length: 10\r\n"
     b'ETag: "0123456789abcdef0123456789abcdef"\r\nx-amz-checksum-crc32: AAAAAA==\r\n\r\n0123456789')
http("200-close", 1, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbody until close")
http("503-chunked", 0, b"HTTP/1.1 503 Slow Down\r\nTransfer-Encoding: chunked\r\nx-amz-retry-after: 250\r\n"
     b"\r\n%x\r\n" % len(XML) + XML + b"\r\n0\r\n\r\n")
http("416", 0, b"HTTP/1.1 416 Requested Range Not Satisfiable\r\nContent-Range: bytes */0\r\n"
     b"Content-Length: 5\r\nRetry-After: 2\r\n\r\n<x/>\n")
http("100-then-200", 3, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
http("pipelined", 2, b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 206 Partial Content\r\nContent-Length: 2\r\n"
     b"Content-Range: bytes 4-5/6\r\nKeep-Alive: timeout=5\r\n\r\nxyHTTP/1.0 500 Oops\r\n\r\n")
http("bad-length", 0, b"HTTP/1.1 206 Partial Content\r\nContent-Length: 1x\r\n\r\n")
http("bad-chunk", 0, b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")

for name, status, body in [("slowdown", 503, XML),
                           ("entities", 404, b"<Error><Code>NoSuchKey</Code><Message>a &lt;b&gt; &#x263A; &#65; "
                                              b"&quot;q&apos; &bogus;</Message></Error>"),
                           ("cdata", 403, b"<Error><Code><![CDATA[AccessDenied]]></Code><Message/></Error>"),
                           ("html", 502, b"<html><body>Bad Gateway</body></html>")]:
    write("s3_error", name, bytes([status >> 8, status & 255, 40]) + body)

LIST = (b'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<Name>b</Name><Prefix>shared/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
        b"<IsTruncated>true</IsTruncated><Contents><Key>shared/a&amp;b.sst</Key><LastModified>2024-01-01T00:00:00.000Z"
        b"</LastModified><ETag>&quot;0123&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass>"
        b"</Contents><Contents><Key>shared/dir/</Key><Size>0</Size></Contents>"
        b"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
        b"</ListBucketResult>")
write("s3_list", "page", b"\x00\x80" + LIST)
write("s3_list", "stop-after-1", b"\x01\x10" + LIST)
write("s3_list", "empty", b"\x00\x40<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")

for name, flags, line in [("plain", 0, b"cp s3://bucket/path/000123.sst /var/lib/flink/db/000123.sst"),
                          ("flags", 1, b"cp --part-size 5 -n -s -u --raw -c 4 s3a://b/k /d/"),
                          ("quotes", 0, b"cp 's3://b/a b' \"/tmp/x \\\"y\\\"\" # c"),
                          ("wildcard", 2, b"cp -f 's3://b/shared/*/?.sst' /restore/"),
                          ("dotdot", 0, b"cp s3://b/pre/../../etc/passwd ./x/../y"),
                          ("comment", 0, b"  # cp s3://b/k /d"),
                          ("bad", 0, b"cp 's3://b/unterminated /d")]:
    write("runline", name, bytes([flags]) + line)

for name, cap, fields in [("aws", 200, [b"s3://my-bucket/a/b c+d%", b"", b"eu-west-1", b"my-bucket", b"a/b c"]),
                          ("custom", 100, [b"s3p://b.with.dots/k", b"https://s3.internal:9000/", b"", b"b.with.dots", b"k"]),
                          ("ipv6", 50, [b"s3a://B_ucket//x", b"http://[::1]:8080", b"us-east-1", b"B_ucket", b""]),
                          ("badport", 10, [b"s3://", b"http://h:99999", b"", b"", b"\xff\xfe"])]:
    write("uri", name, bytes([cap]) + b"\0".join(fields))


# gcm_vaes: mode, key, nonce, aad length, aad, payload (see fuzz_gcm_vaes.c).
def gcm(name, mode, aad, payload):
    write("gcm_vaes", name, bytes([mode]) + bytes(range(1, 17)) + bytes(range(40, 52)) + bytes([len(aad)]) + aad +
          payload)


gcm("seal-record", 1, b"\x17\x03\x03\x40\x11", bytes(range(256)) * 5 + b"\x17")
gcm("seal-empty", 3, b"", b"")
gcm("forged", 0, b"\x17\x03\x03\x00\x20", bytes(32))
