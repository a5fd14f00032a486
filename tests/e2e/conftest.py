"""Browser-test fixtures: one app server per module, one Chromium per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.harness import ARTIFACTS, CHROMIUM_ARGS, AppServer, Watched, chromium_path, wait_idle

__all__ = ["ARTIFACTS", "AppServer", "Watched", "wait_idle"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    server = AppServer()
    yield server
    server.stop()


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    yield Watched(ctx.new_page())
    ctx.close()
