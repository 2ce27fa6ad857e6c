"""A real server and a real browser: `appraisal serve`'s app under uvicorn on a free port over
SQLite, driven by Playwright through Debian's /usr/bin/chromium. Two stores: the small mine of
tests/helpers.py (`site`), and the demo mine that `make run` loads (`demo`).

Without Chromium the browser tests skip, saying why; under CI=true they must run and fail.
`make test` installs it (the Makefile's `chromium` step).
"""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from demo.load import PASSWORD as DEMO_PASSWORD
from service.app import create_app
from service.settings import Settings
from tests.conftest import IN_CI, Demo, copy_sqlite
from tests.helpers import Api, Observer

CHROMIUM = Path("/usr/bin/chromium")
# The closed network refuses Chromium's background connections; these keep it from trying.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SECRET = "browser-" + "x" * 40


@dataclass
class Site:
    """The running server: its address, and the API client over the same store."""

    url: str
    api: Api


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(settings: Settings) -> Iterator[tuple[str, TestClient]]:
    """The store of `settings` served by uvicorn as `appraisal serve` does: its address, and a
    client of the app over the same store."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    with Observer(create_app(settings)) as client:
        yield f"http://127.0.0.1:{port}", client
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The small mine built through the API, then served."""
    path = tmp_path_factory.mktemp("site") / "appraisal.db"
    settings = Settings(database_url=f"sqlite:///{path}", secret_key=SECRET,
                        admin_password="admin-password")
    with Observer(create_app(settings)) as client:
        Api.with_small_mine(client)
    with serving(settings) as (url, client):
        yield Site(url, Api(client))


@pytest.fixture(scope="session")
def demo(demo_mine: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo mine loaded by `appraisal demo`, as `make run` does (every month of it, all
    its accounts with the demo password), copied, then served."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo')}/appraisal.db"
    copy_sqlite(demo_mine.url, url)
    with serving(Settings(database_url=url, secret_key=SECRET)) as (address, client):
        yield Site(address, Api(client, password=DEMO_PASSWORD))


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true: the browser tests must run")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def profile(chromium, url: str) -> Any:
    """A fresh browser profile (no cookies) at phone size, in Chinese and Beijing time."""
    return chromium.new_context(viewport=PHONE, base_url=url, locale="zh-CN",
                                timezone_id="Asia/Shanghai")


@pytest.fixture
def browser(chromium, site: Site) -> Iterator[object]:
    """A fresh browser profile reading the small mine."""
    context = profile(chromium, site.url)
    yield context
    context.close()
