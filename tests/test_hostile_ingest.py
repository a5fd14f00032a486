"""Hostile cases for the editor's reading worker (dashboard/ingest/worker.py), issue #21 second pass.

No clock: a read that never comes back is detected by a thread that has not finished after a
generous bound, and the assertions are on what came back, never on how long it took."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import pytest

from dashboard.ingest import IngestError, worker
from dashboard.ingest.reader import PAGE_LIMIT

TEXT = "Drones were shot down over Kursk and Sudzha overnight, officials said on 3 March 2025.\n"


class DiesWhenRead:
    """Unpickled in the worker, it ends the worker's process: a worker killed in the middle of a
    read (the OOM killer, an operator), at a known moment."""

    def __reduce__(self):
        return os._exit, (9,)


@pytest.fixture(autouse=True, scope="module")
def stop_worker():
    yield
    stopping = threading.Thread(target=worker.shutdown, daemon=True)  # the old code hung here too
    stopping.start()
    stopping.join(60)


def read_aside(raw: object = TEXT, seconds: float = 60) -> dict:
    """read_in_worker in a thread (the old code hung in it for ever): what it returned or raised."""
    box: dict = {}

    def run() -> None:
        try:
            box["draft"] = worker.read_in_worker(raw, "pasted.txt", PAGE_LIMIT, seconds=seconds)[1]
        except IngestError as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds + 60)
    box["finished"] = not thread.is_alive()
    return box


def test_a_worker_killed_from_outside_while_idle_costs_no_read():
    """Found by SIGKILLing the idle worker (as the OOM killer or an operator would): the pool
    started another, which never got the job (the dead one held the queue's lock); at the limit
    Pool.terminate() waited on that lock for ever, holding the read lock: the editor was stuck
    for every session until the server restarted."""
    assert "draft" in read_aside()
    for child in multiprocessing.active_children():
        os.kill(child.pid, signal.SIGKILL)
        child.join(30)
    after = read_aside(seconds=30)
    assert after["finished"], "the read never came back"
    assert "draft" in after and after["draft"].places


def test_a_worker_dying_during_a_read_is_one_line_and_the_next_read_works():
    assert "draft" in read_aside()
    stopped = read_aside(DiesWhenRead(), seconds=30)
    assert stopped["finished"], "the read never came back"
    assert "error" in stopped and "\n" not in str(stopped["error"])
    assert "draft" in read_aside(), "a fresh worker reads the next article"


def test_nul_or_control_bytes_late_in_a_file_are_refused():
    """The binary check read only the first 8 KB: a file clean there and binary after passed."""
    import pytest as _pytest

    from dashboard.ingest import IngestError, read_article

    clean = ("Kursk Oblast front report. " * 400).encode()  # over 8 KB of text first
    for tail in (b"\x00" * 10, b"\x01\x02\x03\x04" * 200):
        with _pytest.raises(IngestError, match="looks binary"):
            read_article(clean + tail + clean, "late.txt")
