"""What posting one webhook costs notify in CPU: httpx (the client notify used until 2026-12-03)
against aiohttp through notify's own post_json, at 10 and 50 requests in flight (the webhook
worker's default concurrency), to a minimal keep-alive receiver in a process of its own. `make
bench` runs it as its "webhooks" section (docs/BENCHMARKS.md, "Posting a webhook"); it explains
notify's client choice (services/notify/channels/http_delivery.py).

Usage: python -m bench.http_client [--n 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import time

import httpx
import uvloop

from services.notify.channels.http_delivery import outbound_client, post_json

BODY = '{"type":"case.routed","data":{"summary":"' + "物业费" * 250 + '"}}'
NO_CONTENT = b"HTTP/1.1 204 No Content\r\nconnection: keep-alive\r\n\r\n"


class _Receiver(asyncio.Protocol):
    """Answers every request 204, keeping the connection: as cheap a receiver as can be."""

    def connection_made(self, transport) -> None:
        self.transport, self.buffer = transport, b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = next((int(line.split(b":")[1]) for line in self.buffer[:end].split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.transport.write(NO_CONTENT)


async def _serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(_Receiver, "127.0.0.1", port)
    await server.serve_forever()


async def _measure(post, in_flight: int, n: int) -> tuple[float, float]:
    """(µs of this process's CPU per request, requests/s), posting in rounds of `in_flight` as the
    webhook worker does."""
    for _ in range(4):
        await asyncio.gather(*(post(i) for i in range(in_flight)))
    cpu, wall = time.process_time(), time.perf_counter()
    for round_no in range(n // in_flight):
        await asyncio.gather(*(post(round_no * in_flight + i) for i in range(in_flight)))
    done = n // in_flight * in_flight
    return 1e6 * (time.process_time() - cpu) / done, done / (time.perf_counter() - wall)


async def _compare(base: str, n: int) -> list[str]:
    lines = ["| client | in flight | µs CPU per request | requests/s |", "|---|---:|---:|---:|"]
    headers = {"content-type": "application/json"}
    for in_flight in (10, 50):
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as client:
            async def via_httpx(i: int) -> None:
                assert (await client.post(f"{base}/hooks/{i % 35}", content=BODY.encode(), headers=headers)
                        ).status_code == 204
            cpu, rate = await _measure(via_httpx, in_flight, n)
        lines.append(f"| httpx 0.28 (AsyncClient) | {in_flight} | {cpu:,.0f} | {rate:,.0f} |")
        async with outbound_client(10.0, connections=100) as session:
            async def via_notify(i: int) -> None:
                assert (await post_json(session, f"{base}/hooks/{i % 35}", BODY, {})).status_code == 204
            cpu, rate = await _measure(via_notify, in_flight, n)
        lines.append(f"| aiohttp (notify's post_json) | {in_flight} | {cpu:,.0f} | {rate:,.0f} |")
    return lines


def _wait_for(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def section(n: int) -> list[str]:
    """The comparison's table, the receiver started on a free port and stopped again."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    receiver = subprocess.Popen([sys.executable, "-m", "bench.http_client", "--serve", str(port)])
    try:
        _wait_for(port)
        return uvloop.run(_compare(f"http://127.0.0.1:{port}", n))
    finally:
        receiver.terminate()
        receiver.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="requests per client and width")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the receiver's own process
    args = parser.parse_args()
    if args.serve:
        uvloop.run(_serve(args.serve))
    else:
        print("\n".join(section(args.n)))


if __name__ == "__main__":
    main()
