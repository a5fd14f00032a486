"""Run a drawing job in a child process (`python -m dashboard.animation.job`), watched.

Why a process: matplotlib and the encoders hold the interpreter while they draw, so in a
server thread they slowed every other reader's date step to over a second; in a child the
server's interpreter stays free. The child is also the memory fence: its resident memory is
read every fraction of a second and the job is stopped past WORKER_RSS_MB, so one reader's
request can never take the replica (and every session on it) past its limit.

Protocol: one JSON line on the child's stdin (the job); the child answers on stdout with
`progress DONE TOTAL` lines, then `done {json}` or `error MESSAGE`. Its stderr goes to the
server's log, never to a reader."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from dashboard.animation.window import AnimationError

#: The child's resident memory limit. The server uses about 380 MB, the Deployment allows
#: 768 MiB: the child must stay well inside the rest. A 400-frame 1280x720 GIF peaks near 260 MB.
WORKER_RSS_MB = 360
#: No job runs longer than this (400 frames take one to two minutes on two busy cores).
WORKER_SECONDS = 900.0
_POLL_SECONDS = 0.2
_PROJECT = Path(__file__).resolve().parents[2]


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def animation_job(request: Any, out: Path) -> dict[str, Any]:
    return {"kind": "animation", "out": str(out), "request": _plain(asdict(request))}


def still_job(request: Any, out: Path) -> dict[str, Any]:
    return {"kind": "still", "out": str(out), "request": _plain(asdict(request))}


class WorkerFailed(AnimationError):
    """The child stopped without a result: over its memory or time, or it crashed."""


@contextmanager
def scratch_file(suffix: str) -> Iterator[Path]:
    """A private temporary file, removed afterwards whatever happens."""
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="situation-map-")
    os.close(handle)
    try:
        yield Path(name)
    finally:
        with suppress(OSError):
            os.unlink(name)


def rss_mb(pid: int) -> float | None:
    """A process's resident memory now, from /proc (None where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def run_job(job: dict[str, Any], root: Path, progress: Callable[[int, int], None] | None = None,
            rss_limit_mb: float | None = None, seconds: float | None = None) -> dict[str, Any]:
    """Run `job` in a child reading the data folder `root`; the child's `done` answer. Raises
    AnimationError with the child's one-line reason, or WorkerFailed."""
    limit = WORKER_RSS_MB if rss_limit_mb is None else rss_limit_mb
    env = {**os.environ, "SITUATION_MAP_DATA": str(root),
           "PYTHONPATH": os.pathsep.join(p for p in (str(_PROJECT), os.environ.get("PYTHONPATH", "")) if p),
           "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    child = subprocess.Popen([sys.executable, "-m", "dashboard.animation.job"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=None, text=True, env=env, cwd=_PROJECT)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(child, lines), daemon=True).start()
    answered = False
    try:
        assert child.stdin is not None
        child.stdin.write(json.dumps(job) + "\n")
        child.stdin.close()
        answer = _watch(child, lines, progress, limit, WORKER_SECONDS if seconds is None else seconds)
        answered = True
        return answer
    finally:
        if not answered:  # refused, stopped, or the reader went away (a rerun stops the script)
            child.kill()
        try:  # after its answer the child only exits
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _pump(child: subprocess.Popen, lines: queue.Queue[str | None]) -> None:
    assert child.stdout is not None
    for line in child.stdout:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _watch(child: subprocess.Popen, lines: queue.Queue[str | None], progress: Callable[[int, int], None] | None,
           limit: float, seconds: float) -> dict[str, Any]:
    deadline, peak = time.monotonic() + seconds, 0.0
    while True:
        peak = max(peak, rss_mb(child.pid) or 0.0)
        if peak > limit:
            child.kill()
            raise WorkerFailed(f"this drawing needed more than {limit:.0f} MB of memory and was stopped; "
                               "choose fewer frames, a smaller size or MP4")
        if time.monotonic() > deadline:
            child.kill()
            raise WorkerFailed(f"this drawing took longer than {seconds:.0f} s and was stopped; choose fewer frames")
        try:
            line = lines.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            continue
        if line is None:
            code = child.wait()
            raise WorkerFailed(f"the drawing process ended without a result (exit status {code}); "
                               "the server log has the details")
        word, _, rest = line.partition(" ")
        if word == "progress" and progress is not None:
            done, total = (int(v) for v in rest.split())
            progress(done, total)
        elif word == "error":
            raise AnimationError(rest)
        elif word == "done":
            answer = json.loads(rest)
            answer["peak_rss_mb"] = max(peak, float(answer.get("peak_rss_mb", 0)))
            return answer
