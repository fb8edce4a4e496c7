#!/usr/bin/python3
"""Run one series per workload: every tool, interleaved (A B C A B C ...), warm-up rounds first.

usage: bench.py --run-dir RUN --servers RUN/servers.json --workloads W[,W] --tools T[,T]
                [--repeat N] [--warmup N] [--client-ns NS] [--urestore-bin PATH] [--keep-outputs]

Each run: fresh output directory; sync; memory conditioned (mem.condition); then, timed, the tool runs as
  [ip netns exec NS] taskset -c 0 env -i K=V... TOOL ARGS
under runwait (perf/lib/runwait.c), whose wait4 gives user+sys CPU and peak RSS of the whole process tree;
then, untimed, every output file is checked against the manifest (size and sha1) and its pages dropped.
A run counts only if the tool exited 0, every file verified and nothing else was left in the output.
Outputs are deleted at the end of the workload's series (pitfall 2), earlier only if the disk would fill;
with --keep-outputs only when this invocation ends (workloads that create thousands of files one after
another: the next series must not start right after thousands of deletes).
Appends one JSON line per run to RUN/runs.jsonl.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import sys
import time

import mem
import tools
import workload

GIB = 1 << 30


def log(msg):
    print(msg, flush=True)


def check_file(path, size, sha1):
    """None if the file at path has this size and sha1, else what is wrong."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as e:
        return f"missing ({e.strerror})"
    try:
        st = os.fstat(fd)
        if st.st_size != size:
            return f"size {st.st_size}, expected {size}"
        h, buf = hashlib.sha1(), bytearray(4 << 20)
        view = memoryview(buf)
        while True:
            n = os.readv(fd, [buf])
            if not n:
                break
            h.update(view[:n])
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # clean after sync: the pages go
        return None if h.hexdigest() == sha1 else "content differs (sha1)"
    finally:
        os.close(fd)


def verify(out, manifest):
    """(files ok, bytes ok, list of problems)."""
    os.sync()
    objs = manifest["objects"]
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        errs = list(ex.map(lambda o: check_file(os.path.join(out, o["key"]), o["size"], o["sha1"]), objs))
    problems = [f"{o['key']}: {e}" for o, e in zip(objs, errs) if e]
    expected = {os.path.normpath(o["key"]) for o in objs}
    for root, _, files in os.walk(out):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), out)
            if rel not in expected:
                problems.append(f"{rel}: not expected (left behind?)")
    ok = [o for o, e in zip(objs, errs) if not e]
    return len(ok), sum(o["size"] for o in ok), problems


def timed_run(argv, log_path, timeout, runwait):
    """Run argv (which carries its own `env -i`) under runwait; its wait4 gives CPU and peak RSS."""
    res = log_path + ".rusage"
    with open(log_path, "wb") as lf, open(os.devnull, "rb") as null:
        actions = [(os.POSIX_SPAWN_DUP2, null.fileno(), 0), (os.POSIX_SPAWN_DUP2, lf.fileno(), 1),
                   (os.POSIX_SPAWN_DUP2, lf.fileno(), 2)]
        pid = os.posix_spawn(runwait, [runwait, res, str(int(timeout)), *argv], {}, file_actions=actions)
        _, status = os.waitpid(pid, 0)
    if status != 0:
        raise SystemExit(f"runwait failed ({status}); see {log_path}")
    with open(res) as f:
        r = {k: float(v) for k, v in (kv.split("=") for kv in f.read().split())}
    r["exit"], r["maxrss_kib"], r["timed_out"] = int(r["exit"]), int(r["maxrss_kib"]), bool(r["timed_out"])
    r["cpu_s"] = r["user_s"] + r["sys_s"]
    return r


def command(tool_argv, env, client_ns):
    prefix = ["/usr/sbin/ip", "netns", "exec", client_ns] if client_ns else []
    return prefix + ["/usr/bin/taskset", "-c", "0", "/usr/bin/env", "-i"] + \
        [f"{k}={v}" for k, v in sorted(env.items())] + tool_argv


def disk_free(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


MANY_FILES = 1000


def series(w, tool_names, args, servers, runs_file, deferred):
    manifest = workload.load_manifest(w["bucket"])
    if manifest["spec_id"] != w["spec_id"]:
        raise SystemExit(f"data set {w['bucket']} is stale: run dataset.py {w['name']}")
    manifest = dict(manifest, objects=manifest["objects"][:len(w["objects_list"])])  # "limit"
    keys = [o["key"] for o in manifest["objects"]]
    endpoint = servers[w["protocol"]]
    warmup = w["warmup"] if args.warmup is None else args.warmup
    repeat = w["repeat"] if args.repeat is None else args.repeat
    wl_dir = os.path.join(args.out_root, w["name"])
    scratch_root = os.path.join(args.run_dir, "scratch", w["name"])
    logs = os.path.join(args.run_dir, "logs", w["name"])
    home = os.path.join(args.run_dir, "home")
    for d in (wl_dir, scratch_root, logs, home):
        os.makedirs(d, exist_ok=True)

    runnable = []
    for t in tool_names:
        why = tools.missing(t, args.urestore_bin)
        if why:
            log(f"  {w['name']}: {t}: SKIPPED — {why}")
            runs_file.write(json.dumps({"workload": w["name"], "net": "s3sim" if args.client_ns else "loopback",
                                        "tool": t, "status": "skipped", "reason": why}) + "\n")
        else:
            runnable.append(t)
    timeout = float(os.environ.get("PERF_RUN_TIMEOUT", 0)) or \
        120 + w["total_bytes"] / (2 << 20) + 0.05 * len(keys)
    log(f"== {w['name']}: {len(keys)} objects, {w['total_bytes'] / 2**20:.1f} MiB, {w['protocol']}, "
        f"{warmup} warm-up + {repeat} measured rounds of {', '.join(runnable) or 'nothing'}")
    for rnd in range(warmup + repeat):
        for t in runnable:
            tag = f"{t.replace('@', '-w')}.{rnd}"
            out, scratch = os.path.join(wl_dir, tag), os.path.join(scratch_root, tag)
            # --keep-outputs: deleting is what costs (pitfall 2), so only when the next output would not fit
            # in the free space less 8 GiB (the kept outputs are already out of it)
            kept = 0 if args.keep_outputs else sum(b for _, b in deferred)
            if kept + w["total_bytes"] > disk_free(wl_dir) - 8 * GIB:
                log(f"  (disk budget: deleting {len(deferred)} earlier outputs before {w['name']} now)")
                for p, _ in deferred:
                    shutil.rmtree(p, ignore_errors=True)
                deferred.clear()
            os.makedirs(out)
            os.makedirs(scratch)
            argv, env = tools.build(t, {"endpoint": endpoint, "ca": servers["ca"], "bucket": w["bucket"],
                                        "keys": keys, "out": out, "scratch": scratch, "home": home,
                                        "urestore_bin": args.urestore_bin})
            full = command(argv, env, args.client_ns)
            with open(os.path.join(scratch, "argv.json"), "w") as f:
                json.dump(full, f, indent=1)
            os.sync()
            cond_bytes, cond_s = mem.condition(w["total_bytes"] + GIB)
            r = timed_run(full, os.path.join(logs, tag + ".log"), timeout, args.runwait)
            files_ok, bytes_ok, problems = verify(out, manifest)
            status = "ok" if r["exit"] == 0 and not problems and not r["timed_out"] else "failed"
            rec = dict(workload=w["name"], net="s3sim" if args.client_ns else "loopback", tool=t, round=rnd, warmup=rnd < warmup, status=status,
                       objects=len(keys), bytes=w["total_bytes"], files_ok=files_ok, bytes_ok=bytes_ok,
                       problems=problems[:20], n_problems=len(problems), conditioned_mib=cond_bytes >> 20,
                       conditioning_s=round(cond_s, 2), log=os.path.relpath(os.path.join(logs, tag + ".log"),
                                                                            args.run_dir), **r)
            runs_file.write(json.dumps(rec) + "\n")
            runs_file.flush()
            deferred.append((out, w["total_bytes"]))
            line = (f"  {w['name']:<11} {t:<15} {'warm-up' if rnd < warmup else f'run {rnd - warmup + 1}':<8}"
                    f" cpu {r['cpu_s']:7.3f} s (user {r['user_s']:.3f} sys {r['sys_s']:.3f})"
                    f"  wall {r['wall_s']:7.2f} s  rss {r['maxrss_kib'] >> 10:5d} MiB"
                    f"  files {files_ok}/{len(keys)}  {status.upper()}")
            log(line)
            if status != "ok":
                why = f"exit {r['exit']}" + (" (timed out)" if r["timed_out"] else "")
                log(f"      {why}; {len(problems)} problem(s): " + "; ".join(problems[:3]) +
                    f"; log: {rec['log']}")
    # Thousands of small files: leave them until the invocation ends (or the disk budget needs the room),
    # so the next workload does not create its files right after a mass delete (pitfall 2: tiny ran
    # after small had deleted 24,000 files and paid several times its usual create cost).
    if not args.keep_outputs and len(keys) < MANY_FILES:
        for p, _ in deferred:
            shutil.rmtree(p, ignore_errors=True)
        deferred.clear()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--servers", required=True)
    ap.add_argument("--workloads", required=True)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--repeat", type=int)
    ap.add_argument("--warmup", type=int)
    ap.add_argument("--client-ns")
    ap.add_argument("--urestore-bin", default="build/urestore")
    ap.add_argument("--runwait", required=True, help="the compiled perf/lib/runwait.c")
    ap.add_argument("--out-root", help="where outputs go (default perf/data/out/<run>)")
    ap.add_argument("--keep-outputs", action="store_true", help="delete outputs only when this invocation ends")
    args = ap.parse_args()
    args.urestore_bin = os.path.abspath(args.urestore_bin)
    args.out_root = args.out_root or os.path.join(workload.DATA, "out", os.path.basename(args.run_dir))
    with open(args.servers) as f:
        servers = json.load(f)
    try:
        with open(os.path.join(args.run_dir, "runs.jsonl"), "a") as runs_file:
            deferred = []  # (output dir, bytes) not deleted yet
            for name in args.workloads.split(","):
                series(workload.load(name), args.tools.split(","), args, servers, runs_file, deferred)
    finally:
        shutil.rmtree(args.out_root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
