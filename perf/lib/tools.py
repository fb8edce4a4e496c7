"""The tools the suite compares: how each is found, configured and run.

Every tool gets the same job: download every object of one bucket from a path-style endpoint
(https://HOST:PORT/<bucket>/<key>) to OUT/<key>, with an explicit environment (the runner prefixes
`env -i`) and the suite's CA bundle. build() returns (argv, env) and writes the tool's input files
(command file, curl config, key list) into the run's scratch directory, outside the timed region.

A tool name may carry a concurrency, "curl-par@16", "urestore@16" (s3sim mode); without it each tool
keeps its own default (curl-par: 32).
"""
import os
import shutil

AK, SK, REGION = "AKIDURESTOREPERF", "urestore-perf-secret-key", "us-east-1"
BASE_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC"}

# name -> what it runs (README has the full commands)
TOOLS = {
    "urestore": "urestore run CMDFILE (cp lines)",
    "urestore-epoll": "urestore --io-backend epoll run CMDFILE (the portable backend, same binary)",
    "urestore-nocrc": "urestore --no-verify-checksum run CMDFILE (without checking the stored checksums)",
    "urestore-base": "urestore run CMDFILE with the binary in UR_BASE_BIN (a before/after comparison)",
    "curl-seq": "curl 7.88 sequential, one config file, --aws-sigv4",
    "curl-par": "curl 7.88 --parallel --parallel-max 32, --aws-sigv4",
    "rclone": "rclone copy --files-from --no-traverse (defaults: checksum on)",
    "rclone-nocheck": "rclone copy --files-from --no-traverse --ignore-checksum",
    "aws": "aws CLI s3 cp --recursive (Debian awscli)",
    "s5cmd": "s5cmd run CMDFILE (if on PATH)",
}
DEFAULT_ORDER = ["urestore", "urestore-nocrc", "urestore-epoll", "curl-seq", "curl-par", "rclone", "rclone-nocheck", "aws", "s5cmd"]


def split(name):
    base, _, n = name.partition("@")
    return base, (int(n) if n else None)


def which(prog):
    return shutil.which(prog, path="/usr/local/bin:/usr/bin:/bin")


def missing(name, urestore_bin):
    """None when the tool can run here, else the reason it is skipped."""
    base, _ = split(name)
    if base not in TOOLS:
        return f"unknown tool {base!r} (known: {', '.join(TOOLS)})"
    prog = {"urestore": urestore_bin, "urestore-epoll": urestore_bin, "urestore-nocrc": urestore_bin, "urestore-base": os.environ.get("UR_BASE_BIN", ""), "curl-seq": "/usr/bin/curl", "curl-par": "/usr/bin/curl",
            "rclone": "/usr/bin/rclone", "rclone-nocheck": "/usr/bin/rclone", "aws": "/usr/bin/aws",
            "s5cmd": which("s5cmd")}[base]
    if not prog or not os.access(prog, os.X_OK):
        return f"{prog or base} not found" + (" (not built yet?)" if base.startswith("urestore") else "")
    return None


def _write(path, lines):
    with open(path, "w") as f:
        f.writelines(lines)
    return path


def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build(name, job):
    """job: endpoint, ca, bucket, keys, out, scratch, home, urestore_bin. Returns (argv, env)."""
    base, conc = split(name)
    ep, ca, bucket, out, scratch = job["endpoint"], job["ca"], job["bucket"], job["out"], job["scratch"]
    tls = ep.startswith("https:")
    creds = {"AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK}
    env = dict(BASE_ENV, HOME=job["home"])

    if base in ("urestore", "urestore-epoll", "urestore-nocrc", "urestore-base", "s5cmd"):
        cmds = _write(os.path.join(scratch, "cmds.txt"),
                      (f"cp s3://{bucket}/{k} {os.path.join(out, k)}\n" for k in job["keys"]))
        env.update(creds, AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION)
        if base.startswith("urestore"):
            binary = os.environ["UR_BASE_BIN"] if base == "urestore-base" else job["urestore_bin"]
            argv = [binary, "--endpoint-url", ep, "--log", "error"]
            if base == "urestore-epoll":
                argv += ["--io-backend", "epoll"]
            if base == "urestore-nocrc":
                argv += ["--no-verify-checksum"]
            if tls:
                argv += ["--ca-bundle", ca]
            if conc:
                argv += ["--numworkers", str(conc)]
            return argv + ["run", cmds], env
        if tls:
            env["AWS_CA_BUNDLE"] = ca
        argv = [which("s5cmd"), "--endpoint-url", ep, "--log", "error"]
        if conc:
            argv += ["--numworkers", str(conc)]
        return argv + ["run", cmds], env

    if base in ("curl-seq", "curl-par"):
        cfg = _write(os.path.join(scratch, "curl.cfg"),
                     (f"url = {_quote(f'{ep}/{bucket}/{k}')}\noutput = {_quote(os.path.join(out, k))}\n"
                      for k in job["keys"]))
        argv = ["/usr/bin/curl", "--silent", "--show-error", "--fail", "--create-dirs",
                "--aws-sigv4", f"aws:amz:{REGION}:s3", "--user", f"{AK}:{SK}"]
        if tls:
            argv += ["--cacert", ca]
        if base == "curl-par":
            argv += ["--parallel", "--parallel-max", str(conc or 32)]
        return argv + ["--config", cfg], env

    if base in ("rclone", "rclone-nocheck"):
        files = _write(os.path.join(scratch, "files.txt"), (k + "\n" for k in job["keys"]))
        conf = _write(os.path.join(scratch, "rclone.conf"), [])
        env.update({"RCLONE_CONFIG": conf, "RCLONE_CONFIG_PERF_TYPE": "s3", "RCLONE_CONFIG_PERF_PROVIDER": "Other",
                    "RCLONE_CONFIG_PERF_ENV_AUTH": "false", "RCLONE_CONFIG_PERF_ACCESS_KEY_ID": AK,
                    "RCLONE_CONFIG_PERF_SECRET_ACCESS_KEY": SK, "RCLONE_CONFIG_PERF_REGION": REGION,
                    "RCLONE_CONFIG_PERF_ENDPOINT": ep, "RCLONE_CONFIG_PERF_FORCE_PATH_STYLE": "true"})
        argv = ["/usr/bin/rclone", "copy", f"perf:{bucket}", out, "--files-from", files, "--no-traverse",
                "--retries", "1", "--low-level-retries", "1", "--log-level", "ERROR",
                "--cache-dir", os.path.join(job["home"], "rclone-cache")]
        if tls:
            argv += ["--ca-cert", ca]
        if conc:
            argv += ["--transfers", str(conc)]
        if base == "rclone-nocheck":
            argv.append("--ignore-checksum")
        return argv, env

    if base == "aws":
        conf = _write(os.path.join(scratch, "aws.conf"),
                      ["[default]\n", f"region = {REGION}\n", "s3 =\n", "    addressing_style = path\n"] +
                      ([f"    max_concurrent_requests = {conc}\n"] if conc else []))
        env.update(creds, AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=conf, AWS_PAGER="",
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(scratch, "no-credentials"))
        argv = ["/usr/bin/aws", "--endpoint-url", ep]
        if tls:
            argv += ["--ca-bundle", ca]
        return argv + ["s3", "cp", f"s3://{bucket}/", out, "--recursive", "--only-show-errors"], env

    raise ValueError(name)
