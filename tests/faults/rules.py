"""tests/faults/rules.py — which fault a request gets: rules read from a JSON file, and per-prefix throttling.

The rules file (re-read whenever its content changes; a change resets every counter and every object
change) looks like:

    {"rules": [
        {"key": "big", "on": [1, 3], "fault": "reset", "after": 100000},
        {"prefix": "small/", "on": "all", "fault": "status", "status": 503, "retry_after_ms": 200}
     ],
     "throttle": [{"prefix": "many/", "rate": 500, "burst": 50}],
     "regions": [{"bucket": "faults", "region": "eu-west-3", "answer": 301}],
     "list_page": 100}

A rule matches a GET or HEAD whose key equals "key" (or starts with "prefix", default ""), in "bucket" when
given, whose Range starts at byte "from_byte" or later (default 0). Each rule counts the requests it
matches per object, from 1; it applies to those whose ordinal is in "on" ("all", the default, or a list),
at most "max" times in total. The first applicable rule wins. Every other field is the fault's parameter
(see server.py for the faults).

ListObjectsV2 requests match as the key "?list" ("list_page" keys per page, default 1000).
A throttle entry is a token bucket per key prefix: "rate" requests per second, "burst" at once (default
rate / 10, at least 1). A request that finds the bucket empty is answered 503 SlowDown.
A "regions" entry says the bucket lives in "region": requests signed for another region are answered as
S3 answers them ("answer" 301 or 400, "always" even when signed for it; see server.py).
"""

import json
import threading
import time

FAULTS = {
    "reset", "truncate", "tls_no_close_notify", "status", "stall", "close_after", "drop_request",
    "bad_status", "bad_header", "huge_headers", "bad_chunk", "change", "slow", "corrupt", "checksum", "silence",
}


class RuleError(ValueError):
    pass


class Rule:
    def __init__(self, d):
        self.key = d.get("key")
        self.prefix = d.get("prefix", "")
        self.bucket = d.get("bucket")
        self.from_byte = int(d.get("from_byte", 0))
        on = d.get("on", "all")
        self.on = None if on == "all" else set(int(x) for x in on)
        self.max = d.get("max")
        self.fault = d.get("fault")
        if self.fault not in FAULTS:
            raise RuleError("unknown fault %r" % (self.fault,))
        self.params = {k: v for k, v in d.items()
                       if k not in ("key", "prefix", "bucket", "from_byte", "on", "max", "fault")}
        self.counts = {}   # "bucket/key" -> requests matched
        self.applied = 0

    def matches(self, bucket, key, first_byte):
        if self.bucket is not None and bucket != self.bucket:
            return False
        if self.key is not None:
            if key != self.key:
                return False
        elif not key.startswith(self.prefix):
            return False
        return first_byte >= self.from_byte


class Bucket:
    """A token bucket; take() is called with the rules' lock held."""

    def __init__(self, prefix, rate, burst):
        self.prefix = prefix
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = self.burst
        self.t = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Rules:
    def __init__(self, path, on_reload=None):
        self.path = path
        self.on_reload = on_reload
        self._lock = threading.Lock()
        self._text = None
        self._rules = []
        self._throttle = []
        self.list_page = 1000
        self.regions = {}   # bucket -> {"region": …, "answer": 301 | 400, "always": bool}
        self.error = None

    def _load(self, text):
        rules, throttle = [], []
        if text.strip():
            d = json.loads(text)
            rules = [Rule(r) for r in d.get("rules", [])]
            for t in d.get("throttle", []):
                rate = float(t["rate"])
                throttle.append(Bucket(t.get("prefix", ""), rate, t.get("burst", max(1.0, rate / 10))))
        return rules, throttle

    def refresh(self):
        """Re-reads the rules file when its content changed (cheap: the file is small)."""
        if not self.path:
            return
        try:
            with open(self.path, "r", encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            text = ""
        with self._lock:
            if text == self._text:
                return
            self._text = text
            try:
                self._rules, self._throttle = self._load(text)
                d = json.loads(text) if text.strip() else {}
                self.list_page = int(d.get("list_page", 1000))
                self.regions = {r["bucket"]: r for r in d.get("regions", [])}
                self.error = None
            except (ValueError, KeyError, TypeError) as e:
                self._rules, self._throttle, self.regions = [], [], {}
                self.error = "bad rules file: %s" % e
            if self.on_reload:
                self.on_reload()

    def pick(self, bucket, key, first_byte):
        """(fault name, params, ordinal) for this request, or (None, {}, 0)."""
        name = bucket + "/" + key
        chosen = (None, {}, 0)
        with self._lock:
            for r in self._rules:
                if not r.matches(bucket, key, first_byte):
                    continue
                n = r.counts.get(name, 0) + 1
                r.counts[name] = n
                if chosen[0] is not None:
                    continue
                if r.on is not None and n not in r.on:
                    continue
                if r.max is not None and r.applied >= int(r.max):
                    continue
                r.applied += 1
                chosen = (r.fault, r.params, n)
        return chosen

    def region_of(self, bucket):
        """The "regions" entry of bucket, or None when it lives wherever it is asked for."""
        with self._lock:
            return self.regions.get(bucket)

    def throttled(self, key):
        """True when a throttle bucket covers key and is empty (the request gets 503 SlowDown)."""
        with self._lock:
            for b in self._throttle:
                if key.startswith(b.prefix):
                    return not b.take()
        return False
