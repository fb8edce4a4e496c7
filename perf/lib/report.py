#!/usr/bin/python3
"""Figures, tables, chart, baseline check.

usage: report.py meta   --run-dir RUN --urestore-bin BIN --mode LABEL     → RUN/meta.json
       report.py report --run-dir RUN --mode full|smoke|check|baseline|scale --baseline perf/baseline.json
                        [--chart perf/chart.gp] [--strict]               → RUN/results.{json,md}, chart.png

Per workload and tool, over the measured (not warm-up) runs that verified: medians of CPU (user+sys), wall
and peak RSS; CPU-s per GiB, CPU ms per object, MiB/s; CPU spread = (max-min)/median; urestore ÷ tool is
urestore's CPU-s/GiB over the tool's (below 1: urestore is cheaper).
Scale mode: per series of workloads ("series" in their JSON), each point's CPU-s/GiB (bytes) or CPU ms per
object (objects) and the spread (max - min) / the smallest point's figure; urestore passes within 10 %.
Exit status 1 when: a urestore run failed verification; urestore did not run in smoke/check/baseline/scale
mode; any tool failed verification in smoke or scale mode; --check finds urestore's ratio to the baseline's
reference tool more than the tolerance worse; --strict (scale) and urestore's spread is not a PASS.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import tools as toolmod
import workload

GIB, MIB = 1 << 30, 1 << 20
CHECK_WORKLOADS = ["big", "small", "flink"]
REF_TOOL, TOLERANCE = "curl-seq", 0.15
SCALE_TOLERANCE = 0.10  # issue 4: CPU-s/GiB from 1 to 8 GiB, CPU per object from 1,000 to 50,000 objects
SCALE_METRICS = {"bytes": ("cpu_s_per_gib", "CPU-s/GiB", 3), "objects": ("cpu_ms_per_object", "CPU ms/object", 4)}


def sh(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return None


def meta(args):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    m = {"mode": args.mode, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "kernel": platform.release(),
         "cpu": cpu, "ncpu": os.cpu_count(), "loadavg_start": open("/proc/loadavg").read().split()[:3],
         "commit": sh(["git", "-C", root, "rev-parse", "--short", "HEAD"]),
         "urestore_bin": args.urestore_bin,
         "versions": {"curl": sh(["/usr/bin/curl", "--version"]), "rclone": sh(["/usr/bin/rclone", "version"]),
                      "aws": sh(["/usr/bin/aws", "--version"]), "nginx": sh(["/usr/sbin/nginx", "-v"]),
                      "openssl": sh(["openssl", "version"])}}
    if toolmod.which("s5cmd"):
        m["versions"]["s5cmd"] = sh([toolmod.which("s5cmd"), "version"])
    with open(os.path.join(args.run_dir, "meta.json"), "w") as f:
        json.dump(m, f, indent=1)


def summarize(runs):
    """Group runs.jsonl into {workload: {tool: figures}} in first-seen order; s3sim series as "NAME@s3sim"."""
    out = {}
    for r in runs:
        key = r["workload"] + ("@s3sim" if r.get("net") == "s3sim" else "")
        t = out.setdefault(key, {}).setdefault(r["tool"], {"runs": [], "skipped": None})
        if r["status"] == "skipped":
            t["skipped"] = r["reason"]
        else:
            t["runs"].append(r)
    for wl, tools in out.items():
        for name, t in tools.items():
            measured = [r for r in t["runs"] if not r["warmup"]]
            ok = [r for r in measured if r["status"] == "ok"]
            failed = [r for r in t["runs"] if r["status"] != "ok"]
            fig = {"status": "skipped" if t["skipped"] else ("ok" if ok and not failed else "failed"),
                   "reason": t["skipped"], "runs_ok": len(ok), "runs_measured": len(measured),
                   "runs_failed": len(failed),
                   "failures": [f"round {r['round']}: exit {r['exit']}, {r['n_problems']} problem(s): "
                                + "; ".join(r["problems"][:2]) + f" (log {r['log']})" for r in failed][:3]}
            if ok:
                med = {k: statistics.median(r[k] for r in ok) for k in ("cpu_s", "user_s", "sys_s", "wall_s", "maxrss_kib")}
                nbytes, nobj = ok[0]["bytes"], ok[0]["objects"]
                cpus = [r["cpu_s"] for r in ok]
                fig.update(cpu_s=med["cpu_s"], user_s=med["user_s"], sys_s=med["sys_s"], wall_s=med["wall_s"],
                           peak_rss_mib=med["maxrss_kib"] / 1024, bytes=nbytes, objects=nobj,
                           cpu_s_per_gib=med["cpu_s"] / (nbytes / GIB), cpu_ms_per_object=1000 * med["cpu_s"] / nobj,
                           mib_per_s=nbytes / MIB / med["wall_s"] if med["wall_s"] else None,
                           cpu_spread=(max(cpus) - min(cpus)) / med["cpu_s"] if med["cpu_s"] else 0.0,
                           cpu_s_all=cpus)
            tools[name] = fig
        ur = tools.get("urestore", {}).get("cpu_s_per_gib")
        for name, fig in tools.items():
            if ur and fig.get("cpu_s_per_gib") and name != "urestore":
                fig["urestore_ratio"] = ur / fig["cpu_s_per_gib"]
    return out


def fmt(v, nd=2):
    return "–" if v is None else f"{v:.{nd}f}"


def workload_table(name, tools, lines):
    w = workload.load(name)
    first = next((f for f in tools.values() if f.get("runs_measured")), {})
    lines += [f"### {name} — {w.get('description', '')}", "",
              f"{len(w['objects_list'])} objects, {w['total_bytes'] / GIB:.3f} GiB, {w['protocol']}; "
              f"median of {first.get('runs_measured', 0)} measured runs after the warm-up.", "",
              "| tool | runs ok | CPU-s/GiB | CPU ms/object | MiB/s | wall s | user s | sys s | peak RSS MiB | CPU spread | urestore ÷ tool |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for t, f in tools.items():
        if f["status"] == "skipped":
            notes.append(f"- **{t}** skipped: {f['reason']}")
            continue
        if f["runs_failed"]:
            notes.append(f"- **{t}** FAILED {f['runs_failed']} run(s): " + " / ".join(f["failures"]))
        if "cpu_s" not in f:
            lines.append(f"| {t} | 0/{f['runs_measured']} FAILED | – | – | – | – | – | – | – | – | – |")
            continue
        lines.append(f"| {t} | {f['runs_ok']}/{f['runs_measured']}{' ⚠' if f['runs_failed'] else ''} | "
                     f"**{fmt(f['cpu_s_per_gib'], 3)}** | {fmt(f['cpu_ms_per_object'], 3)} | {fmt(f['mib_per_s'], 0)} | "
                     f"{fmt(f['wall_s'])} | {fmt(f['user_s'], 3)} | {fmt(f['sys_s'], 3)} | {fmt(f['peak_rss_mib'], 1)} | "
                     f"{100 * f['cpu_spread']:.0f} % | {fmt(f.get('urestore_ratio'))} |")
    lines += [""] + notes + ([""] if notes else [])


def s3sim_table(name, tools, net, lines):
    conc = sorted({toolmod.split(t)[1] for t in tools})
    bases = list(dict.fromkeys(toolmod.split(t)[0] for t in tools))
    lines += [f"## s3sim: {name} between two network namespaces, {net.get('rate_per_connection_mbit', '?')} Mbit/s "
              "per connection (HTB per client port)", "", f"Latency: {net.get('latency', '?')}.", "",
              "Concurrency N: urestore --numworkers N, curl --parallel-max N. Wall time is the point here; "
              "CPU for scale.", "",
              "| N | " + " | ".join(f"{b} wall s | {b} MiB/s | {b} CPU-s/GiB" for b in bases) + " |",
              "|---|" + "---|---|---|" * len(bases)]
    for n in conc:
        cells = []
        for b in bases:
            f = tools.get(f"{b}@{n}", {})
            if "cpu_s" in f:
                cells.append(f"{fmt(f['wall_s'])} | {fmt(f['mib_per_s'], 0)} | {fmt(f['cpu_s_per_gib'], 3)}")
            else:
                cells.append(f"{f.get('status', '–').upper()} | – | –")
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    notes = [f"- **{t}** {f['status']}: {f['reason'] or ' / '.join(f['failures'])}"
             for t, f in tools.items() if f["status"] != "ok"]
    lines += [""] + sorted(set(notes)) + ([""] if notes else [])


def floor_table(floor, lines):
    lines += ["## The floor on this machine (measured by this run, one core)", "",
              "| what | rate | CPU-s per GiB |", "|---|---|---|"]
    for key in ("aes", "aes_vaes", "tcp_recv", "http_recv", "odirect", "buffered", "https_odirect",
                "https_odirect_vaes", "http_odirect"):
        f = floor.get(key)
        if not f:
            continue
        rate = (f"{f['gb_per_s']:.2f} GB/s" if "gb_per_s" in f else
                f"{f['gbit_per_s']:.1f} Gbit/s" if "gbit_per_s" in f else "")
        val = f"**{f['cpu_s_per_gib']:.3f}**" if "cpu_s_per_gib" in f else f"not measured ({f.get('error', '')[:80]})"
        lines.append(f"| {f['what']} | {rate} | {val} |")
    lines += ["", "| per file | CPU ms per file |", "|---|---|"]
    for key in ("create_meta", "create_atomic", "create_buffered"):
        f = floor.get(key)
        if f:
            val = f"**{f['ms_per_file']:.4f}**" if "ms_per_file" in f else f"not measured ({f.get('error', '')[:80]})"
            lines.append(f"| {f['what']} | {val} |")
    lines.append("")


def chart(summary, run_dir, gp):
    """A data file (workloads × tools) for CPU-s/GiB and CPU ms/object, drawn by chart.gp."""
    plain = {w: t for w, t in summary.items() if not w.endswith("@s3sim")}
    names = [n for n in dict.fromkeys(n for t in plain.values() for n in t)
             if any("cpu_s" in plain[w].get(n, {}) for w in plain)]
    if not names or not gp or not os.path.exists("/usr/bin/gnuplot"):
        return None
    for metric in ("cpu_s_per_gib", "cpu_ms_per_object"):
        with open(os.path.join(run_dir, f"chart-{metric}.dat"), "w") as f:
            f.write("workload " + " ".join(names) + "\n")
            for w, t in plain.items():
                f.write(w + " " + " ".join(f"{t[n][metric]:.6g}" if metric in t.get(n, {}) else "?" for n in names) + "\n")
    out = os.path.join(run_dir, "chart.png")
    p = subprocess.run(["/usr/bin/gnuplot", "-e", f"dir='{run_dir}'; ntools={len(names)}; out='{out}'", gp],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print("perf: chart not drawn: " + p.stderr.strip()[-300:])
        return None
    return out


def size_label(w):
    n = w["total_bytes"]
    return f"{n / GIB:g} GiB" if n >= GIB else f"{n / MIB:g} MiB"


def scale_tables(summary, meta_mode, lines):
    """The scale check: per series, each point's figure by tool, the spread (max - min) over the smallest
    point's figure, and urestore's verdict against SCALE_TOLERANCE. Returns {series: figures} for the JSON."""
    groups = {}
    for name in summary:
        w = workload.load(name) if not name.endswith("@s3sim") else {}
        if w.get("series") in SCALE_METRICS:
            groups.setdefault(w["series"], []).append(w)
    out = {}
    lines += [f"## Scale check: client CPU per unit of work as the job grows (tolerance ±{SCALE_TOLERANCE:.0%})", "",
              "Spread = (max − min) ÷ the smallest point's figure; urestore PASSes when it is within the "
              "tolerance. Other tools are the reference: a drift they show too is the machine's or the file "
              "system's, not urestore's.", ""]
    if meta_mode == "scale-smoke":
        lines += ["**Smoke run, 16 times smaller: fixed costs weigh 16 times more, so the verdicts test the "
                  "plumbing, not urestore.**", ""]
    for ser, points in groups.items():
        points.sort(key=lambda w: (len(w["objects_list"]), w["total_bytes"]))
        metric, unit, nd = SCALE_METRICS[ser]
        labels = [size_label(w) if ser == "bytes" else f"{len(w['objects_list']):,} objects" for w in points]
        lines += [f"### {ser} series: {unit}, {labels[0]} to {labels[-1]}", "",
                  "| tool | " + " | ".join(labels) + " | spread | verdict |", "|---|" + "---|" * (len(points) + 2)]
        res = {"metric": metric, "workloads": [w["name"] for w in points], "labels": labels, "tools": {}}
        xs = [w["total_bytes"] / GIB if ser == "bytes" else len(w["objects_list"]) for w in points]
        notes, fits = [], []
        for t in dict.fromkeys(n for w in points for n in summary[w["name"]]):
            figs = [summary[w["name"]].get(t, {}) for w in points]
            vals = [f.get(metric) for f in figs]
            base = vals[0]
            cells = [("–" if v is None else f"{v:.{nd}f}" if i == 0 or not base else
                      f"{v:.{nd}f} ({100 * (v / base - 1):+.1f} %)") for i, v in enumerate(vals)]
            spread = (max(vals) - min(vals)) / base if None not in vals and base else None
            verdict = ("reference" if toolmod.split(t)[0] != "urestore" else "INCOMPLETE" if spread is None
                       else "PASS" if spread <= SCALE_TOLERANCE else "FAIL")
            res["tools"][t] = {"values": vals, "spread": spread, "verdict": verdict,
                               "run_spreads": [f.get("cpu_spread") for f in figs]}
            if spread is not None:  # CPU = fixed + marginal × size: is a drift start-up cost or growth?
                marginal, fixed = statistics.linear_regression(xs, [f["cpu_s"] for f in figs])
                res["tools"][t].update(fixed_cpu_s=fixed, marginal=marginal * (1 if ser == "bytes" else 1000))
                fits.append(f"{t} {1000 * fixed:.0f} ms + " + (f"{marginal:.3f} CPU-s/GiB" if ser == "bytes"
                                                               else f"{1000 * marginal:.4f} ms/object"))
            spread_txt = "–" if spread is None else f"{100 * spread:.1f} %"
            verdict_txt = f"**{verdict}**" if verdict in ("PASS", "FAIL") else verdict
            lines.append(f"| {t} | " + " | ".join(cells) + f" | {spread_txt} | {verdict_txt} |")
            notes.append(f"{t} " + " / ".join("–" if f.get("cpu_spread") is None else f"{100 * f['cpu_spread']:.0f} %"
                                             for f in figs))
        lines += ["", "Run-to-run CPU spread at each point (details below): " + "; ".join(notes) +
                  ". A drift across points no larger than these is noise.", ""]
        if fits:
            lines += ["Least-squares fit of the medians, CPU = fixed + marginal × size: " + "; ".join(fits) +
                      ". A fixed part (start-up, handshakes) weighs most on the smallest point.", ""]
        out[ser] = res
    return out


def check(summary, baseline_path, lines):
    """Compare urestore's ratio to the reference tool with the baseline. Returns True when within tolerance."""
    with open(baseline_path) as f:
        base = json.load(f)
    ref, tol = base.get("ref_tool", REF_TOOL), base.get("tolerance", TOLERANCE)
    lines += [f"## Regression check: urestore ÷ {ref} CPU-s/GiB against perf/baseline.json (tolerance {tol:.0%})", "",
              "| workload | baseline ratio | this run | change | verdict |", "|---|---|---|---|---|"]
    ok = True
    for wl, b in base["workloads"].items():
        tools = summary.get(wl, {})
        ur, rf = tools.get("urestore", {}).get("cpu_s_per_gib"), tools.get(ref, {}).get("cpu_s_per_gib")
        if not ur or not rf:
            ok = False
            lines.append(f"| {wl} | {b['ratio']:.3f} | – | – | FAIL: urestore or {ref} has no verified figure |")
            continue
        now = ur / rf
        bad = now > b["ratio"] * (1 + tol)
        ok &= not bad
        lines.append(f"| {wl} | {b['ratio']:.3f} | {now:.3f} | {100 * (now / b['ratio'] - 1):+.1f} % | "
                     f"{'FAIL' if bad else 'ok'} |")
    lines.append("")
    return ok


def write_baseline(summary, meta, path):
    wls = {}
    for wl in CHECK_WORKLOADS:
        t = summary.get(wl, {})
        ur, rf = t.get("urestore", {}).get("cpu_s_per_gib"), t.get(REF_TOOL, {}).get("cpu_s_per_gib")
        if not ur or not rf:
            raise SystemExit(f"perf: cannot write a baseline: {wl} has no verified urestore and {REF_TOOL} figures")
        wls[wl] = {"ratio": round(ur / rf, 4), "urestore_cpu_s_per_gib": round(ur, 4),
                   f"{REF_TOOL}_cpu_s_per_gib": round(rf, 4)}
    with open(path, "w") as f:
        json.dump({"ref_tool": REF_TOOL, "tolerance": TOLERANCE, "workloads": wls,
                   "recorded": {k: meta.get(k) for k in ("date", "commit", "kernel", "cpu")}}, f, indent=2)
        f.write("\n")


def report(args):
    runs_path = os.path.join(args.run_dir, "runs.jsonl")
    runs = [json.loads(ln) for ln in open(runs_path)] if os.path.exists(runs_path) else []
    meta = json.load(open(os.path.join(args.run_dir, "meta.json")))
    floor_path = os.path.join(args.run_dir, "floor.json")
    floor = json.load(open(floor_path)) if os.path.exists(floor_path) else None
    net_path = os.path.join(args.run_dir, "s3sim.json")
    net = json.load(open(net_path)) if os.path.exists(net_path) else {}
    summary = summarize(runs)
    lines = [f"# urestore perf — {meta['mode']} run, {meta['date']}", "",
             f"Commit {meta['commit']}, kernel {meta['kernel']}, {meta['ncpu']} × {meta['cpu']}; load average at start "
             f"{' '.join(meta['loadavg_start'])}. Client pinned to CPU 0, nginx (1 worker, TLS 1.3 "
             "TLS_AES_128_GCM_SHA256) to CPU 1. CPU = user + sys of the client's whole process tree (wait4).", "",
             "Versions: " + "; ".join(f"{k} `{v}`" for k, v in meta["versions"].items() if v), ""]
    if floor:
        floor_table(floor, lines)
    plain = [w for w in summary if not w.endswith("@s3sim")]
    scale = scale_tables(summary, meta["mode"], lines) if args.mode == "scale" else None
    if plain:
        lines += ["## Client CPU by workload", ""]
        for w in plain:
            workload_table(w, summary[w], lines)
        tools_seen = [n for n in dict.fromkeys(n for w in plain for n in summary[w]) if
                      any("cpu_s" in summary[w].get(n, {}) for w in plain)]
        if len(plain) > 1 and tools_seen and not scale:
            lines += ["## Summary: CPU-s per GiB (CPU ms per object)", "",
                      "| workload | " + " | ".join(tools_seen) + " |", "|---|" + "---|" * len(tools_seen)]
            for w in plain:
                lines.append(f"| {w} | " + " | ".join(
                    f"{summary[w][n]['cpu_s_per_gib']:.3f} ({summary[w][n]['cpu_ms_per_object']:.3f})"
                    if "cpu_s" in summary[w].get(n, {}) else "–" for n in tools_seen) + " |")
            lines.append("")
    for w, t in summary.items():
        if w not in plain:
            s3sim_table(w[:-len("@s3sim")], t, net, lines)

    rc = 0
    verdicts = []
    for w, t in summary.items():
        for name, f in t.items():
            if toolmod.split(name)[0] != "urestore":
                continue
            if f["runs_failed"]:
                rc = 1
                verdicts.append(f"FAIL: urestore did not verify on {w} ({f['runs_failed']} run(s)): {f['failures'][0]}")
            elif f["status"] == "skipped":
                if args.mode in ("smoke", "check", "baseline", "scale"):
                    rc = 1
                    verdicts.append(f"FAIL: urestore did not run on {w}: {f['reason']}")
                else:
                    verdicts.append(f"NOTE: urestore skipped on {w}: {f['reason']}")
    if args.mode in ("smoke", "scale"):  # smoke: the suite must not rot; scale: a reference that fails is no reference
        for w, t in summary.items():
            for name, f in t.items():
                if f["runs_failed"] and toolmod.split(name)[0] != "urestore":
                    rc = 1
                    verdicts.append(f"FAIL: {name} did not verify on {w}: {f['failures'][0]}")
    if not runs:
        rc = 1
        verdicts.append("FAIL: no run was made (see console.log)")
    if args.mode == "check":
        if not check(summary, args.baseline, lines):
            rc = 1
            verdicts.append("FAIL: urestore's CPU-s/GiB ratio regressed against perf/baseline.json (table above)")
    for ser, res in (scale or {}).items():
        for t, f in res["tools"].items():
            if f["verdict"] == "reference":
                continue
            what = (f"scale, {ser} series, {t}: " + ("no verified figure at every point" if f["spread"] is None
                                                     else f"spread {100 * f['spread']:.1f} %"))
            if f["verdict"] == "PASS":
                verdicts.append(f"PASS: {what} (within ±{SCALE_TOLERANCE:.0%})")
            elif args.strict:
                rc = 1
                verdicts.append(f"FAIL: {what} (±{SCALE_TOLERANCE:.0%}, enforced by --strict)")
            else:
                verdicts.append(f"{f['verdict']}: {what} (±{SCALE_TOLERANCE:.0%}; reported, not enforced: --strict)")
    if args.mode == "baseline" and rc == 0:
        write_baseline(summary, meta, args.baseline)
        verdicts.append(f"baseline written to {args.baseline}: review it and commit it on purpose")
    png = chart(summary, args.run_dir, args.chart) if not scale else None
    if png:
        lines += ["![CPU-s per GiB and CPU ms per object by tool and workload](chart.png)", ""]
    lines += ["## Verdict", ""] + [f"- {v}" for v in verdicts or ["ok"]] + [""]
    with open(os.path.join(args.run_dir, "results.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(args.run_dir, "results.json"), "w") as f:
        json.dump({"meta": meta, "floor": floor, "workloads": summary, "scale": scale, "verdicts": verdicts,
                   "exit": rc}, f, indent=1)
    print("\n".join(lines))
    print(f"perf: results in {args.run_dir}/results.md (.json{', chart.png' if png else ''})")
    counts = {s: sum(1 for r in runs if r["status"] == s) for s in ("ok", "failed", "skipped")}
    print(f"perf: {counts['ok']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["meta", "report"])
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--mode", default="full")
    ap.add_argument("--urestore-bin")
    ap.add_argument("--baseline")
    ap.add_argument("--chart")
    ap.add_argument("--strict", action="store_true", help="scale: fail when urestore's spread is not a PASS")
    args = ap.parse_args()
    return meta(args) if args.cmd == "meta" else report(args)


if __name__ == "__main__":
    sys.exit(main())
