"""Animation export: frame dates and limits, frames that follow the data, GIF/MP4 files, cache,
progress and the CLI. Renders are small (a few frames at 320x180 or 640x360) to stay quick."""

from __future__ import annotations

import io
from datetime import date, timedelta

import imageio.v2 as imageio
import numpy as np
import pyproj
import pytest
import shapely
from PIL import Image

from dashboard import animate
from dashboard.animation import (
    MAX_FRAMES,
    AnimationError,
    AnimationRequest,
    BBox,
    FrameRenderer,
    TooManyFrames,
    clear_cache,
    frame_dates,
    parse_bbox,
    parse_size,
    plan,
    render_animation,
)
from dashboard.animation import export as export_module
from dashboard.animation.projection import area_for
from dashboard.data.geometry import gained_and_lost
from dashboard.data.specs import MapBounds

D = date.fromisoformat


# ---------------------------------------------------------------- frame dates and limits

def test_day_window_is_inclusive():
    days = frame_dates(D("2024-08-01"), D("2024-08-10"), "day")
    assert len(days) == 10 and days[0] == D("2024-08-01") and days[-1] == D("2024-08-10")


def test_week_window_ends_on_the_end_date_even_off_the_step():
    assert len(frame_dates(D("2024-08-01"), D("2024-08-29"), "week")) == 5  # exact multiple of 7 days
    days = frame_dates(D("2024-08-01"), D("2024-08-30"), "week")
    assert len(days) == 6 and days[-2:] == [D("2024-08-29"), D("2024-08-30")]


def test_month_keeps_the_day_of_month_clamped_without_drift():
    days = frame_dates(D("2024-08-31"), D("2024-12-31"), "month")
    assert days == [D("2024-08-31"), D("2024-09-30"), D("2024-10-31"), D("2024-11-30"), D("2024-12-31")]


def test_one_day_window_is_one_frame():
    assert frame_dates(D("2024-11-10"), D("2024-11-10"), "day") == [D("2024-11-10")]


def test_frame_limit_names_the_count_and_a_coarser_step():
    start = D("2024-07-08")
    assert len(frame_dates(start, start + timedelta(days=MAX_FRAMES - 1), "day")) == MAX_FRAMES
    with pytest.raises(TooManyFrames) as err:
        frame_dates(start, start + timedelta(days=MAX_FRAMES), "day")
    assert err.value.needed == MAX_FRAMES + 1
    with pytest.raises(TooManyFrames, match=r"776 frames by day.*week: 112 frames"):
        frame_dates(start, D("2026-08-22"), "day")


def test_requests_outside_the_history_or_reversed_are_refused(shipped):
    with pytest.raises(AnimationError, match="outside the history"):
        plan(shipped, AnimationRequest(D("2024-01-01"), D("2024-08-01")))
    with pytest.raises(AnimationError, match="after end"):
        plan(shipped, AnimationRequest(D("2024-09-01"), D("2024-08-01")))
    with pytest.raises(AnimationError, match="format"):
        plan(shipped, AnimationRequest(D("2024-08-01"), D("2024-09-01"), fmt="avi"))


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "40,46,33,52", "33,46,60,52", "33,46,33.1,46.1"])
def test_bad_bboxes_are_refused(text):
    with pytest.raises(AnimationError):
        parse_bbox(text, MapBounds())


@pytest.mark.parametrize("text", ["1280x721", "99999x720", "big", "100x50"])
def test_bad_sizes_are_refused(text):
    with pytest.raises(AnimationError):
        parse_size(text)


def test_scale_is_true_across_the_default_area():
    """The local projection keeps ground distance: 100 km east-west measures 100 km (±1 %) after
    dividing by the scale factor the scale bar uses, in the frame's north and south alike."""
    area = area_for(BBox(33.2, 46.3, 40.3, 52.5), (1280, 720))
    geod, to_map = pyproj.Geod(ellps="WGS84"), pyproj.Transformer.from_crs(4326, area.crs, always_xy=True)
    for lat in (46.5, 49.4, 52.3):
        lon2, lat2, _ = geod.fwd(36.0, lat, 90, 100_000)
        (x1, x2), (y1, y2) = to_map.transform([36.0, lon2], [lat, lat2])
        factor = area.scale_factor((x1 + x2) / 2, (y1 + y2) / 2)
        assert np.hypot(x2 - x1, y2 - y1) / factor == pytest.approx(100_000, rel=0.01)
        assert factor == pytest.approx(1, abs=0.01)


# ---------------------------------------------------------------- frames follow the data

@pytest.fixture(scope="module")
def renderer(shipped):
    r = FrameRenderer(shipped, BBox(33.2, 46.3, 40.3, 52.5), (640, 360))
    yield r
    r.close()


def _changed_spot(ds, earlier: date, later: date) -> tuple[float, float]:
    """A point inside the largest area that changed hands between two dates."""
    taken, _ = gained_and_lost(ds.history.snapshot(earlier).geometry, ds.history.snapshot(later).geometry)
    largest = max(shapely.get_parts(taken), key=lambda p: p.area)
    point = largest.representative_point()
    return point.x, point.y


def test_frames_differ_where_the_front_moved(shipped, renderer):
    early, late = D("2024-08-01"), D("2024-12-31")
    a, b = renderer.frame(early), renderer.frame(late)
    col, row = renderer.pixel_of(*_changed_spot(shipped, early, late))
    assert 0 <= col < 640 and 0 <= row < 360
    patch = (slice(max(row - 1, 0), row + 2), slice(max(col - 1, 0), col + 2))
    assert np.abs(a[patch].astype(int) - b[patch].astype(int)).sum() > 0


def test_same_date_gives_the_same_frame_after_other_dates(renderer):
    first = renderer.frame(D("2024-11-10"))
    renderer.frame(D("2025-06-01"))
    assert np.array_equal(first, renderer.frame(D("2024-11-10")))


def test_frame_draws_its_date(renderer):
    a = renderer.frame(D("2024-11-10"))
    assert renderer.texts["date"] == "2024-11-10"
    left, top, right, bottom = renderer.text_box("date")
    b = renderer.frame(D("2024-11-11"))
    assert renderer.texts["date"] == "2024-11-11"
    region = (slice(top, bottom), slice(left, right))
    assert right - left > 40 and np.abs(a[region].astype(int) - b[region].astype(int)).sum() > 0


def test_after_the_salient_ends_nothing_is_drawn_and_the_frame_says_so(shipped, renderer):
    renderer.frame(D("2025-06-01"))
    assert "none drawn since 2025-04-26" in renderer.texts["note"]
    salient = shipped.catalog.by_role("salient")
    col, row = renderer.pixel_of(35.30, 51.25)  # near Sudzha: held area in November 2024
    during, after = renderer.frame(D("2024-11-10")), renderer.frame(D("2025-06-01"))
    assert salient is not None and not np.array_equal(during[row, col], after[row, col])


# ---------------------------------------------------------------- files, cache, progress

def test_small_gif_has_its_frames_and_size(shipped):
    request = AnimationRequest(D("2024-08-01"), D("2024-10-01"), "month", size=(320, 180), fmt="gif")
    calls: list[tuple[int, int]] = []
    anim = render_animation(shipped, request, progress=lambda done, total: calls.append((done, total)),
                            use_cache=False)
    assert anim.dates == (D("2024-08-01"), D("2024-09-01"), D("2024-10-01"))
    with Image.open(io.BytesIO(anim.data)) as gif:
        assert gif.format == "GIF" and gif.n_frames == 3 and gif.size == (320, 180)
    frames = imageio.mimread(io.BytesIO(anim.data), format="GIF")
    assert not np.array_equal(frames[0], frames[2])
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_mp4_is_readable_with_the_right_frame_count(shipped, tmp_path):
    request = AnimationRequest(D("2024-08-01"), D("2024-08-22"), "week", size=(320, 180), fmt="mp4")
    anim = render_animation(shipped, request, use_cache=False)
    assert anim.mime == "video/mp4" and anim.filename.endswith(".mp4")
    path = tmp_path / anim.filename  # ffmpeg reads files, not buffers
    path.write_bytes(anim.data)
    reader = imageio.get_reader(path, format="FFMPEG", mode="I")
    try:
        assert reader.count_frames() == 4
        assert reader.get_meta_data()["size"] == (320, 180)
    finally:
        reader.close()


def test_cache_returns_the_same_bytes_and_stays_bounded(shipped, monkeypatch):
    clear_cache()
    request = AnimationRequest(D("2024-08-01"), D("2024-08-02"), "day", size=(320, 180))
    first = render_animation(shipped, request)
    calls: list[tuple[int, int]] = []
    again = render_animation(shipped, request, progress=lambda d, t: calls.append((d, t)))
    assert again.cached and not first.cached and again.data == first.data and calls == [(3, 3)]
    monkeypatch.setattr(export_module, "CACHE_ENTRIES", 2)
    for i in range(4):
        export_module._store(("fake", i), first)
    assert export_module.cache_info()["entries"] == 2
    clear_cache()


# ---------------------------------------------------------------- CLI

@pytest.mark.parametrize("args", [
    ["--start", "2024-09-01", "--end", "2024-08-01"],
    ["--start", "2020-01-01", "--end", "2024-08-01"],
    ["--start", "2024-07-08", "--end", "2026-08-22", "--step", "day"],
    ["--start", "2024-08-01", "--end", "2024-09-01", "--bbox", "33,46,nope,52"],
    ["--start", "2024-08-01", "--end", "2024-09-01", "--size", "1281x720"],
    ["--start", "2024-08-1", "--end", "2024-09-01"],
])
def test_cli_argument_errors_exit_non_zero(args, tmp_path, capsys):
    assert animate.main([*args, "--out", str(tmp_path / "a.gif"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err
    assert not (tmp_path / "a.gif").exists()


def test_cli_refuses_other_formats_and_bad_steps(tmp_path):
    assert animate.main(["--start", "2024-08-01", "--end", "2024-08-02", "--out", str(tmp_path / "a.avi")]) == 2
    with pytest.raises(SystemExit) as exc:
        animate.main(["--start", "2024-08-01", "--end", "2024-08-02", "--step", "year", "--out", "a.gif"])
    assert exc.value.code != 0


def test_cli_writes_the_file_and_says_so(tmp_path, capsys):
    out = tmp_path / "two.gif"
    code = animate.main(["--start", "2024-08-01", "--end", "2024-08-08", "--step", "week", "--size", "320x180",
                         "--out", str(out), "--quiet"])
    assert code == 0
    with Image.open(out) as gif:
        assert gif.n_frames == 2
    assert "2 frames 320x180" in capsys.readouterr().out


def _no_render(*args, **kwargs):
    raise AssertionError("rendered before --out was checked")


@pytest.mark.parametrize(("where", "reason"), [
    ("folder.gif", "is a folder"),
    ("", "is a folder"),
    ("/sys/k.mp4", "cannot write"),
    ("/proc/self/k.gif", "cannot write"),
    ("missing/k.gif", "does not exist"),
])
def test_cli_checks_out_before_rendering(where, reason, tmp_path, capsys, monkeypatch):
    if where.startswith("/") and not __import__("os").path.isdir(where.rsplit("/", 1)[0]):
        pytest.skip(f"no {where.rsplit('/', 1)[0]} here")
    (tmp_path / "folder.gif").mkdir()
    out = where if where.startswith("/") else str(tmp_path / where)
    monkeypatch.setattr(animate, "render_animation", _no_render)
    assert animate.main(["--start", "2024-08-01", "--end", "2024-08-08", "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and reason in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.gif"]  # nothing left behind


def test_cli_write_failure_after_rendering_is_one_line(tmp_path, capsys, monkeypatch):
    out = tmp_path / "two.gif"

    def vanish(*args, **kwargs):  # the folder goes away while the frames render
        for p in tmp_path.iterdir():
            p.unlink()
        tmp_path.rmdir()
        return export_module.render_animation(*args, **kwargs)

    monkeypatch.setattr(animate, "render_animation", vanish)
    code = animate.main(["--start", "2024-08-01", "--end", "2024-08-08", "--size", "320x180", "--out", str(out),
                         "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.startswith("error: ") and "\n" not in err and "could not write" in err
