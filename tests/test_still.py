"""The still picture of a view (issue #24 item 1): PNG sizes, what its pixels show (date, legend,
map changes between dates), offline drawing, the one-at-a-time rule, the CLI and the page."""

from __future__ import annotations

import io
import socket
import threading
from dataclasses import replace
from datetime import date

import numpy as np
import pyproj
import pytest
import shapely
from matplotlib.figure import Figure
from PIL import Image

from dashboard import animate
from dashboard.animation import GATE, STILL_SIZES, AnimationError, StillRequest, overlay, render_still
from dashboard.animation.projection import area_for
from dashboard.animation.window import DEFAULT_BBOX, BBox
from dashboard.data.geometry import gained_and_lost
from dashboard.data.layers import view_bounds, view_features

D = date.fromisoformat


@pytest.fixture(scope="module")
def view(shipped):
    return view_bounds(shipped).default


def png(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return np.asarray(im.convert("RGB"))


def pixel(size: tuple[int, int], lon: float, lat: float) -> tuple[int, int]:
    """Column and row (from the top) where a still of the default area shows lon/lat."""
    area = area_for(BBox(*DEFAULT_BBOX), size)
    x, y = pyproj.Transformer.from_crs(4326, area.crs, always_xy=True).transform(lon, lat)
    x0, _, _, y1 = area.extent
    return int((x - x0) / area.metres_per_px), int((y1 - y) / area.metres_per_px)


@pytest.mark.parametrize("size", STILL_SIZES)
def test_still_has_the_asked_size(shipped, view, size):
    still = render_still(shipped, StillRequest(view, size))
    assert png(still.data).shape == (size[1], size[0], 3)
    assert still.filename == f"situation-map_{view.date}_{size[0]}x{size[1]}.png"


def test_other_sizes_and_dates_are_refused(shipped, view):
    with pytest.raises(AnimationError, match="size must be 1200x675 or 2400x1350"):
        render_still(shipped, StillRequest(view, (1280, 720)))
    with pytest.raises(AnimationError, match="outside the history"):
        render_still(shipped, StillRequest(replace(view, date=D("2020-01-01"))))
    with pytest.raises(AnimationError, match="must be before"):
        render_still(shipped, StillRequest(replace(view, compare=view.date)))


def test_two_dates_differ_in_the_date_box_and_where_the_front_moved(shipped, view):
    early, late = D("2024-08-01"), D("2024-12-31")
    a = png(render_still(shipped, StillRequest(replace(view, date=early))).data)
    b = png(render_still(shipped, StillRequest(replace(view, date=late))).data)
    box = (slice(30, 100), slice(10, 290))  # the date, top left, 44 px type at 675 px
    assert np.abs(a[box].astype(int) - b[box].astype(int)).sum() > 0
    taken, _ = gained_and_lost(shipped.history.snapshot(early).geometry, shipped.history.snapshot(late).geometry)
    spot = max(shapely.get_parts(taken), key=lambda p: p.area).representative_point()
    col, row = pixel(STILL_SIZES[0], spot.x, spot.y)
    patch = (slice(row - 1, row + 2), slice(col - 1, col + 2))
    assert np.abs(a[patch].astype(int) - b[patch].astype(int)).sum() > 0
    assert np.abs(a[box].astype(int) - 255).sum() > 0  # the box is not blank


def test_the_compare_date_adds_its_changes_to_map_and_legend(shipped, view):
    plain = png(render_still(shipped, StillRequest(view)).data)
    compared = png(render_still(shipped, StillRequest(replace(view, compare=D("2024-08-20")))).data)
    note = (slice(100, 130), slice(10, 300))  # the line under the date box
    assert np.abs(plain[note].astype(int) - compared[note].astype(int)).sum() > 0
    legend = (slice(0, 240), slice(760, 1200))
    assert np.abs(plain[legend].astype(int) - compared[legend].astype(int)).sum() > 0


def test_legend_names_each_layer_shown_with_its_status(shipped, view):
    compare = D("2024-08-20")
    shown_view = replace(view, compare=compare)
    shown = [(spec, view_features(shipped, spec, shown_view)) for spec in shipped.catalog.for_article(view.article)
             if spec.id in view.layers]
    shown = [(spec, gdf) for spec, gdf in shown if gdf is not None]
    ax = Figure().add_axes((0, 0, 1, 1))
    labels = [t.get_text() for t in overlay.view_legend(ax, shipped, shown, shown_view, 1.0).get_texts()]
    occupied = shipped.catalog.by_role("history")
    assert f"{occupied.title} · assessed" in labels
    assert any(label.startswith("Taken by Russian forces since 2024-08-20 · ") for label in labels)
    assert any(label.startswith("Gained by Ukrainian forces since 2024-08-20 · ") for label in labels)
    assert "line: assessed" in labels and "line: reported" in labels
    only = [(spec, gdf) for spec, gdf in shown if spec.id == occupied.id]
    labels = [t.get_text() for t in overlay.view_legend(ax, shipped, only, view, 1.0).get_texts()]
    assert labels == [f"{occupied.title} · assessed", "line: assessed"]


def test_drawn_offline_even_when_the_view_asks_for_tiles(shipped, view, monkeypatch):
    tiles = next((b.id for b in shipped.catalog.basemaps.values() if b.kind == "tiles"), None)
    if tiles is None:
        pytest.skip("no tile basemap in the catalog")

    def no_network(*args, **kwargs):
        raise AssertionError("the still tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    still = render_still(shipped, StillRequest(replace(view, basemap=tiles)))
    assert png(still.data).shape == (675, 1200, 3)


def test_a_still_waits_its_turn_behind_an_animation(shipped, view):
    messages: list[str] = []
    done = threading.Event()
    with GATE.turn():
        thread = threading.Thread(target=lambda: (render_still(shipped, StillRequest(view), waiting=messages.append),
                                                  done.set()))
        thread.start()
        for _ in range(600):  # until it has reached the gate and been told
            if messages:
                break
            thread.join(0.1)
        assert messages and messages[0].startswith("Queued:") and not done.is_set()
    thread.join(120)
    assert done.is_set()


def test_the_page_draws_the_still_in_a_child_process(shipped, view):
    still = render_still(shipped, StillRequest(view, STILL_SIZES[0]), isolated=True)
    here = render_still(shipped, StillRequest(view, STILL_SIZES[0]))
    assert png(still.data).shape == (675, 1200, 3)
    assert np.array_equal(png(still.data), png(here.data))


# ---------------------------------------------------------------- CLI

def test_cli_writes_the_picture(tmp_path, capsys):
    out = tmp_path / "map.png"
    code = animate.main(["--still", "--date", "2024-11-10", "--compare", "2024-08-20", "--size", "2400x1350",
                         "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    with Image.open(out) as im:
        assert im.size == (2400, 1350) and "2024-11-10" in im.info.get("Title", "")
        assert "DeepStateMap" in im.info.get("Source", "")
    assert "2400x1350 picture of 2024-11-10 (changes since 2024-08-20)" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "reason"), [
    (["--date", "2024-11-31"], "not a calendar date"),
    (["--date", "2019-01-01"], "outside the history"),
    (["--date", "2024-11-10", "--compare", "2024-12-01"], "must be before"),
    (["--date", "2024-11-10", "--size", "1280x720"], "size must be"),
    (["--date", "2024-11-10", "--layers", "occupied,nope"], "unknown layer 'nope'"),
    ([], "needs --date"),
    (["--date", "2024-11-10", "--start", "2024-08-01"], "not --start"),
    (["--date", "2024-11-10", "--bbox", "1,2,3"], "bbox must be"),
])
def test_cli_still_errors_are_one_line(args, reason, tmp_path, capsys):
    out = tmp_path / "map.png"
    assert animate.main(["--still", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and reason in err
    assert list(tmp_path.iterdir()) == []


def test_cli_still_wants_a_png_name_and_unknown_options_are_one_line(tmp_path, capsys):
    assert animate.main(["--still", "--date", "2024-11-10", "--out", str(tmp_path / "map.gif")]) == 2
    assert "must end in .png" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        animate.main(["--still", "--date", "2024-11-10", "--colour", "red", "--out", str(tmp_path / "m.png")])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and err.startswith("error: ") and "\n" not in err


# ---------------------------------------------------------------- the page

def _panel_app() -> None:
    from dashboard.data.layers import view_bounds
    from dashboard.data.load import load_dataset
    from dashboard.ui import animation_panel

    ds = load_dataset()
    bounds = view_bounds(ds)
    animation_panel.render(ds, bounds.default, bounds)


def test_page_draws_the_picture_only_when_asked():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_panel_app, default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    assert [b.label for b in at.button] == ["Render animation", "Draw picture"]
    assert "still_download" not in [getattr(b, "key", None) for b in at.get("download_button")]
    at.radio(key="still_size").set_value(STILL_SIZES[1])
    at.button(key="still_go").click().run()
    assert not at.exception, at.exception
    downloads = at.get("download_button")
    assert len(downloads) == 1 and downloads[0].proto.label == "Download picture (PNG)"
    captions = " ".join(c.value for c in at.caption)
    assert "2400×1350" in captions and ".png" in captions



def test_a_point_layer_kind_is_named_in_words_in_the_legend():
    import geopandas as gpd
    from shapely.geometry import Point

    from dashboard.animation.overlay import _kind_words
    from dashboard.data.specs import StyleRule

    gdf = gpd.GeoDataFrame({"kind": ["came-in", "left"], "direction": ["came under occupation", "no longer inside"]},
                           geometry=[Point(37, 48), Point(37.1, 48)], crs=4326)
    rule = StyleRule(property="kind", values={"left": "settlement_left"})
    assert _kind_words(gdf, rule, "left") == "no longer inside"
    assert _kind_words(gdf.drop(columns="direction"), rule, "left") == "left"
