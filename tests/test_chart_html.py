"""The weekly chart: one bar per week, heights proportional to the figures, the window shaded,
and markup that Streamlit's HTML sanitiser keeps (no SVG, no script)."""

import re
from datetime import date

import pandas as pd

from dashboard.ui.chart import HEIGHT, weekly_html

BOX = re.compile(r'<div class="(\w+)"(?: data-tip="([^"]*)")? style="position:absolute;left:([\d.-]+)%;'
                 r'width:([\d.]+)%;top:([\d.-]+)px;height:([\d.]+)px;')


def boxes(html: str, cls: str) -> list[dict]:
    return [dict(title=t, x=float(x), w=float(w), y=float(y), h=float(h))
            for c, t, x, w, y, h in BOX.findall(html) if c == cls]


def test_one_bar_per_week_scaled_to_its_value(shipped):
    from dashboard.data.figures import weekly_net_change

    weekly = weekly_net_change(shipped)
    html = weekly_html(weekly, date(2024, 10, 1), date(2024, 11, 1))
    bars = boxes(html, "bar")
    assert len(bars) == len(weekly) >= 20
    xs = [b["x"] for b in bars]
    assert xs == sorted(xs) and xs[-1] + bars[-1]["w"] <= 100.01, "weeks in order, inside the chart"
    values = weekly["net_km2"].abs().tolist()
    big, small = values.index(max(values)), values.index(min(v for v in values if v > 0))
    assert bars[big]["h"] / max(bars[small]["h"], 0.5) > min(values[big] / values[small], 50) * 0.8
    assert "<svg" not in html and "<script" not in html


def test_window_band_moves_with_the_dates():
    weekly = pd.DataFrame({"week": pd.date_range("2024-07-08", periods=10, freq="7D"),
                           "net_km2": [10, -5, 20, 30, 0, 40, 15, 5, 25, 35]})
    early = weekly_html(weekly, date(2024, 7, 8), date(2024, 7, 21))
    late = weekly_html(weekly, date(2024, 8, 19), date(2024, 9, 1))
    (band_early,), (band_late,) = boxes(early, "band"), boxes(late, "band")
    assert band_late["x"] > band_early["x"] + 40 and abs(band_early["w"] - band_late["w"]) < 0.5
    first, negative = boxes(early, "bar")[:2]
    assert negative["y"] >= first["y"] + first["h"] - 0.1, "a negative week hangs below the zero line"
    assert negative["title"] == "Week of 2024-07-15: -5 km²"
    assert f"height:{HEIGHT}px" in early


def test_nothing_to_draw_gives_nothing():
    assert weekly_html(pd.DataFrame(columns=["week", "net_km2"]), date(2024, 8, 1), date(2024, 9, 1)) == ""


def test_every_bar_is_also_a_row_of_the_figures_table(shipped):
    """Tips show on hover and tap only: the folded table gives every figure to keyboard and
    screen-reader users, one row per bar, with the bar's own value."""
    from dashboard.data.figures import weekly_net_change

    weekly = weekly_net_change(shipped)
    html = weekly_html(weekly, date(2024, 10, 1), date(2024, 11, 1))
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    tips = [b["title"] for b in boxes(html, "bar")]
    assert len(rows) == len(tips) == len(weekly)
    assert [f"{when}: {value} km²" for when, value in rows] == tips
    assert "<details" in html and "figures as a table</summary>" in html
