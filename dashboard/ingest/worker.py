"""Reading an article for the web page: in one long-lived worker process, with a time limit.

The ingest is pure Python and holds the interpreter while it runs: in the server's own process an
upload that reads slowly stopped every other reader's page (health checks and date steps waited
45-50 s). Here the server's thread only waits on the worker's answer, which releases the
interpreter, so other sessions go on. The worker is started with "spawn" (no copy of the server's
threads or sockets), warms up spaCy and the gazetteer at once, and is reused; a read that runs past
the limit gets its worker killed and a fresh one started, and the editor a one-line ReadTimeout.
Reads are taken one at a time: a second editor waits for the first (at most the same limit).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Iterator
from multiprocessing.pool import Pool
from pathlib import Path

from dashboard.data.gazetteer import GazetteerError, default_dir, load_gazetteer

from .model import Article, Draft, IngestError

ENV_SECONDS = "SITUATION_MAP_READ_SECONDS"  # the operator's limit per read; tests set a tiny one
DEFAULT_SECONDS = 20.0

_lock = threading.Lock()  # one read at a time, and one pool
_pool: Pool | None = None


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


def _start() -> Pool:
    with _bare_main():
        return multiprocessing.get_context("spawn").Pool(processes=1, initializer=_warm)


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
    global _pool
    if _pool is not None:
        _pool.terminate()
    _pool = _start()


def read_in_worker(raw: bytes | str, filename: str, limit: int, *, english: bool = True,
                   seconds: float | None = None) -> tuple[Article, Draft]:
    """read_article + ingest in the worker; ReadTimeout after `seconds` (default limit_seconds())."""
    global _pool
    seconds = limit_seconds() if seconds is None else seconds
    if not _lock.acquire(timeout=seconds):
        raise ReadTimeout(f"another article is being read; try again in {seconds:g} s")
    try:
        if _pool is None:
            _pool = _start()
        # The data folder can change between runs (SITUATION_MAP_DATA): the worker is told which
        # gazetteer to use on every read rather than remembering the one it started with.
        job = _pool.apply_async(_job, (raw, filename, limit, str(Path(default_dir())), english))
        try:
            return job.get(timeout=seconds)
        except multiprocessing.TimeoutError:
            _replace()
            raise ReadTimeout(f"reading this article took longer than {seconds:g} s and was stopped, so that "
                              f"the map stays responsive for everyone") from None
    finally:
        _lock.release()


def shutdown() -> None:
    """Stop the worker (tests, and a clean exit; it is a daemon process otherwise)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.terminate()
            _pool = None
