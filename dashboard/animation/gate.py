"""One drawing job (an animation or a picture) at a time per process, the others queued in
order with a message, and a short queue: a replica has two cores and one memory budget, and
every reader waiting on it should be told why (issue #21 finding 8)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from dashboard.animation.window import AnimationError

#: Jobs that may wait behind the running one; more are refused at once rather than left hanging.
MAX_WAITING = 3
#: A job waiting longer than this gives up (a 400-frame render takes a minute or two).
WAIT_SECONDS = 300.0

Waiting = Callable[[str], None]


class Busy(AnimationError):
    """The process is drawing and its queue is full, or the wait ran out."""


def queued_message(ahead: int) -> str:
    jobs = "another animation or picture is" if ahead == 1 else f"{ahead} animations or pictures are"
    return f"Queued: {jobs} being drawn on this server before yours; it starts by itself when they finish."


class Gate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._running = False
        self._queue: deque[object] = deque()

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._running

    @contextmanager
    def turn(self, waiting: Waiting | None = None, wait_seconds: float | None = None) -> Iterator[None]:
        """Hold the gate for the body; `waiting(message)` is called when the job has to queue and
        each time its place in the queue changes."""
        self._enter(waiting, WAIT_SECONDS if wait_seconds is None else wait_seconds)
        try:
            yield
        finally:
            with self._cond:
                self._running = False
                self._cond.notify_all()

    def _enter(self, waiting: Waiting | None, wait_seconds: float) -> None:
        ticket = object()
        with self._cond:
            if not self._running and not self._queue:
                self._running = True
                return
            if len(self._queue) >= MAX_WAITING:
                raise Busy(f"the server is drawing {len(self._queue) + 1} animations or pictures already; "
                           "try again in a minute")
            self._queue.append(ticket)
            deadline = time.monotonic() + wait_seconds
            told = -1
            try:
                while self._running or self._queue[0] is not ticket:
                    ahead = self._queue.index(ticket) + (1 if self._running else 0)
                    if waiting is not None and ahead != told:
                        waiting(queued_message(ahead))
                        told = ahead
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Busy(f"still queued after {wait_seconds:.0f} s behind other drawings; "
                                   "try again later")
                    self._cond.wait(timeout=min(left, 1.0))
                self._running = True
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()


#: The process's gate: animations and pictures from the page and the command line share it.
GATE = Gate()
