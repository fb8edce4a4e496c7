"""tests/faults/checksums.py — the object checksums S3 stores and hands out with x-amz-checksum-mode: ENABLED
(standard library only), for the fault server's "checksum" fault.

What S3 does, which this follows: GET and HEAD of the whole object carry x-amz-checksum-ALG (base64 of the
big-endian value) and x-amz-checksum-type. FULL_OBJECT is the checksum of the bytes; COMPOSITE (multipart
uploads) is the checksum of the parts' checksums concatenated, sent as "VALUE-N" on a GET or HEAD of the
object and without "-N" on a range that covers all of it. A ranged GET of less than the object carries
none (its value would not be the range's). CRC32C and CRC64NVME are not in Python's standard library:
table-driven here, cached per object (a few MiB take a second in Python).
"""

import base64
import hashlib
import struct
import zlib



def _table(poly):
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        t.append(c)
    return t


_T32C = _table(0x82F63B78)
_T64 = _table(0x9A6C9329AC4BC9B5)


def _crc_reflected(table, mask, data):
    c = mask
    for b in data:
        c = table[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ mask


def digest(alg, data):
    """The raw checksum of data (bytes, big-endian for the CRCs)."""
    if alg == "crc32":
        return struct.pack(">I", zlib.crc32(data))
    if alg == "crc32c":
        return struct.pack(">I", _crc_reflected(_T32C, 0xFFFFFFFF, data))
    if alg == "crc64nvme":
        return struct.pack(">Q", _crc_reflected(_T64, 0xFFFFFFFFFFFFFFFF, data))
    if alg in ("sha1", "sha256"):
        return hashlib.new(alg, data).digest()
    raise ValueError("unknown checksum algorithm %r" % (alg,))


_cache = {}


def headers(params, etag, data, whole_get):
    """The checksum headers for a response that is the whole object. params: the rule's "algorithm"
    (default crc32), "type" (FULL_OBJECT, default, or COMPOSITE), "parts" (a composite's N, default 2),
    "wrong" (send a value one bit off). whole_get: a GET or HEAD without a range (a composite then carries
    its "-N")."""
    alg = params.get("algorithm", "crc32")
    kind = params.get("type", "FULL_OBJECT")
    nparts = max(1, int(params.get("parts", 2)))
    key = (alg, kind, nparts, etag)
    if key not in _cache:
        if kind == "COMPOSITE":
            step = max(1, -(-len(data) // nparts))
            parts = [data[i:i + step] for i in range(0, len(data), step)] or [b""]
            nparts = len(parts)
            value = digest(alg, b"".join(digest(alg, p) for p in parts))
        else:
            value = digest(alg, data)
        _cache[key] = (value, nparts)
    value, nparts = _cache[key]
    if params.get("wrong"):
        value = bytes([value[0] ^ 0x01]) + value[1:]
    text = base64.b64encode(value).decode()
    if kind == "COMPOSITE" and whole_get:
        text += "-%d" % nparts
    return [("x-amz-checksum-" + alg, text), ("x-amz-checksum-type", kind)]
