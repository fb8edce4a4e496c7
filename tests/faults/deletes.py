"""tests/faults/deletes.py — DeleteObjects (POST /<bucket>?delete) for the fault server, strict as AWS and
Swift are: the body must carry a correct Content-MD5 (else 400 InvalidDigest / MissingContentMD5), at most
1,000 keys, and every key gets a <Deleted> or an <Error> in a 200 answer. A deleted key's file is removed.

Faults come from the "delete" section of the rules file (re-read when it changes; counters restart):

    {"delete": {"status_on": [1, 2],          the 1st and 2nd DeleteObjects requests: 503 SlowDown
                "key_error_every": 3,          every 3rd key of a request gets a per-key error ...
                "key_error_code": "SlowDown",  ... with this code (default SlowDown) ...
                "key_error_times": 1,          ... on its first N attempts (default 1)
                "fail_keys": {"KEY": "AccessDenied"}}}   these keys fail with that code every time

Each answered request is logged by the caller like any other (method POST, path /bucket?delete).
"""

import base64
import hashlib
import json
import os
import re
import threading
import xml.sax.saxutils

_lock = threading.Lock()
_state = {"text": None, "conf": {}, "requests": 0, "attempts": {}}


def _conf(rules_path):
    text = ""
    if rules_path:
        try:
            with open(rules_path, "r", encoding="utf-8") as f:
                text = f.read()
        except OSError:
            text = ""
    if text != _state["text"]:
        _state["text"] = text
        _state["conf"] = (json.loads(text).get("delete") or {}) if text.strip() else {}
        _state["requests"] = 0
        _state["attempts"] = {}
    return _state["conf"]


def _xml(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            '<RequestId>FAULT0000</RequestId></Error>' % (code, message)).encode()


def handle(store, rules_path, bucket, headers, body):
    """Returns (status, headers, body, fault) for one DeleteObjects request."""
    xml_h = [("Content-Type", "application/xml"), ("x-amz-request-id", "FAULT0000")]
    md5 = headers.get("Content-MD5")
    if not md5:
        return 400, xml_h, _xml("MissingContentMD5", "Missing required header for this request: Content-MD5"), "-"
    if md5.strip() != base64.b64encode(hashlib.md5(body).digest()).decode():
        return 400, xml_h, _xml("InvalidDigest", "The Content-MD5 you specified was invalid"), "-"
    if not store.bucket_exists(bucket):
        return 404, xml_h, _xml("NoSuchBucket", "The specified bucket does not exist"), "-"
    keys = [xml.sax.saxutils.unescape(k, {"&quot;": '"', "&apos;": "'"})
            for k in re.findall(r"<Key>(.*?)</Key>", body.decode("utf-8"), re.S)]
    quiet = re.search(r"<Quiet>\s*true\s*</Quiet>", body.decode("utf-8"), re.I) is not None
    if not keys or len(keys) > 1000:
        return 400, xml_h, _xml("MalformedXML", "1 to 1000 keys per request"), "-"
    with _lock:
        conf = _conf(rules_path)
        _state["requests"] += 1
        n = _state["requests"]
        if n in conf.get("status_on", []):
            return 503, xml_h + [("Retry-After", "0")], _xml("SlowDown", "Please reduce your request rate."), \
                "delete_503"
        every = int(conf.get("key_error_every", 0))
        code = conf.get("key_error_code", "SlowDown")
        times = int(conf.get("key_error_times", 1))
        fail = conf.get("fail_keys", {})
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/'
               '2006-03-01/">']
        errors = 0
        for i, k in enumerate(keys, 1):
            err = fail.get(k)
            if not err and every and i % every == 0:
                a = _state["attempts"].get(k, 0) + 1
                _state["attempts"][k] = a
                if a <= times:
                    err = code
            if err:
                errors += 1
                out.append("<Error><Key>%s</Key><Code>%s</Code><Message>%s (fault server)</Message></Error>" % (
                    xml.sax.saxutils.escape(k), err, err))
                continue
            p = store.path(bucket, k)
            if p and os.path.isfile(p):
                os.unlink(p)
            if not quiet:
                out.append("<Deleted><Key>%s</Key></Deleted>" % xml.sax.saxutils.escape(k))
        out.append("</DeleteResult>")
    return 200, xml_h, "".join(out).encode(), "delete_key_errors=%d" % errors if errors else "-"
