"""The whole platform as `make run` serves it (four services in one process, SQLite, the in-process
bus, the roster and demo accounts, the court simulator), on a real port, and Debian's Chromium
driven by Playwright against it."""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright, expect

from tests.support.platform import Platform, running

CHROMIUM = "/usr/bin/chromium"
# headless in a closed network: without the background-networking flags Chromium keeps trying
# Google's hosts at start
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# generous: the machine may be busy with other suites; a page that never comes still fails
expect.set_options(timeout=20_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class Live:
    platform: Platform
    base: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def live(sqlite_urls) -> AsyncIterator[Live]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    settings = {"notify": {"court_endpoint": f"{base}/court-simulator/handoffs"}}
    async with running(sqlite_urls, settings=settings) as p:
        server = uvicorn.Server(uvicorn.Config(p.app, host="127.0.0.1", port=port, lifespan="off",
                                               log_config=None, access_log=False))
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        try:
            yield Live(platform=p, base=base)
        finally:
            server.should_exit = True
            await task


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    # a browser test that cannot find its browser fails: `make test` installs it (make browser)
    assert shutil.which("chromium") or Path(CHROMIUM).exists(), "Debian's chromium is missing: run make browser"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()
