"""Memory conditioning (PERF-LAB pitfall 1).

The VM hands free memory back to the host; touching it again is slow, and a run that writes to the page
cache pays for it in sys time (1 GiB of buffered writes: ~0.2 s sys right after conditioning, up to
~0.4 s after 6 s idle here). So right before every run of every tool the runner touches and frees as much
memory as the run will fill (its output plus 1 GiB), never more than the free memory less a margin.

Touching all free memory (~20 GiB) each time, or holding it in a ballast process, was tried: on this
VM it cost 5–45 s per run (the host takes freed pages back within seconds), for no steadier figures.
"""
import mmap
import time

MIB = 1 << 20


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            out[k] = int(v.split()[0]) * 1024
    return out


def condition(nbytes, margin=1024 * MIB):
    """Touch and free nbytes of memory (capped at free memory less margin). Returns (bytes, seconds)."""
    n = min(nbytes, meminfo()["MemFree"] - margin)
    n -= n % (2 * MIB)
    if n < 64 * MIB:
        return 0, 0.0
    t = time.monotonic()
    mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE).close()
    return n, time.monotonic() - t
