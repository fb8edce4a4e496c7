#!/usr/bin/python3
"""Generate a workload's data set under perf/data/www/<bucket>/ once, with its manifest and listing.

usage: dataset.py WORKLOAD...      (prints one line per data set: reused or generated)

Content: an AES-128-CTR key stream (openssl enc over /dev/zero) keyed from the bucket name and seed:
random, incompressible, every byte written (no holes), identical on every machine. Objects beyond a
group's "distinct" count are hard links to the group's earlier objects (workload.py).
Manifest perf/data/manifests/<bucket>.json: spec id, and key/size/sha1 of every object (the expected
checksums, computed once here while writing). Listing perf/data/lists/<bucket>.xml: a ListObjectsV2
answer for the whole bucket (ETags in nginx's form, not MD5s), which nginx serves for GET /<bucket>?list-type=2 (the aws CLI lists first).
A data set is reused when its manifest has the same spec id and every file has its size.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from xml.sax.saxutils import escape

import workload

CHUNK = 4 << 20


def up_to_date(w):
    try:
        m = workload.load_manifest(w["bucket"])
    except (OSError, ValueError):
        return False
    if m.get("spec_id") != w["spec_id"]:
        return False
    root = os.path.join(workload.DATA, "www", w["bucket"])
    for o in m["objects"]:
        try:
            if os.stat(os.path.join(root, o["key"])).st_size != o["size"]:
                return False
        except OSError:
            return False
    return True


def listing_xml(bucket, objects, mtime):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(mtime))
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
             '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
             f'<Name>{escape(bucket)}</Name><Prefix></Prefix><KeyCount>{len(objects)}</KeyCount>'
             f'<MaxKeys>{max(1000, len(objects))}</MaxKeys><IsTruncated>false</IsTruncated>']
    for o in objects:
        parts.append(f'<Contents><Key>{escape(o["key"])}</Key><LastModified>{stamp}</LastModified>'
                     f'<ETag>&quot;{int(mtime):x}-{o["size"]:x}&quot;</ETag><Size>{o["size"]}</Size>'
                     '<StorageClass>STANDARD</StorageClass></Contents>')
    parts.append("</ListBucketResult>\n")
    return "".join(parts)


def generate(w):
    bucket = w["bucket"]
    root = os.path.join(workload.DATA, "www", bucket)
    shutil.rmtree(root, ignore_errors=True)
    key = hashlib.sha256(f"urestore-perf/{bucket}/{w['dataset_spec']['seed']}".encode()).hexdigest()[:32]
    stream = subprocess.Popen(["openssl", "enc", "-aes-128-ctr", "-nosalt", "-K", key, "-iv", "0" * 32,
                               "-in", "/dev/zero"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    objects, sha1s, links = [], {}, w["dataset_links"]
    try:
        for k, size in w["dataset_objects"]:
            path = os.path.join(root, k)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if k in links:
                os.link(os.path.join(root, links[k]), path)
                objects.append({"key": k, "size": size, "sha1": sha1s[links[k]]})
                continue
            h = hashlib.sha1()
            with open(path, "wb") as f:
                left = size
                while left:
                    block = stream.stdout.read(min(CHUNK, left))
                    if not block:
                        raise SystemExit("openssl key stream ended early")
                    h.update(block)
                    f.write(block)
                    left -= len(block)
            sha1s[k] = h.hexdigest()
            objects.append({"key": k, "size": size, "sha1": sha1s[k]})
    finally:
        stream.kill()
        stream.wait()
    manifest = {"bucket": bucket, "spec_id": w["spec_id"], "count": len(objects),
                "total_bytes": sum(o["size"] for o in objects), "objects": objects}
    for sub, name, text in (("lists", bucket + ".xml", listing_xml(bucket, objects, time.time())),
                            ("manifests", bucket + ".json", json.dumps(manifest, indent=0))):
        os.makedirs(os.path.join(workload.DATA, sub), exist_ok=True)
        tmp = os.path.join(workload.DATA, sub, "." + name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(workload.DATA, sub, name))  # manifest last: it marks completion


def main(argv):
    done = set()
    for name in argv:
        w = workload.load(name)
        if w["bucket"] in done:
            continue
        done.add(w["bucket"])
        what = f"{len(w['dataset_objects'])} objects, {sum(s for _, s in w['dataset_objects']) / 2**20:.1f} MiB"
        if up_to_date(w):
            print(f"data set {w['bucket']}: reused ({what})")
            continue
        t = time.monotonic()
        generate(w)
        print(f"data set {w['bucket']}: generated {what} in {time.monotonic() - t:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
