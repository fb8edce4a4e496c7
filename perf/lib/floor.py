#!/usr/bin/python3
"""The floor on this hardware, measured on CPU 0 the same way the tools are (runwait's wait4).

usage: floor.py --run-dir RUN --servers RUN/servers.json --runwait BIN [--gcm-bench TEST]  → RUN/floor.json

  aes         openssl speed -evp aes-128-gcm -decrypt, 16 KiB blocks: the pinned TLS suite's decrypt cost
  aes_vaes    urestore's own AES-128-GCM (tls/gcm_vaes.c), 16 KiB records, from the benchmark line of
              tests/unit/test_gcm_vaes (absent where the CPU has no VAES)
  tcp_recv    iperf3 -R (server on CPU 1): the kernel's loopback receive path plus a 128 KiB read loop
  http_recv   perf/lib/httpfloor.c: the big data set from the suite's nginx over plain HTTP, one keep-alive
              connection, bodies recv()d into 1 MiB and discarded: what receiving these bytes from this
              server costs any client (more than tcp_recv: nginx's sendfile transmits from the client's
              ACKs, in the client's softirq)
  odirect     dd if=/dev/zero bs=4M oflag=direct conv=notrunc into a fallocated 1 GiB file (reading
              /dev/zero costs ~0.02 s/GiB; a first extending write to a new file was seen at 0.26–0.41)
  buffered    dd bs=1M, 1 GiB to the page cache, memory conditioned (what buffered writers pay)
floor (HTTPS download with O_DIRECT output) = aes + tcp_recv + odirect, and with aes_vaes instead of aes
where it was measured; floor (plain-HTTP download with O_DIRECT output) = http_recv + odirect.
Per file (perf/lib/createfloor.c, 10,000 files of 4 KiB in 20 directories, as the tiny workload):
  create_meta      O_TMPFILE + fallocate + linkat + close, no data: the least an atomic create costs
  create_atomic    the same with the 4 KiB O_DIRECT pwrite: urestore's sequence with blocking calls
  create_buffered  open(O_CREAT | O_TRUNC) under the final name + write + close: not atomic, and its
                   writeback runs later on kernel threads no process is charged for
Median of 5 for each.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.parse

import mem
import workload

GIB = 1 << 30
OUT = os.path.join(workload.DATA, "out")  # where the tools write (perf/lib/outfs.sh may mount a file system there)
PIN = ["/usr/bin/taskset", "-c", "0"]


def runwait(args, argv, timeout=120):
    res = os.path.join(args.run_dir, "floor.rusage")
    p = subprocess.run([args.runwait, res, str(timeout), *argv], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env={})
    with open(res) as f:
        r = {k: float(v) for k, v in (kv.split("=") for kv in f.read().split())}
    os.unlink(res)
    r["cpu_s"] = r["user_s"] + r["sys_s"]
    r["output"] = p.stdout.decode(errors="replace")
    if r["exit"] != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {int(r['exit'])}: {r['output'][-300:]}")
    return r


def aes(args):
    out = subprocess.run(PIN + ["openssl", "speed", "-evp", "aes-128-gcm", "-decrypt", "-bytes", "16384",
                                "-seconds", "2", "-mr"], capture_output=True, text=True).stdout
    rate = float([ln for ln in out.splitlines() if ln.startswith("+F:")][0].split(":")[3])
    return {"cpu_s_per_gib": GIB / rate, "gb_per_s": rate / 1e9}


def aes_vaes(args):
    if not args.gcm_bench or not os.access(args.gcm_bench, os.X_OK):
        raise RuntimeError(f"no {args.gcm_bench} (make builds it)")
    p = subprocess.run(PIN + [args.gcm_bench], capture_output=True, text=True, env={})
    if p.returncode == 77:
        raise RuntimeError("this CPU has no VAES/VPCLMULQDQ/AVX-512")
    line = [ln for ln in p.stdout.splitlines() if "VAES" in ln and "CPU-s/GiB" in ln]
    if p.returncode != 0 or not line:
        raise RuntimeError(f"{args.gcm_bench}: exit {p.returncode}: {(p.stdout + p.stderr)[-200:]}")
    s = float(line[0].split("VAES")[1].split()[0])
    return {"cpu_s_per_gib": s, "gb_per_s": GIB / s / 1e9}


def tcp_recv(args):
    port = str(29000 + os.getpid() % 1000)
    srv = subprocess.Popen(["/usr/bin/taskset", "-c", "1", "iperf3", "-s", "-1", "-p", port],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        r = runwait(args, PIN + ["/usr/bin/iperf3", "-c", "127.0.0.1", "-p", port, "-R", "-t", "3", "-J"])
    finally:
        srv.kill()
        srv.wait()
    got = json.loads(r["output"])["end"]["sum_received"]["bytes"]
    return {"cpu_s_per_gib": r["cpu_s"] / (got / GIB), "gbit_per_s": got * 8 / r["wall_s"] / 1e9}


def http_recv(args):
    if not args.httpfloor:
        raise RuntimeError("no httpfloor binary")
    with open(args.servers) as f:
        url = urllib.parse.urlsplit(json.load(f)["http"])
    m = workload.load_manifest("big")
    r = runwait(args, PIN + [args.httpfloor, url.hostname, str(url.port)] + [f"/big/{o['key']}" for o in m["objects"]])
    if int(r["output"].split()[0]) != m["total_bytes"]:
        raise RuntimeError(f"httpfloor received {r['output'].strip()} bytes, expected {m['total_bytes']}")
    return {"cpu_s_per_gib": r["cpu_s"] / (m["total_bytes"] / GIB)}


def dd(args, bs, count, flags, preallocate=False):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "floor-write.tmp")
    if preallocate:  # as urestore does: fallocate the final size, then O_DIRECT into it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.posix_fallocate(fd, 0, bs * count)
        os.close(fd)
        flags = flags + ["conv=notrunc"]
    os.sync()
    mem.condition(bs * count + GIB)
    try:
        r = runwait(args, PIN + ["/usr/bin/dd", "if=/dev/zero", f"of={path}", f"bs={bs}", f"count={count}",
                                 "status=none", *flags])
    finally:
        os.unlink(path)
        os.sync()
    return {"cpu_s_per_gib": r["cpu_s"] / (bs * count / GIB), "gb_per_s": bs * count / r["wall_s"] / 1e9}


CREATED = []  # deleted only when the floor is done: a create right after thousands of deletes pays for
# them (ext4 skips recently freed inodes one by one: pitfall 2), which is not the floor


def create(args, mode, count=10000, size=4096, dirs=20):
    if not args.createfloor:
        raise RuntimeError("no createfloor binary")
    root = os.path.join(OUT, f"floor-create-{os.getpid()}-{len(CREATED)}")
    CREATED.append(root)
    os.makedirs(OUT, exist_ok=True)
    os.sync()
    r = runwait(args, PIN + [args.createfloor, mode, root, str(count), str(size), str(dirs)])
    return {"ms_per_file": r["cpu_s"] * 1000 / count}


def median_of(fn, n=5):
    runs = [fn() for _ in range(n)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--servers", required=True)
    ap.add_argument("--runwait", required=True)
    ap.add_argument("--gcm-bench", help="tests/unit/test_gcm_vaes of the build under test")
    ap.add_argument("--createfloor", help="the built perf/lib/createfloor.c")
    ap.add_argument("--httpfloor", help="the built perf/lib/httpfloor.c")
    args = ap.parse_args()
    parts = {
        "aes": ("AES-128-GCM decrypt (openssl speed, 16 KiB)", lambda: aes(args)),
        "aes_vaes": ("AES-128-GCM decrypt, urestore's VAES code (16 KiB records)", lambda: aes_vaes(args)),
        "tcp_recv": ("loopback TCP receive (iperf3 -R, client side)", lambda: tcp_recv(args)),
        "http_recv": ("plain-HTTP receive from this nginx, one keep-alive connection, bodies discarded "
                      "(httpfloor, big data set)", lambda: http_recv(args)),
        "odirect": ("O_DIRECT write, 4 MiB blocks, into a fallocated file (dd oflag=direct conv=notrunc)",
                    lambda: dd(args, 4 << 20, 256, ["oflag=direct"], preallocate=True)),
        "buffered": ("buffered write, 1 MiB blocks (dd, conditioned memory)", lambda: dd(args, 1 << 20, 1024, [])),
        "create_meta": ("atomic create, metadata only (O_TMPFILE, fallocate, linkat, close), per 4 KiB file",
                        lambda: create(args, "meta")),
        "create_atomic": ("atomic create with the 4 KiB O_DIRECT write, blocking calls, per file",
                          lambda: create(args, "atomic")),
        "create_buffered": ("create in place + buffered write + close (not atomic), per 4 KiB file",
                            lambda: create(args, "buffered")),
    }
    floor = {}
    for key, (what, fn) in parts.items():
        try:
            floor[key] = dict(median_of(fn), what=what)
        except Exception as e:  # a missing tool (iperf3) must not stop the suite
            floor[key] = {"what": what, "error": str(e)[:300]}
        f = floor[key]
        print(f"  floor {key:<15} " + (f"{f['cpu_s_per_gib']:.3f} CPU-s/GiB" if "cpu_s_per_gib" in f else
                                       f"{f['ms_per_file']:.4f} ms CPU per file" if "ms_per_file" in f else
                                       f"not measured: {f['error']}"), flush=True)
    if all("cpu_s_per_gib" in x for x in (floor["http_recv"], floor["odirect"])):
        floor["http_odirect"] = {"what": "floor: plain-HTTP download with O_DIRECT output (HTTP receive + O_DIRECT)",
                                 "cpu_s_per_gib": floor["http_recv"]["cpu_s_per_gib"] +
                                 floor["odirect"]["cpu_s_per_gib"]}
    tcp = floor["tcp_recv"] if "cpu_s_per_gib" in floor["tcp_recv"] else floor["http_recv"]
    if all("cpu_s_per_gib" in x for x in (floor["aes"], tcp, floor["odirect"])):
        floor["https_odirect"] = {"what": "floor: HTTPS download with O_DIRECT output (aes + receive + O_DIRECT)",
                                  "cpu_s_per_gib": floor["aes"]["cpu_s_per_gib"] + tcp["cpu_s_per_gib"] +
                                  floor["odirect"]["cpu_s_per_gib"]}
        if "cpu_s_per_gib" in floor["aes_vaes"]:
            floor["https_odirect_vaes"] = {
                "what": "floor with urestore's VAES decrypt (aes_vaes + receive + O_DIRECT)",
                "cpu_s_per_gib": floor["aes_vaes"]["cpu_s_per_gib"] + tcp["cpu_s_per_gib"] +
                floor["odirect"]["cpu_s_per_gib"]}
    for root in CREATED:
        shutil.rmtree(root, ignore_errors=True)
    with open(os.path.join(args.run_dir, "floor.json"), "w") as f:
        json.dump(floor, f, indent=1)


if __name__ == "__main__":
    main()
