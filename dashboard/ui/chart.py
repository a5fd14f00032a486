"""The weekly-change bar chart as plain HTML boxes. Pure.

A charting library (Vega via Altair) would add about 0.8 MB of scripts to a reader's first view
and a quarter of a second to every cold start, for some 26 bars and a shaded band. Streamlit's
`st.html` keeps only HTML (no SVG), so the bars are positioned boxes: left and width in percent
of the chart's width, top and height in pixels. Each bar's `data-tip` is shown by the page's CSS
on hover and on a tap (a title attribute shows on neither a touch screen nor a keyboard), and
every chart is followed by its figures as a table in a <details> element: keyboard, screen
reader and touch readers get every value, not only a mouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from dashboard.map.text import html_text

HEIGHT = 190          # px, whole chart
LEFT = 8.0            # % of the width kept for the value axis
TOP, BOTTOM = 10, 26  # px above the plot and under it (month labels)
BAR_COLOUR = "#D55E00"
BAND_COLOUR = "rgba(0, 114, 178, 0.18)"


def _nice_step(span: float) -> float:
    """A round tick step giving about four ticks over `span`."""
    raw = max(span, 1.0) / 4
    magnitude = 10 ** (len(str(int(raw))) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _box(cls: str, left: float, width: float, top: float, height: float, style: str = "", title: str = "",
         text: str = "") -> str:
    tip = f' data-tip="{title}"' if title else ""
    return (f'<div class="{cls}"{tip} style="position:absolute;left:{left:.2f}%;width:{width:.2f}%;'
            f'top:{top:.1f}px;height:{height:.1f}px;{style}">{text}</div>')


@dataclass(frozen=True)
class _Axes:
    """Days along x (percent of the width), values along y (pixels), and what both charts draw
    around their marks: the frame, the shaded window, the value grid and the month labels."""

    first: date
    last: date     # the day after the last one drawn
    low: float
    high: float
    height: int    # px, whole chart

    @property
    def span_days(self) -> int:
        return max((self.last - self.first).days, 1)

    @property
    def plot_h(self) -> int:
        return self.height - TOP - BOTTOM

    def x(self, day: date) -> float:
        return LEFT + (100 - LEFT) * min(max((day - self.first).days, 0), self.span_days) / self.span_days

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (self.high - value) / (self.high - self.low)

    def opening(self, label: str) -> str:
        return (f'<div class="sm-chart" role="img" aria-label="{label}. Its figures are in the table below." '
                f'style="position:relative;height:{self.height}px;font-size:11px;max-width:900px">')

    def band(self, start: date, end: date, min_width: float) -> str:
        x0, x1 = self.x(start), self.x(end + timedelta(days=1))
        return _box("band", x0, max(x1 - x0, min_width), TOP, self.plot_h, f"background:{BAND_COLOUR}")

    def grid(self, step: float, zero_opacity: float) -> list[str]:
        parts, tick = [], self.low
        while tick <= self.high + 1e-9:
            opacity = zero_opacity if tick == 0 else 0.15
            parts.append(_box("grid", LEFT, 100 - LEFT, self.y(tick), 0, f"border-top:1px solid;opacity:{opacity}"))
            parts.append(_box("tick", 0, LEFT - 0.8, self.y(tick) - 7, 14, "text-align:right", text=f"{tick:,.0f}"))
            tick += step
        return parts

    def months(self) -> list[str]:
        """One label per month over half a year, else per quarter, so labels never overlap."""
        every = 1 if self.span_days < 200 else 3
        parts, month = [], date(self.first.year, self.first.month, 1)
        while month <= self.last:
            if month >= self.first and (month.month - 1) % every == 0:
                parts.append(_box("month", self.x(month) - 5, 10, self.height - 18, 14, "text-align:center",
                                  text=f"{month:%b %Y}"))
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return parts


def figures_table(caption: str, head: tuple[str, str], rows: list[tuple[str, str]]) -> str:
    """The chart's figures as a table, folded: what the bars' tips say, for every reader."""
    body = "".join(f"<tr><td>{when}</td><td>{value}</td></tr>" for when, value in rows)
    return (f'<details class="sm-figs"><summary>{caption}: figures as a table</summary><table>'
            f'<thead><tr><th scope="col">{head[0]}</th><th scope="col">{head[1]}</th></tr></thead>'
            f"<tbody>{body}</tbody></table></details>")


def _period_end(day: date, monthly: bool) -> date:
    if not monthly:
        return day + timedelta(days=7)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def weekly_html(weekly: pd.DataFrame, start: date, end: date) -> str:
    """Bars of `weekly` (columns `week`, `net_km2`; week = its Monday) with the window shaded."""
    return bars_html(weekly.rename(columns={"week": "period"}), start, end, monthly=False)


def monthly_html(monthly: pd.DataFrame, start: date, end: date) -> str:
    """Bars of `monthly` (columns `month` = its first day, `net_km2`) with the window shaded."""
    return bars_html(monthly.rename(columns={"month": "period"}), start, end, monthly=True)


@dataclass(frozen=True)
class Banded:
    """A chart drawn once, with its window's shaded band put in per window: a date step changes
    only the band, so the rest is not built again (about 30 ms for the daily series)."""

    head: str
    tail: str
    axes: _Axes
    min_width: float

    def html(self, start: date, end: date) -> str:
        return self.head + self.axes.band(start, end, self.min_width) + self.tail


def bars_html(frame: pd.DataFrame, start: date, end: date, monthly: bool) -> str:
    """Bars of `frame` (columns `period` = first day, `net_km2`) with the window [start, end]
    shaded. Text takes the page's colour (light and dark themes)."""
    chart = bars_chart(frame, monthly)
    return chart.html(start, end) if chart else ""


def bars_chart(frame: pd.DataFrame, monthly: bool) -> Banded | None:
    if frame.empty:
        return None
    weeks = [pd.Timestamp(w).date() for w in frame["period"]]
    values = [float(v) for v in frame["net_km2"]]
    step = _nice_step(max([*values, 0.0]) - min([*values, 0.0]))
    ax = _Axes(weeks[0], _period_end(weeks[-1], monthly), low=min(0.0, (min(values) // step) * step),
               high=max(step, -(-max(values) // step) * step), height=HEIGHT)
    period = "month" if monthly else "week"
    caption = f"Net change of the occupied area per {period}, km²"
    parts = [*ax.grid(step, zero_opacity=0.6)]
    rows = []
    for week, value in zip(weeks, values, strict=True):
        bar_w = (100 - LEFT) * (_period_end(week, monthly) - week).days / ax.span_days * 0.8
        top, bottom = sorted((ax.y(value), ax.y(0.0)))
        name = f"{week:%B %Y}" if monthly else f"Week of {week.isoformat()}"
        label = html_text(f"{name}: {value:+,.0f} km²")
        rows.append((html_text(name), f"{value:+,.0f}"))
        parts.append(_box("bar", ax.x(week) + bar_w * 0.1, bar_w, top, max(bottom - top, 0.5),
                          f"background:{BAR_COLOUR}", title=label))
    table = figures_table(caption, (period.capitalize(), "Net change, km²"), rows)
    return Banded(ax.opening(caption), "".join([*parts, *ax.months(), "</div>", table]), ax, 0.3)


# --------------------------------------------------------------------- daily series (line as area)
SERIES_HEIGHT = 150   # px, whole chart
SERIES_COLUMNS = 180  # at most this many columns: two years of days in ~4-day steps
SERIES_COLOUR = "#0072B2"
MARK_COLOUR = "#D55E00"


def _columns(days: list[date], values: list[float], keep: str) -> list[tuple[date, date, float]]:
    """Consecutive days grouped into at most SERIES_COLUMNS columns: (first, last, value) with the
    group's smallest value (keep="min": a closest approach stays visible) or its last one."""
    size = -(-len(days) // SERIES_COLUMNS)
    out = []
    for i in range(0, len(days), size):
        chunk = values[i:i + size]
        out.append((days[i], days[min(i + size, len(days)) - 1], min(chunk) if keep == "min" else chunk[-1]))
    return out


def series_html(frame: pd.DataFrame, column: str, start: date, end: date, *, unit: str, label: str,
                mark: date | None = None, keep: str = "last", from_zero: bool = True) -> str:
    """A daily series (`frame` columns `date` and `column`) as an area of boxes, the days
    [start, end] shaded and the day `mark` drawn as a vertical line. Same box pattern as the bars:
    positioned divs only, so Streamlit's sanitiser keeps it."""
    chart = series_chart(frame, column, unit=unit, label=label, mark=mark, keep=keep, from_zero=from_zero)
    return chart.html(start, end) if chart else ""


def series_chart(frame: pd.DataFrame, column: str, *, unit: str, label: str, mark: date | None = None,
                 keep: str = "last", from_zero: bool = True) -> Banded | None:
    frame = frame.dropna(subset=[column])
    if frame.empty:
        return None
    days = [pd.Timestamp(d).date() for d in frame["date"]]
    values = [float(v) for v in frame[column]]
    step = _nice_step(max(values) - (0.0 if from_zero else min(values)))
    low = 0.0 if from_zero else (min(values) // step) * step
    ax = _Axes(days[0], days[-1] + timedelta(days=1), low=low,
               high=max(low + step, -(-max(values) // step) * step), height=SERIES_HEIGHT)
    parts = [*ax.grid(step, zero_opacity=0.15)]
    rows = []
    for a, b, value in _columns(days, values, keep):
        left, right = ax.x(a), ax.x(b + timedelta(days=1))
        when = a.isoformat() if a == b else f"{a.isoformat()} – {b.isoformat()}"
        rows.append((when, f"{value:,.1f}"))
        parts.append(_box("col", left, right - left, ax.y(value), max(ax.y(low) - ax.y(value), 0.5),
                          f"background:{SERIES_COLOUR};opacity:0.75", title=html_text(f"{when}: {value:,.1f} {unit}")))
    if mark is not None and ax.first <= mark < ax.last:
        parts.append(_box("mark", ax.x(mark), 0.3, TOP, ax.plot_h, f"background:{MARK_COLOUR}",
                          title=html_text(f"{mark.isoformat()}: {values[days.index(mark)]:,.1f} {unit}")
                          if mark in days else ""))
    table = figures_table(html_text(label), ("Day or days", f"Value, {html_text(unit)}"), rows)
    return Banded(ax.opening(html_text(label)), "".join([*parts, *ax.months(), "</div>", table]), ax, 0.4)
