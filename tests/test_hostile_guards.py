"""Hostile cases for dashboard/serving/guards.py not covered by test_guards*.py (issue #21, second pass)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.serving import guards
from dashboard.serving.guards import MAX_FILES_PER_SESSION, RequestGuards


def parallel_puts(streamlit, paths: list[str]) -> list[int]:
    """PUT each path through the guards at once: every body arrives only once all requests have
    started (so none is stored before the others are counted). The statuses, in order."""

    async def run() -> list[int]:
        middleware = RequestGuards(streamlit)
        release = asyncio.Event()

        async def one(path: str) -> int:
            sent: list[dict] = []
            first = True

            async def receive():
                nonlocal first
                if first:
                    first = False
                    await release.wait()
                    return {"type": "http.request", "body": b"x" * 100, "more_body": False}
                return {"type": "http.disconnect"}

            async def send(message):
                sent.append(message)

            scope = {"type": "http", "method": "PUT", "path": path, "query_string": b"", "headers": []}
            await middleware(scope, receive, send)
            return sent[0]["status"]

        tasks = [asyncio.ensure_future(one(path)) for path in paths]
        for _ in range(5):
            await asyncio.sleep(0)
        release.set()
        return list(await asyncio.gather(*tasks))

    with ThreadPoolExecutor(1) as pool:  # a loop of its own: the browser tests leave one running here
        return pool.submit(asyncio.run, run()).result()


def test_parallel_uploads_cannot_pass_the_per_session_file_count(monkeypatch):
    """Found by sending 40 uploads with new file ids at once: each was counted against the files
    already stored (none yet) before its body arrived, so all 40 were stored. Uploads still
    streaming in count too."""
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    stored: dict[str, bytes] = {}
    monkeypatch.setattr(guards, "files_held", lambda path: (len(stored), path.rsplit("/", 1)[1] in stored))

    async def streamlit(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        stored[scope["path"].rsplit("/", 1)[1]] = body
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    statuses = parallel_puts(streamlit, [f"/_stcore/upload_file/s/f{i}" for i in range(40)])
    assert statuses.count(204) == MAX_FILES_PER_SESSION and statuses.count(429) == 40 - MAX_FILES_PER_SESSION
    assert len(stored) == MAX_FILES_PER_SESSION


def test_parallel_uploads_from_many_sessions_cannot_pass_the_servers_file_count(monkeypatch):
    """One file each from 40 sessions at once, against a server-wide cap of 5: uploads still
    streaming in count against it, so no more than 5 are ever stored."""
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    monkeypatch.setattr(guards, "MAX_FILES_TOTAL", 5)
    stored: dict[str, bytes] = {}
    monkeypatch.setattr(guards, "files_held", lambda path: (0, False))
    monkeypatch.setattr(guards, "files_held_total", lambda: len(stored))

    async def streamlit(scope, receive, send):
        message = await receive()
        stored[scope["path"]] = message.get("body", b"")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    statuses = parallel_puts(streamlit, [f"/_stcore/upload_file/s{i}/f" for i in range(40)])
    assert statuses.count(204) == 5 and statuses.count(429) == 35
    assert len(stored) == 5


def test_a_refused_or_failed_upload_frees_its_place(monkeypatch):
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    monkeypatch.setattr(guards, "files_held", lambda path: (0, False))

    async def broken(scope, receive, send):
        raise RuntimeError("downstream failed")

    async def run() -> None:
        middleware = RequestGuards(broken, upload_cap=10)

        async def receive():
            return {"type": "http.request", "body": b"x" * 5, "more_body": False}

        async def send(message):
            pass

        for i in range(MAX_FILES_PER_SESSION + 2):
            scope = {"type": "http", "method": "PUT", "path": f"/_stcore/upload_file/s/f{i}",
                     "query_string": b"", "headers": []}
            with pytest.raises(RuntimeError):
                await middleware(scope, receive, send)
        assert not middleware.streaming

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def test_refused_uploads_leave_nothing_behind(monkeypatch):
    """Found in review: a refused upload with a made-up session id left an empty entry behind,
    keyed by a path segment the sender chooses (unbounded)."""
    monkeypatch.setenv("SITUATION_MAP_EDITOR", "1")
    monkeypatch.setattr(guards, "files_held", lambda path: (0, False))
    monkeypatch.setattr(guards, "files_held_total", lambda: guards.MAX_FILES_TOTAL)

    async def never(scope, receive, send):
        raise AssertionError("a refused upload reached Streamlit")

    async def run() -> tuple[list[int], dict]:
        middleware = RequestGuards(never)
        statuses = []
        for i in range(50):
            sent: list[dict] = []

            async def receive():
                return {"type": "http.request", "body": b"x", "more_body": False}

            async def send(message, sent=sent):
                sent.append(message)

            scope = {"type": "http", "method": "PUT", "path": f"/_stcore/upload_file/made-up-{i}/f",
                     "query_string": b"", "headers": []}
            await middleware(scope, receive, send)
            statuses.append(sent[0]["status"])
        return statuses, middleware.streaming

    with ThreadPoolExecutor(1) as pool:  # a loop of its own: the browser tests leave one running here
        statuses, streaming = pool.submit(asyncio.run, run()).result()
    assert set(statuses) == {429} and streaming == {}
