"""Issue #21 findings 8, 9, 13 for the animation export: memory bounded per animation (frames
streamed to the encoder; the page's drawing in a child process with a memory cap), one drawing
at a time per process with the others told they are queued, files written with the umask's
permissions, and an overlong --out name refused in one line."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import textwrap
import threading
from datetime import date

import pytest
from PIL import Image

from dashboard import animate
from dashboard.animation import GATE, AnimationError, AnimationRequest, Busy, render_animation
from dashboard.animation import export as export_module
from dashboard.animation import gate as gate_module
from dashboard.animation import worker as worker_module
from dashboard.animation.gate import Gate
from tests.conftest import ROOT

D = date.fromisoformat
SMALL = AnimationRequest(D("2024-08-01"), D("2024-08-15"), "week", size=(320, 180), fmt="gif")

# ---------------------------------------------------------------- memory per animation

#: Runs in a fresh interpreter: 150 synthetic 1920x1080 frames through render_animation (the
#: renderer swapped for one that only paints a moving band, so the test times the encoder, not
#: matplotlib), then prints how far resident memory rose above where it was before the render.
_GROWTH_SCRIPT = textwrap.dedent("""
    import numpy as np
    from datetime import date
    from dashboard.animation import AnimationRequest, render_animation
    from dashboard.animation import export
    from dashboard.data.load import load_dataset

    class Band:
        def __init__(self, ds, bbox, size):
            self.size, self.texts = size, {}
        def frame(self, day):
            rgb = np.full((self.size[1], self.size[0], 3), 235, np.uint8)
            k = day.toordinal() % 60
            rgb[k * 16:k * 16 + 40, :, 0] = 40 + 3 * k
            rgb[:, ::7, 2] = 90  # every frame holds detail, as a map does
            return rgb
        def close(self):
            pass

    def status(field):
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) // 1024 for l in fh if l.startswith(field + ":"))

    export.FrameRenderer = Band
    ds = load_dataset()
    request = AnimationRequest(date(2024, 8, 1), date(2024, 12, 28), "day", size=(1920, 1080), fmt="gif")
    before = status("VmRSS")
    anim = render_animation(ds, request, use_cache=False)
    print(anim.frames, status("VmHWM") - before)
""")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc")
def test_a_long_gif_does_not_hold_its_frames():
    """150 frames of 1920x1080 are 300 MB at one byte a pixel: kept until the end (the old
    encoder), resident memory rises by that much; streamed, by a few frames' worth."""
    result = subprocess.run([sys.executable, "-c", _GROWTH_SCRIPT], cwd=ROOT, capture_output=True, text=True,
                            timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr[-2000:]
    frames, growth_mb = (int(v) for v in result.stdout.split())
    assert frames == 150
    assert growth_mb < 200, f"memory rose {growth_mb} MB while encoding"  # 605 MB before the fix, 89 after


def test_streamed_gif_decodes_to_every_frame_with_the_last_held(shipped):
    anim = render_animation(shipped, SMALL, use_cache=False)
    with Image.open(io.BytesIO(anim.data)) as gif:
        assert gif.n_frames == 3 and gif.size == (320, 180)
        durations = []
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
            assert gif.convert("RGB").size == (320, 180)
    assert durations[:2] == [250, 250] and durations[2] == 2000


def test_the_page_draws_in_a_child_process_with_the_same_result(shipped):
    """isolated=True (what the page asks for) gives the same file as drawing in place, with
    progress reported from the child."""
    calls: list[tuple[int, int]] = []
    child = render_animation(shipped, SMALL, progress=lambda d, t: calls.append((d, t)), use_cache=False,
                             isolated=True)
    here = render_animation(shipped, SMALL, use_cache=False)
    assert child.data == here.data and child.frames == 3
    assert calls[-1] == (4, 4) and len(calls) >= 3


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="the cap reads /proc")
def test_a_child_over_its_memory_limit_is_stopped_with_a_message(shipped, monkeypatch):
    monkeypatch.setattr(worker_module, "WORKER_RSS_MB", 40)  # below what the interpreter alone needs
    with pytest.raises(worker_module.WorkerFailed, match="more than 40 MB of memory"):
        render_animation(shipped, SMALL, use_cache=False, isolated=True)
    assert not GATE.busy


def test_a_malformed_job_is_refused_in_one_line(shipped, tmp_path):
    with pytest.raises(AnimationError, match="malformed") as err:
        worker_module.run_job({"kind": "animation", "out": str(tmp_path / "x.gif")}, shipped.root)
    assert "\n" not in str(err.value)


# ---------------------------------------------------------------- one at a time, the others told

def _hold_the_gate(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Make the next render block inside the gate until released."""
    inside, release = threading.Event(), threading.Event()
    real = export_module.write_animation

    def slow(*args, **kwargs):
        inside.set()
        release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(export_module, "write_animation", slow)
    return inside, release


def test_a_second_request_is_queued_and_told_so(shipped, monkeypatch):
    inside, release = _hold_the_gate(monkeypatch)
    results: dict[str, object] = {}
    first = threading.Thread(target=lambda: results.update(first=render_animation(shipped, SMALL, use_cache=False)))
    first.start()
    assert inside.wait(60)
    messages: list[str] = []
    other = AnimationRequest(D("2024-09-01"), D("2024-09-08"), "week", size=(320, 180))

    def second() -> None:
        results["second"] = render_animation(shipped, other, use_cache=False, waiting=messages.append)

    waiter = threading.Thread(target=second)
    waiter.start()
    for _ in range(600):  # the message comes before the first render is released
        if messages:
            break
        waiter.join(0.1)
    release.set()
    first.join(120)
    waiter.join(120)
    assert messages and messages[0].startswith("Queued:") and "another animation or picture" in messages[0]
    assert results["first"].frames == 3 and results["second"].frames == 2
    assert not GATE.busy


def test_a_full_queue_is_refused_at_once(monkeypatch):
    gate = Gate()
    monkeypatch.setattr(gate_module, "MAX_WAITING", 1)
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.turn():
            entered.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(10)
    told: list[str] = []
    queued = threading.Thread(target=lambda: gate.turn(told.append).__enter__())
    queued.start()
    for _ in range(600):
        if told:
            break
        queued.join(0.05)
    with pytest.raises(Busy, match="try again"):
        with gate.turn():
            pass
    release.set()
    holder.join(10)
    queued.join(10)
    assert told == [gate_module.queued_message(1)]


def test_a_queued_job_gives_up_after_its_wait():
    gate = Gate()
    with gate.turn(), pytest.raises(Busy, match="still queued"):
        with gate.turn(wait_seconds=0.2):
            pass
    assert not gate.busy


# ---------------------------------------------------------------- the CLI's file

def _two_frames(out) -> int:
    return animate.main(["--start", "2024-08-01", "--end", "2024-08-08", "--size", "320x180", "--out", str(out),
                         "--quiet"])


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_cli_file_follows_the_umask(umask, tmp_path):
    """Issue #21 finding 9: the file came out 0600 whatever the umask (a temporary file's mode)."""
    old = os.umask(umask)
    try:
        assert _two_frames(tmp_path / "two.gif") == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "two.gif").stat().st_mode) == 0o666 & ~umask


def test_cli_overlong_file_name_is_one_line(tmp_path, capsys, monkeypatch):
    """Issue #21 finding 13: a 300-character name ended in a traceback (ENAMETOOLONG)."""
    monkeypatch.setattr(animate, "render_animation", lambda *a, **k: pytest.fail("rendered"))
    code = animate.main(["--start", "2024-08-01", "--end", "2024-08-08", "--out", str(tmp_path / ("a" * 300 + ".gif")),
                         "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err and len(err) < 300
    assert "304 bytes long" in err
    assert list(tmp_path.iterdir()) == []


def test_cli_overlong_path_is_one_line(tmp_path, capsys):
    deep = str(tmp_path / "/".join(["b" * 200] * 25)) + "/x.gif"  # 5,000 characters, no such folder
    code = animate.main(["--start", "2024-08-01", "--end", "2024-08-08", "--out", deep, "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and "\n" not in err and len(err) < 300
