"""The weekly-change bar chart as a small inline SVG. Pure.

A charting library (Vega via Altair) would add about 0.8 MB of scripts to a reader's first view
and a quarter of a second to every cold start, for some 26 bars and a shaded band.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from dashboard.escape import html_text

WIDTH, HEIGHT = 720, 190
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 10, 26
BAR_COLOUR = "#D55E00"
BAND_COLOUR = "#0072B2"


def _nice_step(span: float) -> float:
    """A round tick step giving about four ticks over `span`."""
    raw = max(span, 1.0) / 4
    magnitude = 10 ** (len(str(int(raw))) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def weekly_svg(weekly: pd.DataFrame, start: date, end: date) -> str:
    """Bars of `weekly` (columns `week`, `net_km2`; week = its Monday) with the window
    [start, end] shaded. Each bar carries a <title> tooltip; text uses the page's colour."""
    if weekly.empty:
        return ""
    weeks = [pd.Timestamp(w).date() for w in weekly["week"]]
    values = [float(v) for v in weekly["net_km2"]]
    first, last = weeks[0], weeks[-1] + timedelta(days=7)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span_days = max((last - first).days, 1)

    def x(day: date) -> float:
        return LEFT + plot_w * min(max((day - first).days, 0), span_days) / span_days

    step = _nice_step(max([*values, 0.0]) - min([*values, 0.0]))
    low = min(0.0, (min(values) // step) * step)
    high = max(step, -(-max(values) // step) * step)

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             'role="img" aria-label="Weekly net change of the occupied area, km²" '
             'style="font: 11px sans-serif; fill: currentColor; max-width: 900px">']
    band_x0, band_x1 = x(start), x(end + timedelta(days=1))
    parts.append(f'<rect class="band" x="{band_x0:.1f}" y="{TOP}" width="{max(band_x1 - band_x0, 1):.1f}" '
                 f'height="{plot_h}" fill="{BAND_COLOUR}" fill-opacity="0.18"/>')
    tick = low
    while tick <= high + 1e-9:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="currentColor" stroke-opacity="{0.6 if tick == 0 else 0.15}"/>'
                     f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:,.0f}</text>')
        tick += step
    bar_w = plot_w / span_days * 7 * 0.8
    for week, value in zip(weeks, values, strict=True):
        top, bottom = sorted((y(value), y(0.0)))
        label = html_text(f"Week of {week.isoformat()}: {value:+,.0f} km²")
        parts.append(f'<rect class="bar" x="{x(week) + bar_w * 0.1:.1f}" y="{top:.1f}" width="{bar_w:.1f}" '
                     f'height="{max(bottom - top, 0.5):.1f}" fill="{BAR_COLOUR}"><title>{label}</title></rect>')
    month = date(first.year, first.month, 1)
    while month <= last:
        if month >= first:
            parts.append(f'<text x="{x(month):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{month:%b %Y}</text>')
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    parts.append(f'<text x="12" y="{TOP + plot_h / 2:.1f}" transform="rotate(-90 12 {TOP + plot_h / 2:.1f})" '
                 'text-anchor="middle">km² per week</text></svg>')
    return "".join(parts)
