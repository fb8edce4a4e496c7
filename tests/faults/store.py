"""tests/faults/store.py — the objects the fault server serves: files under a root directory.

/<bucket>/<key> is ROOT/bucket/key. The ETag is the MD5 of the content, as S3 gives single-part uploads,
cached by (path, size, mtime, inode). An object can be "changed" in place without touching the file: each
change bumps a generation, and generation g serves every byte XOR g (g in 1..255) under a new ETag, so a
client that mixes two generations in one file is caught by comparing with the original.
"""

import hashlib
import os
import threading


class Store:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self._lock = threading.Lock()
        self._md5 = {}          # (path, size, mtime_ns, ino) -> hex digest
        self._generation = {}   # "bucket/key" -> generation (0: the file as it is)

    def path(self, bucket, key):
        """The file for bucket/key, or None when the name escapes the root or is not a plain object."""
        if not bucket or not key or "\0" in key:
            return None
        p = os.path.realpath(os.path.join(self.root, bucket, key))
        if not p.startswith(self.root + os.sep):
            return None
        return p

    def bucket_exists(self, bucket):
        return bool(bucket) and os.path.isdir(os.path.join(self.root, bucket))

    def keys(self, bucket):
        """Every object key in bucket, in S3's order (binary order of the UTF-8 keys)."""
        top = os.path.join(self.root, bucket)
        found = []
        for d, _, files in os.walk(top):
            rel = os.path.relpath(d, top)
            for f in files:
                found.append(f if rel == "." else rel.replace(os.sep, "/") + "/" + f)
        return sorted(found, key=lambda k: k.encode())

    def change(self, bucket, key):
        """Makes bucket/key a new object (new bytes, new ETag) from now on."""
        with self._lock:
            name = bucket + "/" + key
            self._generation[name] = self._generation.get(name, 0) % 255 + 1

    def reset_changes(self):
        with self._lock:
            self._generation.clear()

    def open(self, bucket, key):
        """(size, etag, read(first, count)) for the object, or None when it does not exist."""
        p = self.path(bucket, key)
        if p is None or not os.path.isfile(p):
            return None
        st = os.stat(p)
        ident = (p, st.st_size, st.st_mtime_ns, st.st_ino)
        with self._lock:
            digest = self._md5.get(ident)
            gen = self._generation.get(bucket + "/" + key, 0)
        if digest is None:
            h = hashlib.md5()
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
            with self._lock:
                self._md5[ident] = digest
        if gen:
            digest = hashlib.md5(("%s-%d" % (digest, gen)).encode()).hexdigest()
        table = bytes((i ^ gen) for i in range(256)) if gen else None

        def read(first, count):
            with open(p, "rb") as f:
                f.seek(first)
                data = f.read(count)
            return data.translate(table) if table else data

        return st.st_size, '"%s"' % digest, read
