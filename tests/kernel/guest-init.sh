#!/bin/busybox sh
# shellcheck shell=dash
# tests/kernel/guest-init.sh — /init of the guest that tests/kernel/debian12.sh boots: restores objects
# from nginx (inside the guest, over loopback) onto ext4 and tmpfs, as root and as an unprivileged user,
# fresh and over existing files, and prints one line per check on the serial console:
#   UR-K61 KERNEL <uname -r>      UR-K61 PLAN <checks>      UR-K61 PASS|FAIL <run> <what> [why]
#   UR-K61 LOG <run> <client stderr line>      UR-K61 TIME <step> at <uptime> s      UR-K61 DONE
# The host side parses these lines; nothing here decides whether the test passed.
#
# What the image holds (the host puts it there): busybox, urestore, nginx and mke2fs with their shared
# libraries, the kernel's ext4 and brd modules in load order (/k61/modules.list), a self-signed
# certificate for localhost (/k61/cert.pem, key.pem), /etc/passwd with the user "ur" (uid 1000).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp && mount -t tmpfs -o mode=1777 tmp /tmp

say() { echo "UR-K61 $*"; }
ok() { say "PASS $*"; }
bad() { say "FAIL $*"; }
# The end, whatever happened: the host waits for DONE, then for qemu to exit.
finish() {
    say "DONE"
    sync
    poweroff -f
    echo o >/proc/sysrq-trigger
}

say "KERNEL $(uname -r)"
say "TIME start at $(cut -d' ' -f1 /proc/uptime) s"

# Sizes around the 4 KiB block (O_DIRECT writes a padded tail, then truncates), one above a 1 MiB
# buffer, one whole 8 MiB part, one that is several parts with a tail. Then keys that need encoding.
SIZES="0 1 4095 4096 4097 1048577 8388608 20971523" # also in debian12.sh
NKEYS=3
RUNS=8
# per run: each object, the client's exit status, no temporary file left behind
say "PLAN $((RUNS * ($(echo "$SIZES" | wc -w) + NKEYS + 2)))"

while read -r m args; do
    # shellcheck disable=SC2086 # module parameters: word splitting intended
    insmod "/k61/modules/$m.ko" $args || { bad setup "insmod $m"; finish; }
done </k61/modules.list
ip link set lo up

# The objects (/srv/bkt, random bytes the host made: the guest's urandom is slow under emulation) are
# served by nginx as /<bucket>/<key>.
mkdir -p /tmp/nginx
nginx -e /tmp/nginx/error.log -c /k61/nginx.conf || { bad setup "nginx did not start"; finish; }
i=0
until wget -q -O /dev/null http://127.0.0.1/bkt/obj-1; do
    i=$((i + 1))
    [ $i -lt 50 ] || { bad setup "nginx does not answer"; finish; }
    usleep 100000
done

say "TIME served at $(cut -d' ' -f1 /proc/uptime) s"
mkfs.ext4 -q -F /dev/ram0 || { bad setup "mkfs.ext4"; finish; }
mkdir -p /mnt/ext4 /mnt/tmpfs
mount -t ext4 /dev/ram0 /mnt/ext4 || { bad setup "mount ext4"; finish; }
mount -t tmpfs -o size=256m tmpfs /mnt/tmpfs || { bad setup "mount tmpfs"; finish; }

# objects: "LOCALNAME|KEY" lines (keys may hold spaces)
objects() {
    for s in $SIZES; do echo "obj-$s|obj-$s"; done
    echo "key-space|dir/a b/k+%x"
    echo "key-deep|deep/1/2/3/obj"
    echo "key-utf8|ü-utf8"
}

# run_as WHO CMD...: runs CMD as root, or as the user "ur" (uid 1000; busybox su asks root for nothing).
run_as() {
    if [ "$1" = user ]; then
        shift
        # shellcheck disable=SC2016 # expanded by the user's shell
        su -s /bin/sh -c 'exec "$0" "$@"' -- ur "$@"
    else
        shift
        "$@"
    fi
}

# restore FS WHO ROUND PROTO: one `urestore run` of every object into /mnt/FS/WHO, then the checks.
restore() {
    fs=$1 who=$2 round=$3 proto=$4
    run="$fs/$who/$round/$proto"
    dir=/mnt/$fs/$who
    mkdir -p "$dir" "/tmp/home-$who"
    objects | while IFS='|' read -r name key; do
        if [ "$round" = over ]; then
            # A file of other bytes (some text, then a hole), longer than the object, mode 0600: all of
            # it must be replaced.
            head -c 4096 /k61/cert.pem >"$dir/$name"
            truncate -s $(($(stat -c %s "/srv/bkt/$key") + 4097)) "$dir/$name"
            chmod 600 "$dir/$name"
        fi
        echo "cp 's3://bkt/$key' '$dir/$name'"
    done >"/tmp/tasks-$fs-$who"
    [ "$who" = user ] && chown -R 1000:1000 "$dir" "/tmp/home-$who"
    port=80
    [ "$proto" = https ] && port=443
    rc=0
    run_as "$who" env -i PATH=/bin HOME="/tmp/home-$who" AWS_ACCESS_KEY_ID=k61 AWS_SECRET_ACCESS_KEY=k61 \
        AWS_REGION=us-east-1 urestore --ca-bundle /k61/cert.pem --endpoint-url "$proto://localhost:$port" \
        run "/tmp/tasks-$fs-$who" >/tmp/out 2>/tmp/err || rc=$?
    while read -r line; do say "LOG $run $line"; done </tmp/err
    if [ $rc = 0 ]; then ok "$run exit"; else bad "$run exit" "status $rc"; fi
    say "TIME $run at $(cut -d' ' -f1 /proc/uptime) s"
    objects | while IFS='|' read -r name key; do
        if [ ! -f "$dir/$name" ]; then
            bad "$run $name" "missing"
        elif ! cmp -s "/srv/bkt/$key" "$dir/$name"; then
            bad "$run $name" "differs: $(stat -c %s "$dir/$name") bytes, want $(stat -c %s "/srv/bkt/$key")"
        elif [ "$(stat -c %a "$dir/$name")" != 644 ]; then
            bad "$run $name" "mode $(stat -c %a "$dir/$name"), want 644" # a new file, not the old one's
        else
            ok "$run $name"
        fi
    done
    left=$(find "$dir" -name '.*.urestore-*' | head -n 3)
    if [ -z "$left" ]; then ok "$run clean"; else bad "$run clean" "left behind: $left"; fi
}

# HTTPS costs ~12 s a run under emulation and meets the kernel only where HTTP does (SEND, RECV): once
# as root and once as the user.
restore ext4 root fresh http
restore ext4 root over https
restore ext4 user fresh http
restore ext4 user over http
restore tmpfs root fresh http
restore tmpfs root over http
restore tmpfs user fresh https
restore tmpfs user over http
finish
