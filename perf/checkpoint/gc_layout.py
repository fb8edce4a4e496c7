#!/usr/bin/env python3
"""perf/checkpoint/gc_layout.py — the job directory gc_bench.sh seeds, and the check of gc's answer.

    gc_layout.py meta OBJECTS REFS MKMETA DIR URI  writes DIR/chk-1/_metadata … DIR/chk-100/_metadata with
                                                   tests/flink/mkmeta (absolute references URI + name)
    gc_layout.py check OBJECTS REFS PREFIX FILE   FILE (gc's dry-run output) names exactly the orphans

OBJECTS files in shared/, named by perf/lib/seed_s3.py's seeded UUIDs (seed 1) in the order they were
"written". 100 retained checkpoints, chk-1 … chk-100, as Flink's incremental RocksDB checkpoints keep them:
each references a window of REFS consecutive files, and each next checkpoint's window starts REFS/5 files
later (it keeps 4/5 of the files of the one before and adds new ones). So 100 checkpoints reference
REFS + 99 * REFS/5 distinct files (REFS = 5,000 of 1,000,000: 104,000, ~10 %), and the rest are orphans.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from seed_s3 import names  # noqa: E402

CHECKPOINTS = 100


def window(objects, refs, c):
    step = max(1, refs // 5)
    start = (c - 1) * step
    if start + refs > objects:
        sys.exit(f"gc_layout: {objects} objects are too few for 100 windows of {refs} (step {step})")
    return range(start, start + refs)


def main():
    cmd, objects, refs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    all_names = list(names(1, objects))
    if cmd == "meta":
        mkmeta, out, uri = sys.argv[4:7]
        for c in range(1, CHECKPOINTS + 1):
            os.makedirs(os.path.join(out, f"chk-{c}"), exist_ok=True)
            argv = [mkmeta, os.path.join(out, f"chk-{c}", "_metadata"), str(c)]
            for i in window(objects, refs, c):
                argv += ["-a", uri + all_names[i], "64"]
            subprocess.run(argv, check=True)
        return 0
    if cmd != "check":
        sys.exit("usage: gc_layout.py meta|check ...")
    prefix, path = sys.argv[4], sys.argv[5]
    referenced = set()
    for c in range(1, CHECKPOINTS + 1):
        referenced.update(window(objects, refs, c))
    expected = {prefix + all_names[i] for i in range(objects) if i not in referenced}
    got, dup = set(), 0
    with open(path) as f:
        for line in f:
            if line.startswith("rm "):
                key = line[3:].rstrip("\n")
                dup += key in got
                got.add(key)
    bad = [f"{len(got - expected)} printed but referenced or unknown (first: {sorted(got - expected)[:1]})",
           f"{len(expected - got)} orphans not printed (first: {sorted(expected - got)[:1]})",
           f"{dup} printed twice"]
    if got == expected and not dup:
        print(f"gc_layout: gc printed exactly the {len(expected)} orphans "
              f"({len(referenced)} referenced files kept)")
        return 0
    print("gc_layout: gc's answer is wrong: " + "; ".join(bad), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
