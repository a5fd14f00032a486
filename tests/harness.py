"""Start the real app and drive Debian's Chromium: shared by the browser tests and bench/."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page

from dashboard.ui.first_view import NOTE as FIRST_VIEW_NOTE

ROOT = Path(__file__).resolve().parents[1]

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL = ("http://localhost", "http://127.0.0.1", "ws://localhost", "ws://127.0.0.1", "data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    def __init__(self, data: Path | None = None, base_path: str = "", root: Path = ROOT,
                 entry: Path | None = None, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base_path = base_path.strip("/")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        if data is not None:
            env["SITUATION_MAP_DATA"] = str(data)
        self.log = ARTIFACTS / f"server-{self.port}.log"
        ARTIFACTS.mkdir(exist_ok=True)
        cmd = app_command(entry or root / "dashboard" / "server.py", self.port, self.base_path)
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        self._wait_healthy()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/" + (f"{self.base_path}/" if self.base_path else "")

    def _wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"app not healthy after {timeout}s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Watched:
    """A page that records every request leaving localhost, console errors and dialogs."""

    def __init__(self, page: Page) -> None:
        self.page, self.external, self.errors, self.dialogs = page, [], [], []
        page.on("request", lambda r: None if r.url.startswith(LOCAL) else self.external.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

        def on_dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

    def open(self, url: str) -> None:
        self.page.goto(url)
        wait_idle(self.page)
        # A first view draws the map page's panels in a second run, after the map's paint.
        self.page.get_by_text(FIRST_VIEW_NOTE).wait_for(state="detached", timeout=60_000)
        wait_idle(self.page)

    def map(self):
        return self.page.frame_locator('iframe[title="streamlit_folium.st_folium"]')


def wait_idle(page: Page, timeout: float = 90_000) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)




def chromium_path() -> str:
    exe = shutil.which("chromium")
    if not exe:
        raise RuntimeError("Debian's chromium is required (scripts/setup.sh test installs it)")
    return exe


def app_command(entry: Path, port: int, base_path: str = "") -> list[str]:
    cmd = [sys.executable, "-m", "streamlit", "run", str(entry), "--server.port", str(port),
           "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    return cmd + (["--server.baseUrlPath", base_path] if base_path else [])
