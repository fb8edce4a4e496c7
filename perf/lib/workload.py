"""Workload files (perf/workloads/NAME.json): loading and expanding them into (key, size) lists.

A workload names its objects directly ("objects" + "seed") or borrows another workload's data set
("dataset": "big"); "limit": N then fetches only the data set's first N objects (one data set serves
every point of a scale series). Object groups:
  {"count": N, "size": "64MiB"}                       fixed size
  {"count": N, "size_min": "2MiB", "size_max": ...}   uniform sizes drawn from the seed (byte-exact, unaligned)
  "key": a str.format pattern with i (running index, from "first", default 0) and d (i % "dirs").
  "distinct": N (fixed size only): only the group's first N objects get their own content; object n is a
  hard link to object n % N (an 8 GiB data set in 1 GiB of disk; the client does the same work).
The bucket is the data set's name; keys are paths below it.
"""
import hashlib
import json
import os
import random
import re

PERF = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = os.path.join(PERF, "workloads")
DATA = os.environ.get("PERF_DATA", os.path.join(PERF, "data"))

_UNITS = {"": 1, "B": 1, "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "KB": 1000, "MB": 10**6, "GB": 10**9}


def parse_size(text):
    m = re.fullmatch(r"\s*(\d+)\s*([A-Za-z]*)\s*", str(text))
    if not m or m.group(2).upper() not in _UNITS:
        raise ValueError(f"bad size {text!r} (use e.g. 4KiB, 64MiB, 4GiB)")
    return int(m.group(1)) * _UNITS[m.group(2).upper()]


def read_json(name):
    path = os.path.join(WORKLOADS, name + ".json")
    if not os.path.exists(path):
        raise SystemExit(f"no workload {name!r}: {path} does not exist")
    with open(path) as f:
        return json.load(f)


def expand(spec, links=None):
    """(key, size) for every object of a data set spec {"seed", "objects"}, deterministic. links, if a
    dict, gets key -> the earlier key whose content (hard link) the object shares ("distinct")."""
    rng = random.Random(spec["seed"])
    out, seen = [], set()
    for group in spec["objects"]:
        first, dirs = group.get("first", 0), group.get("dirs", 1)
        distinct, start = group.get("distinct"), len(out)
        if distinct and "size" not in group:
            raise SystemExit("\"distinct\" needs a fixed \"size\" in the data set spec")
        for n in range(group["count"]):
            i = first + n
            if "size" in group:
                size = parse_size(group["size"])
            else:
                size = rng.randint(parse_size(group["size_min"]), parse_size(group["size_max"]))
            key = group["key"].format(i=i, d=i % dirs)
            if key in seen:
                raise SystemExit(f"duplicate key {key} in data set spec")
            seen.add(key)
            if distinct and n >= distinct and links is not None:
                links[key] = out[start + n % distinct][0]
            out.append((key, size))
    return out


def load(name):
    """The workload with its data set resolved: adds bucket, dataset_spec, spec_id, dataset_objects and
    dataset_links (what dataset.py generates), objects_list and total_bytes (what this workload fetches)."""
    w = read_json(name)
    w.setdefault("name", name)
    ds_name = w.get("dataset", name)
    src = w if "objects" in w else read_json(ds_name)
    spec = {"seed": src["seed"], "objects": src["objects"]}
    w["bucket"] = ds_name
    w["dataset_spec"] = spec
    w["spec_id"] = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
    w["dataset_links"] = {}
    w["dataset_objects"] = expand(spec, w["dataset_links"])
    limit = w.get("limit", len(w["dataset_objects"]))
    if limit > len(w["dataset_objects"]):
        raise SystemExit(f"workload {name}: limit {limit} is more than data set {ds_name}'s objects")
    w["objects_list"] = w["dataset_objects"][:limit]
    w["total_bytes"] = sum(s for _, s in w["objects_list"])
    w.setdefault("protocol", "https")
    w.setdefault("warmup", 1)
    w.setdefault("repeat", 5)
    return w


def names(kind="full"):
    """Workload names by kind: full (every non-smoke run workload), smoke, s3sim, all. Scale points
    ("mode": "scale") are only in all: run.sh --scale names them."""
    out = []
    for f in sorted(os.listdir(WORKLOADS)):
        if not f.endswith(".json"):
            continue
        n = f[:-5]
        mode = read_json(n).get("mode", "run")
        smoke = n.startswith("smoke-")
        if kind == "all" or (kind == "full" and mode == "run" and not smoke) or \
           (kind == "smoke" and mode == "run" and smoke) or (kind == "s3sim" and mode == "s3sim"):
            out.append(n)
    return out


def manifest_path(bucket):
    return os.path.join(DATA, "manifests", bucket + ".json")


def load_manifest(bucket):
    with open(manifest_path(bucket)) as f:
        return json.load(f)
