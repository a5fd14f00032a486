"""Reading an article for the web page: in one long-lived worker process, with a time limit.

The ingest is pure Python and holds the interpreter while it runs: in the server's own process an
upload that reads slowly stopped every other reader's page (health checks and date steps waited
45-50 s). Here the server's thread only waits on the worker's answer, which releases the
interpreter, so other sessions go on. The worker is started with "spawn" (no copy of the server's
threads or sockets), warms up spaCy and the gazetteer at once, and is reused; a read that runs past
the limit gets its worker killed and a fresh one started, and the editor a one-line ReadTimeout.
Reads are taken one at a time: a second editor waits for the first (at most the same limit).

The worker is a plain process on a pipe, not a multiprocessing Pool: a pool worker killed from
outside while idle (OOM killer, operator) dies holding the pool's queue lock, its replacement never
gets a job, and Pool.terminate() then waits on that lock for ever, with the read lock held. A dead
worker here is seen at once (the pipe closes) and replaced.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import sys
import threading
import time
import types
from collections.abc import Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from dashboard.data.gazetteer import GazetteerError, default_dir, load_gazetteer

from .model import Article, Draft, IngestError

ENV_SECONDS = "SITUATION_MAP_READ_SECONDS"  # the operator's limit per read; tests set a tiny one
DEFAULT_SECONDS = 20.0

_lock = threading.Lock()  # one read at a time, and one worker
_jobs = itertools.count(1)  # each read's number: the worker's answer names it
_worker: _Worker | None = None


class ReadTimeout(IngestError):
    """A read stopped at the time limit (its worker was killed and replaced)."""


def limit_seconds() -> float:
    """The time limit: $SITUATION_MAP_READ_SECONDS when it is a positive number, else 20 s."""
    try:
        value = float(os.environ.get(ENV_SECONDS, ""))
    except ValueError:
        return DEFAULT_SECONDS
    return value if 0 < value < 3600 else DEFAULT_SECONDS


def _warm() -> None:
    # Runs in the worker as it starts, before any article: imports spaCy (about a second) and loads
    # the default gazetteer, so the first editor's read does not pay for them.
    from .places import tokenize

    tokenize("warm up")
    load_gazetteer()


def _job(raw: bytes | str, filename: str, limit: int, gazetteer: str, english: bool) -> tuple[Article, Draft]:
    """In the worker: read and ingest. Every failure comes back as a one-line IngestError."""
    from .pipeline import ingest
    from .reader import other_script, read_article

    try:
        article = read_article(raw, filename, limit)
        other = other_script(article.text) if english else None
        if other:
            raise IngestError(f"the text is mostly in {other} script; the ingest reads articles in English")
        return article, ingest(article, load_gazetteer(gazetteer))
    except GazetteerError as exc:
        raise IngestError(str(exc)) from None
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug must reach the editor as a line, not a traceback
        raise IngestError(f"the reader failed on this text ({type(exc).__name__})") from None


class _Worker:
    """The worker process and the parent's end of its pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        with _bare_main():
            self.proc: BaseProcess = context.Process(target=_serve, args=(child,), name="situation-map-reader",
                                                     daemon=True)
            self.proc.start()
        child.close()  # the parent keeps only its end: the pipe closes when the worker dies

    def stop(self) -> None:
        self.proc.kill()  # never waits on anything the worker might hold
        self.proc.join(5)
        self.conn.close()


def _serve(conn: Connection) -> None:
    """The worker's loop: warm up, then answer each job with ("ok", result) or ("error", IngestError)."""
    try:
        _warm()
    except Exception:  # noqa: BLE001 - a failed warm-up only makes the first read slower; it says why
        pass
    while True:
        try:
            number, *job = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        try:
            answer: tuple[int, str, object] = (number, "ok", _job(*job))
        except IngestError as exc:
            answer = (number, "error", IngestError(str(exc)))
        conn.send(answer)


def _send(conn: Connection, job: tuple) -> None:
    try:
        conn.send(job)
    except OSError:
        pass  # the worker died or was replaced: the waiting side says so


def _send_aside(conn: Connection, job: tuple) -> None:
    """Send from a thread: a 200 KB job fills the pipe and waits until the worker reads it, which
    must count against the time limit too (a worker stuck warming up never reads)."""
    threading.Thread(target=_send, args=(conn, job), name="situation-map-reader-send", daemon=True).start()


def worker_pid() -> int | None:
    """The worker's process id (tests kill it from outside), None before the first read."""
    return _worker.proc.pid if _worker is not None else None


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    """A spawned child first imports the parent's `__main__` from its file. Under Streamlit that
    is the page script of the run that started the worker (Streamlit puts each run's script in
    `sys.modules["__main__"]`), under AppTest a temporary script that fails outside its run: the
    child re-ran the app, or died on import and the pool started it again forever. The pool is
    started with a bare `__main__`, so its worker imports only what it needs."""
    real = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if real is not None:
            sys.modules["__main__"] = real


def _replace() -> None:
    """Kill the worker (it may be deep in a read) and start a fresh one, warming up at once."""
    global _worker
    if _worker is not None:
        _worker.stop()
    _worker = _Worker()


def _answer(number: int, deadline: float, seconds: float) -> tuple[str, object]:
    """The worker's answer to job `number`. An answer to an earlier job (one whose reader stopped
    waiting) is dropped: it is another article's."""
    assert _worker is not None
    while True:
        if not _worker.conn.poll(max(0.0, deadline - time.monotonic())):
            _replace()
            raise ReadTimeout(f"reading this article took longer than {seconds:g} s and was stopped, so "
                              f"that the map stays responsive for everyone")
        answered, kind, value = _worker.conn.recv()
        if answered == number:
            return kind, value


def read_in_worker(raw: bytes | str, filename: str, limit: int, *, english: bool = True,
                   seconds: float | None = None) -> tuple[Article, Draft]:
    """read_article + ingest in the worker; ReadTimeout after `seconds` (default limit_seconds())."""
    seconds = limit_seconds() if seconds is None else seconds
    if not _lock.acquire(timeout=seconds):
        raise ReadTimeout(f"another article is being read; try again in {seconds:g} s")
    try:
        if _worker is None or not _worker.proc.is_alive():
            _replace()  # first read, or the worker died while idle (killed from outside)
        assert _worker is not None
        # The data folder can change between runs (SITUATION_MAP_DATA): the worker is told which
        # gazetteer to use on every read rather than remembering the one it started with.
        number = next(_jobs)
        job = (number, raw, filename, limit, str(Path(default_dir())), english)
        try:
            _send_aside(_worker.conn, job)
            kind, value = _answer(number, time.monotonic() + seconds, seconds)
        except (EOFError, OSError):  # the worker died during the read (killed, out of memory)
            _replace()
            raise IngestError("the reader stopped while reading this article; try again") from None
        if kind == "error":
            raise value  # type: ignore[misc]
        return value  # type: ignore[return-value]
    finally:
        _lock.release()


def shutdown() -> None:
    """Stop the worker (tests, and a clean exit; it is a daemon process otherwise)."""
    global _worker
    with _lock:
        if _worker is not None:
            _worker.stop()
            _worker = None
