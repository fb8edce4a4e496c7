#!/usr/bin/env bash
# tests/kernel/debian12.sh — restores on Debian 12's own kernel (6.1): boots Debian's linux-image-amd64
# under qemu with a small initramfs (tests/kernel/guest-init.sh as /init) that serves objects with nginx
# and restores them with the client under test onto ext4 and tmpfs, as root and as a user, fresh and over
# existing files, over HTTP and HTTPS, checking every byte. All traffic stays inside the guest (-nic none).
#
# Why: users run kernels older than this machine's (Debian 12 and Amazon Linux 2023 ship 6.1); io_uring
# opcodes newer than theirs (IORING_OP_FTRUNCATE is 6.9) must be emulated, and only a real 6.1 shows it.
#
# The kernel package is the bookworm candidate that linux-image-amd64 depends on, fetched with
# `apt-get download` and unpacked (dpkg-deb -x) into $BUILD/kernel-debian12/ — never installed. Software
# emulation (-accel tcg -cpu max): /dev/kvm exists on these machines but a nested KVM guest hangs before
# the kernel prints anything. One boot takes ~95 s on an idle machine (194 s measured at load 16 on its two
# cores, the whole suite and others' builds beside it); qemu is killed after UR_KERNEL_TIMEOUT seconds.
#
# Exit status: 0 every check passed; 1 a check failed, the guest did not finish, or it ran another kernel;
# 77 (skip) the kernel package cannot be had (no Debian package source, and none in the cache).
# Environment: BUILD (default build), UR_BIN (default $BUILD/urestore), UR_KERNEL_TIMEOUT (default 300),
# UR_KERNEL_PKG (a linux-image-* package name instead of the candidate), UR_KERNEL_KEEP=1 (keep the image
# and serial log of the run in $BUILD/kernel-debian12/run).
set -euo pipefail

cd "$(dirname "$0")/../.."
REPO=$PWD
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
UR_BIN=${UR_BIN:-$BUILD/urestore}
case "$UR_BIN" in /*) ;; *) UR_BIN=$REPO/$UR_BIN ;; esac
TIMEOUT=${UR_KERNEL_TIMEOUT:-300}
CACHE=$BUILD/kernel-debian12
RUN=$CACHE/run

say() { printf 'debian12: %s\n' "$*" >&2; }
fail() { printf 'FAIL debian12: %s\n' "$*" >&2; exit 1; }
skip() { printf 'SKIP debian12: %s\n' "$*" >&2; exit 77; }

[ -x "$UR_BIN" ] || fail "client not found: $UR_BIN (build it with make)"
for tool in qemu-system-x86_64 cpio mke2fs nginx openssl dpkg-deb; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps.sh installs it)"
done
BUSYBOX=/bin/busybox
# A dynamic busybox would need its libraries in the image too; Debian's busybox-static has none.
if [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
    fail "$BUSYBOX is missing or not static (busybox-static)"
fi

# ---- the kernel package ------------------------------------------------------------------------------
pkg=${UR_KERNEL_PKG:-}
if [ -z "$pkg" ] && command -v apt-cache >/dev/null; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
fi
ver=
[ -n "$pkg" ] && ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
if [ -n "$pkg" ] && [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
    KDIR=$CACHE/${pkg}_$ver
    if [ ! -d "$KDIR/root/boot" ]; then
        say "fetching $pkg $ver"
        rm -rf "$KDIR.tmp" && mkdir -p "$KDIR.tmp"
        # As root, apt warns that _apt cannot write here and downloads anyway.
        (cd "$KDIR.tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) ||
            { rm -rf "$KDIR.tmp"; skip "apt-get download $pkg=$ver failed (no package source?)"; }
        dpkg-deb -x "$KDIR.tmp"/*.deb "$KDIR.tmp/root"
        rm -f "$KDIR.tmp"/*.deb
        mv "$KDIR.tmp" "$KDIR"
    fi
else
    # Offline or not Debian: the newest kernel unpacked before, if any.
    KDIR=$(find "$CACHE" -maxdepth 1 -name 'linux-image-*' -type d ! -name '*.tmp' 2>/dev/null | sort -V | tail -n 1)
    [ -n "$KDIR" ] || skip "no Debian package source for linux-image-amd64, and no kernel in $CACHE"
fi
VMLINUZ=$(find "$KDIR/root/boot" -name 'vmlinuz-*' | head -n 1)
KVER=${VMLINUZ##*/vmlinuz-}
MODDIR=$KDIR/root/lib/modules/$KVER
if [ ! -f "$VMLINUZ" ] || [ ! -d "$MODDIR" ]; then fail "no kernel or modules in $KDIR"; fi

# ---- the initramfs -----------------------------------------------------------------------------------
rm -rf "$RUN"
R=$RUN/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,srv,mnt,k61/modules}

# put SRC DEST: a program, and every shared library it loads, at the same paths in the image.
put() {
    cp "$1" "$R$2"
    local lib
    for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
        [ -e "$R$lib" ] && continue
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
    done
}
cp "$BUSYBOX" "$R/bin/busybox"
for applet in $("$BUSYBOX" --list); do [ -e "$R/bin/$applet" ] || ln -s busybox "$R/bin/$applet"; done
put "$UR_BIN" /bin/urestore
put "$(command -v nginx)" /usr/sbin/nginx
put "$(command -v mke2fs)" /sbin/mke2fs
ln -sf mke2fs "$R/sbin/mkfs.ext4"
[ -f /etc/mke2fs.conf ] && cp /etc/mke2fs.conf "$R/etc/"
# The objects the guest restores: the sizes guest-init.sh lists, and keys that need encoding.
mkdir -p "$R/srv/bkt/dir/a b" "$R/srv/bkt/deep/1/2/3"
for size in 0 1 4095 4096 4097 1048577 8388608 20971523; do head -c "$size" /dev/urandom >"$R/srv/bkt/obj-$size"; done
head -c 5000 /dev/urandom >"$R/srv/bkt/dir/a b/k+%x"
head -c 12345 /dev/urandom >"$R/srv/bkt/deep/1/2/3/obj"
head -c 70001 /dev/urandom >"$R/srv/bkt/ü-utf8"
cp tests/kernel/guest-init.sh "$R/init"
chmod 755 "$R/init"

# Modules with what they need first: depends= and softdep= from each module's .modinfo strings (the
# package has no modules.dep: depmod runs at install). A softdep names an alias ("crypto-crc32c"):
# the generic implementation stands for it.
MODS=()
mod_file() {
    local n=${1#crypto-} f
    for f in "$n" "${n//-/_}" "${n//_/-}" "${n}_generic"; do
        find "$MODDIR" -name "$f.ko" -print -quit | grep . && return 0
    done
    return 1
}
add_mod() {
    local f name deps d
    f=$(mod_file "$1") || fail "module $1 not in $KDIR"
    name=$(basename "$f" .ko)
    for d in "${MODS[@]}"; do [ "$d" = "$name" ] && return 0; done
    deps=$(tr '\0' '\n' <"$f" | sed -n 's/^depends=//p; s/^softdep=.*pre: *//p' | tr ',' ' ')
    for d in $deps; do add_mod "$d"; done
    cp "$f" "$R/k61/modules/"
    MODS+=("$name")
}
add_mod ext4
add_mod brd
for m in "${MODS[@]}"; do
    # One 192 MiB RAM disk for ext4: the objects twice (root, user) plus one being replaced.
    if [ "$m" = brd ]; then echo "brd rd_nr=1 rd_size=196608"; else echo "$m"; fi
done >"$R/k61/modules.list"

cat >"$R/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
ur:x:1000:1000:ur:/tmp/home-user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$R/etc/group" <<'EOF'
root:x:0:
ur:x:1000:
nogroup:x:65534:
EOF
echo '127.0.0.1 localhost' >"$R/etc/hosts"
echo 'hosts: files' >"$R/etc/nsswitch.conf"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost -keyout "$R/k61/key.pem" -out "$R/k61/cert.pem" 2>/dev/null
# nginx as a plain static server: /<bucket>/<key> is /srv/<bucket>/<key>; byte ranges and If-Match on
# the ETag come with it. One process (no master, no user switch), every path under /tmp.
cat >"$R/k61/nginx.conf" <<'EOF'
master_process off;
pid /tmp/nginx/nginx.pid;
error_log /tmp/nginx/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path /tmp/nginx/body;
    proxy_temp_path /tmp/nginx/proxy;
    fastcgi_temp_path /tmp/nginx/fastcgi;
    uwsgi_temp_path /tmp/nginx/uwsgi;
    scgi_temp_path /tmp/nginx/scgi;
    default_type application/octet-stream;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:80;
        listen 127.0.0.1:443 ssl;
        ssl_certificate /k61/cert.pem;
        ssl_certificate_key /k61/key.pem;
        root /srv;
    }
}
EOF
# Uncompressed: under emulation the kernel would spend seconds inflating it.
(cd "$R" && find . | cpio -o -H newc --quiet) >"$RUN/initrd.cpio"

# ---- the boot ----------------------------------------------------------------------------------------
LOG=$RUN/serial.log
say "booting $KVER ($(du -m "$RUN/initrd.cpio" | cut -f1) MiB initramfs), at most ${TIMEOUT}s"
t0=$(date +%s)
rc=0
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1G -nographic -nic none -no-reboot \
    -kernel "$VMLINUZ" -initrd "$RUN/initrd.cpio" \
    -append 'console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init' </dev/null >"$LOG" 2>&1 || rc=$?
secs=$(($(date +%s) - t0))
# The console also carries the firmware's and the kernel's output (terminal escapes before our first line).
tr -d '\r' <"$LOG" | grep -ao 'UR-K61 .*' >"$LOG.txt" || true

# ---- the verdict -------------------------------------------------------------------------------------
grep -a '^UR-K61 \(FAIL\|LOG\)' "$LOG.txt" | sed 's/^UR-K61 /  /' >&2 || true
kernel=$(sed -n 's/^UR-K61 KERNEL //p' "$LOG.txt")
plan=$(sed -n 's/^UR-K61 PLAN //p' "$LOG.txt")
passed=$(grep -ac '^UR-K61 PASS ' "$LOG.txt" || true)
failed=$(grep -ac '^UR-K61 FAIL ' "$LOG.txt" || true)
why=
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    why="the guest did not finish in ${TIMEOUT}s"
elif ! grep -aq '^UR-K61 DONE' "$LOG.txt"; then
    why="the guest stopped before the end (qemu exit $rc)"
elif [ "$kernel" != "$KVER" ]; then
    why="the guest ran '$kernel', not $KVER"
elif [ "$failed" != 0 ] || [ -z "$plan" ] || [ "$passed" != "$plan" ]; then
    why="$failed of ${plan:-?} checks failed ($passed passed)"
fi
if [ -n "$why" ]; then
    say "last lines of the serial console ($LOG):"
    tr -d '\r' <"$LOG" | tail -n 15 | sed 's/^/  | /' >&2
    fail "$why, on $KVER after ${secs}s"
fi
say "$passed of $plan checks passed on $KVER in ${secs}s"
[ "${UR_KERNEL_KEEP:-0}" = 1 ] || rm -rf "$RUN"
exit 0
