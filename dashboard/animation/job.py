"""The child process of a drawing job: `python -m dashboard.animation.job` (see worker.py).

Reads one JSON job from stdin, loads the data folder `$SITUATION_MAP_DATA`, draws the animation
or the picture into the file the job names, and answers on stdout. The job is checked again
here like any other input: the parent built it, but this is the process that draws."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sys
from datetime import date
from pathlib import Path
from typing import Any

from dashboard.animation.window import AnimationError, BBox
from dashboard.data.view import ViewState

#: A job is a few hundred characters; anything longer is not one.
MAX_JOB_CHARS = 20_000
#: The child's CPU priority below the server's (0): a reader's step is served before a frame.
WORKER_NICE = 10


def _bbox(raw: Any) -> BBox | None:
    if raw is None:
        return None
    values = raw.values() if isinstance(raw, dict) else raw
    return BBox(*(float(v) for v in values))


def _size(raw: Any) -> tuple[int, int]:
    width, height = raw
    return int(width), int(height)


def _day(raw: Any) -> date | None:
    return None if raw is None else date.fromisoformat(str(raw))


def parse_job(job: dict[str, Any]) -> tuple[str, Any, Path]:
    """The job's kind, its request object and its output file; KeyError/TypeError/ValueError
    when it is not a job."""
    from dashboard.animation.export import AnimationRequest
    from dashboard.animation.still import StillRequest

    out, raw = Path(job["out"]), job["request"]
    if job["kind"] == "animation":
        return "animation", AnimationRequest(_day(raw["start"]), _day(raw["end"]), str(raw["step"]),
                                             _bbox(raw["bbox"]), _size(raw["size"]), str(raw["fmt"]),
                                             float(raw["fps"])), out
    if job["kind"] == "still":
        v = raw["view"]
        view = ViewState(_day(v["date"]), _day(v["compare"]), tuple(str(x) for x in v["layers"]), float(v["lat"]),
                         float(v["lon"]), int(v["zoom"]), str(v["basemap"]), str(v["article"]), str(v["mode"]),
                         str(v["town"]))
        return "still", StillRequest(view, _size(raw["size"]), _bbox(raw["bbox"])), out
    raise ValueError("unknown job kind")


def main() -> int:
    def say(line: str) -> None:
        print(line.replace("\n", " "), flush=True)

    # Readers first: the drawing yields the cores to the server's date steps whenever they want them.
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)

    try:
        kind, request, out = parse_job(json.loads(sys.stdin.readline(MAX_JOB_CHARS)))
    except (KeyError, TypeError, ValueError) as exc:
        say(f"error the drawing job was malformed ({type(exc).__name__})")
        return 2
    from dashboard.animation.export import write_animation
    from dashboard.animation.still import write_still
    from dashboard.data.load import load_dataset

    answer: dict[str, Any] = {}
    try:  # anything but a named refusal is a bug: its traceback goes to the server's log (stderr)
        if kind == "animation":
            answer["notes"] = write_animation(load_dataset(), request, out,
                                              progress=lambda d, t: say(f"progress {d} {t}"))
        else:
            write_still(load_dataset(), request, out)
    except AnimationError as exc:
        say(f"error {exc}")
        return 2
    answer["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say("done " + json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
