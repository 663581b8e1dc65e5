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
import os
import time

import httpx
import uvloop

from bench.stack.process import ROOT, Child
from services.notify.channels.http_delivery import outbound_client, post_json

BODY = '{"type":"case.routed","data":{"summary":"' + "物业费" * 250 + '"}}'
OK = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n"


class _Receiver(asyncio.Protocol):
    """Answers every request 200 with no body, keeping the connection: as cheap a receiver as can be."""

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
            self.transport.write(OK)


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


async def _compare(receiver: Child, n: int) -> list[str]:
    await receiver.wait_ready("/")
    base = receiver.url
    lines = ["| client | in flight | µs CPU per request | requests/s |", "|---|---:|---:|---:|"]
    headers = {"content-type": "application/json"}
    for in_flight in (10, 50):
        async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as client:
            async def via_httpx(i: int) -> None:
                assert (await client.post(f"{base}/hooks/{i % 35}", content=BODY.encode(), headers=headers)
                        ).status_code == 200
            cpu, rate = await _measure(via_httpx, in_flight, n)
        lines.append(f"| httpx 0.28 (AsyncClient) | {in_flight} | {cpu:,.0f} | {rate:,.0f} |")
        async with outbound_client(10.0, connections=100) as session:
            async def via_notify(i: int) -> None:
                assert (await post_json(session, f"{base}/hooks/{i % 35}", BODY, {})).status_code == 200
            cpu, rate = await _measure(via_notify, in_flight, n)
        lines.append(f"| aiohttp (notify's post_json) | {in_flight} | {cpu:,.0f} | {rate:,.0f} |")
    return lines


def section(n: int) -> list[str]:
    """The comparison's table, the receiver a child of the benchmark on a free port, stopped again."""
    log = ROOT / "var" / "bench" / "http-client-receiver.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    receiver = Child("webhook receiver", ["bench.http_client", "--serve"], dict(os.environ), log).start()
    try:
        return uvloop.run(_compare(receiver, n))
    finally:
        receiver.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="requests per client and width")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the receiver's own process
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        uvloop.run(_serve(args.port))
    else:
        print("\n".join(section(args.n)))


if __name__ == "__main__":
    main()
