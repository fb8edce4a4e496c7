# perf/lib/outfs.sh — a fresh ext4 of the suite's own for the tools' outputs (sourced by perf/run.sh).
#
# Why (PERF-LAB pitfall 2, and perf/README.md "The floor"): on the machine's own ext4 a create costs 3–7
# times more for minutes after thousands of deletes (ext4 reads the inode of every recently freed slot it
# passes), so small-file figures depended on what ran before. A file system made for the run has no such
# history. It is an image file on the same disk behind a loop device with direct I/O, so the tools'
# writes still reach the disk. Needs root and a loop device; otherwise the outputs go to
# $PERF_DATA/out as before, and the console says so.

PERF_OUTFS_MAX=$((32 << 30))    # the image; sparse, so it takes only what is written
PERF_OUTFS_SPARE=$((12 << 30))  # left free on the disk beside it, for data sets made later in the run
PERF_OUTFS_MIN=$((16 << 30))

# perf_outfs_up DIR: mounts a new ext4 on DIR unless one is mounted there already by this run.
perf_outfs_up() {
    local dir=$1 img=$1.img avail size
    [ -n "${PERF_OUTFS_MOUNTED:-}" ] && return 0
    PERF_OUTFS_MOUNTED=no
    if [ "$(id -u)" != 0 ] || ! command -v mkfs.ext4 >/dev/null || ! command -v losetup >/dev/null; then
        echo "perf: outputs on $dir as it is (a fresh file system needs root, mkfs.ext4 and losetup)"
        return 0
    fi
    mkdir -p "$dir" || return 1
    # left by a run that was killed
    mountpoint -q "$dir" && umount "$dir"
    [ -f "$img" ] && losetup -j "$img" | cut -d: -f1 | xargs -r -n1 losetup -d
    rm -f "$img"
    avail=$(df --output=avail -B1 "$(dirname "$dir")" | tail -n 1)
    size=$((avail - PERF_OUTFS_SPARE))
    [ "$size" -gt $PERF_OUTFS_MAX ] && size=$PERF_OUTFS_MAX
    if [ "$size" -lt $PERF_OUTFS_MIN ]; then
        echo "perf: outputs on $dir as it is ($((avail >> 30)) GiB free: too little for a file system of their own)"
        return 0
    fi
    # -i 8192: twice ext4's default inodes, for the scale run's 600,000 kept files. Direct I/O on the loop
    # device: the image's pages do not sit in the page cache beside the outputs' own.
    local dev=
    if truncate -s "$size" "$img" && mkfs.ext4 -q -F -i 8192 -E nodiscard "$img" &&
        dev=$(losetup --find --show --direct-io=on "$img") && mount "$dev" "$dir"; then
        PERF_OUTFS_MOUNTED=$dir PERF_OUTFS_DEV=$dev
        echo "perf: outputs on a fresh ext4 of $((size >> 30)) GiB at ${dir#$ROOT/} ($dev, image ${img#$ROOT/})"
    else
        [ -n "$dev" ] && losetup -d "$dev"
        rm -f "$img"
        echo "perf: outputs on $dir as it is (could not make and mount a file system there)"
    fi
}

perf_outfs_down() {
    local dir=${PERF_OUTFS_MOUNTED:-}
    case $dir in "" | no) return 0 ;; esac
    umount "$dir" 2>/dev/null || umount -l "$dir"
    losetup -d "$PERF_OUTFS_DEV" 2>/dev/null
    rm -f "$dir.img"
    PERF_OUTFS_MOUNTED=
}
