#!/usr/bin/python3
"""perf/lib/delay_relay.py — a TCP relay that delays every byte by a fixed time each way, to measure a
client against a server on loopback as if the server were a network round trip away (this kernel has no
netem). Python 3 stdlib only.

    delay_relay.py UPSTREAM_HOST UPSTREAM_PORT DELAY_MS [--parent PID]

Listens on 127.0.0.1 on a free port and prints it on the first line of stdout. Each connection gets its own
upstream connection; what either side sends reaches the other DELAY_MS later (in order; a close too), so a
request and its answer cost 2 × DELAY_MS more than direct, and bytes in flight are not limited: a stand-in
for latency, not for bandwidth.
"""

import argparse
import asyncio
import os
import sys


async def pump(reader, writer, delay):
    q = asyncio.Queue()

    async def send():
        loop = asyncio.get_running_loop()
        while True:
            due, data = await q.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                try:
                    writer.write_eof()
                except OSError:
                    pass
                return
            writer.write(data)
            await writer.drain()

    task = asyncio.create_task(send())
    loop = asyncio.get_running_loop()
    try:
        while True:
            data = await reader.read(1 << 16)
            await q.put((loop.time() + delay, data or None))
            if not data:
                break
        await task
    except (ConnectionError, OSError):
        task.cancel()
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("delay_ms", type=float)
    ap.add_argument("--parent", type=int, default=0, help="exit when this process is gone")
    a = ap.parse_args()
    delay = a.delay_ms / 1000.0

    async def conn(r, w):
        try:
            ur, uw = await asyncio.open_connection(a.host, a.port)
        except OSError:
            w.close()
            return
        await asyncio.gather(pump(r, uw, delay), pump(ur, w, delay), return_exceptions=True)

    srv = await asyncio.start_server(conn, "127.0.0.1", 0)
    print(srv.sockets[0].getsockname()[1], flush=True)
    while True:
        await asyncio.sleep(1)
        if a.parent:
            try:
                os.kill(a.parent, 0)
            except ProcessLookupError:
                return


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    asyncio.run(main())
