"""The weekly chart: one bar per week, heights proportional to the figures, the window shaded."""

import re
from datetime import date

import pandas as pd

from dashboard.chart_svg import HEIGHT, weekly_svg


def bars(svg: str) -> list[dict[str, float]]:
    found = re.findall(r'<rect class="bar" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    return [dict(zip(("x", "y", "w", "h"), map(float, b), strict=True)) for b in found]


def test_one_bar_per_week_scaled_to_its_value(shipped):
    from dashboard.measures import weekly_net_change

    weekly = weekly_net_change(shipped)
    svg = weekly_svg(weekly, date(2024, 10, 1), date(2024, 11, 1))
    got = bars(svg)
    assert len(got) == len(weekly) >= 20
    xs = [b["x"] for b in got]
    assert xs == sorted(xs), "weeks in date order, left to right"
    big = max(range(len(weekly)), key=lambda i: abs(weekly["net_km2"].iloc[i]))
    small = min(range(len(weekly)), key=lambda i: abs(weekly["net_km2"].iloc[i]) or 1e9)
    ratio = abs(weekly["net_km2"].iloc[big] / weekly["net_km2"].iloc[small])
    assert got[big]["h"] / max(got[small]["h"], 0.5) > min(ratio, 50) * 0.8


def test_window_band_moves_with_the_dates():
    weekly = pd.DataFrame({"week": pd.date_range("2024-07-08", periods=10, freq="7D"),
                           "net_km2": [10, -5, 20, 30, 0, 40, 15, 5, 25, 35]})
    early = weekly_svg(weekly, date(2024, 7, 8), date(2024, 7, 21))
    late = weekly_svg(weekly, date(2024, 8, 19), date(2024, 9, 1))
    band = re.compile(r'<rect class="band" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"')
    (x1, w1), (x2, w2) = band.search(early).groups(), band.search(late).groups()
    assert float(x2) > float(x1) + 200 and abs(float(w1) - float(w2)) < 1
    negative = bars(early)[1]
    assert negative["y"] + negative["h"] > bars(early)[0]["y"] + bars(early)[0]["h"], "below the zero line"
    assert "Week of 2024-07-15: -5 km²" in early and 'viewBox="0 0' in early and str(HEIGHT) in early


def test_nothing_to_draw_gives_nothing():
    assert weekly_svg(pd.DataFrame(columns=["week", "net_km2"]), date(2024, 8, 1), date(2024, 9, 1)) == ""
