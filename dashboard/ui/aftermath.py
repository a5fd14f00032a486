"""'What happened next': the article's expectations beside what later data and reports say, at
the chosen date. Every value says its date, source and status; links are checked http(s) URLs."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.data.aftermath import measured, monthly_net, towns_taken
from dashboard.data.load import Dataset
from dashboard.data.outcomes import Expectation, Report, load_outcomes
from dashboard.data.outcomes import article_of as outcomes_article
from dashboard.data.values import safe_url
from dashboard.map.text import markdown_text
from dashboard.ui.chart import monthly_html


def _report_md(report: Report) -> str:
    url = safe_url(report.source_url)
    source = markdown_text(report.source)
    link = f"[{source}]({url})" if url and "(" not in url and ")" not in url else source
    return (f"**{markdown_text(report.display or report.label)}** — {markdown_text(report.label)} · "
            f"*{markdown_text(report.status)}*, {report.date.isoformat()} · {link}")


def _figure_md(ds: Dataset, expectation: Expectation) -> str:
    fig = ds.catalog.figures.get(expectation.article_figure)
    if fig is None:
        return ""
    value = fig.display or (f"{fig.value}" if fig.value is not None else "measured below")
    return f" Article's figure: **{markdown_text(value)}** ({markdown_text(fig.status)}, {markdown_text(fig.date)})."


def render(ds: Dataset, day: date, article_id: str) -> None:
    expectations, problems = load_outcomes(ds.root)
    if not expectations or outcomes_article(ds.root) not in ("", article_id):
        return
    article = ds.catalog.meta.article_date if ds.catalog.meta else day
    st.subheader(f"What happened next: the article ({article.isoformat()}) and {day.isoformat()}")
    if day < article:
        st.caption("The map date is before the article: move it later to see how its expectations turned out.")
    for problem in problems[:3]:
        st.warning(f"Data problem — {markdown_text(problem)}")
    for expectation in expectations:
        with st.container(border=True):
            _expectation(ds, expectation, article, day)
    _towns_taken(ds, article, day)


def _towns_taken(ds: Dataset, article: date, day: date) -> None:
    """The largest towns whose point came under occupation since the article, with their days."""
    taken = towns_taken(ds, article, day)
    if taken is None or not taken.towns:
        return
    with st.container(border=True):
        st.markdown(f"**Largest towns taken since the article ({article.isoformat()} → {taken.through.isoformat()})**")
        for c in taken.towns:
            st.markdown(f"- **{markdown_text(c.name)}** ({markdown_text(c.oblast)}, population {c.population:,}): "
                        f"{c.day.isoformat()}")
        st.caption(f"Still inside on {taken.through.isoformat()} · {markdown_text(taken.status)} · "
                   f"{markdown_text(taken.source)}. Rule: {markdown_text(taken.rule)}")


def _expectation(ds: Dataset, expectation: Expectation, article: date, day: date) -> None:
    st.markdown(f"**{markdown_text(expectation.title)}**")
    st.caption(markdown_text(expectation.article_claim) + _figure_md(ds, expectation))
    then, now = st.columns(2)
    then.caption(f"At the article ({article.isoformat()})")
    now.caption(f"By {day.isoformat()}")
    value = measured(ds, expectation, article, day)
    if value is not None:
        then.markdown(f"Measured: {markdown_text(value.at_article)}")
        now.markdown(f"Measured: **{markdown_text(value.at_day)}**")
        now.caption(f"{markdown_text(value.label)} · {markdown_text(value.status)} · "
                    f"{markdown_text(value.source)}. {markdown_text(value.note)}")
    before, latest = expectation.latest(article), expectation.latest(day)
    then.markdown(_report_md(before) if before else "No later report yet.")
    if latest is None or latest is before:
        now.markdown("No report after the article by this date.")
    else:
        now.markdown(_report_md(latest))
    known = [r for r in expectation.known_by(day) if r.date > article]
    if len(known) > 1:
        with st.expander(f"All {len(known)} reports from the article to {day.isoformat()}"):
            for report in known:
                st.markdown("- " + _report_md(report))
    if expectation.measure == "donetsk_area" and day > article:
        monthly = monthly_net(ds, "donetsk_km2")
        window = monthly[(monthly["month"].dt.date >= article.replace(day=1)) & (monthly["month"].dt.date <= day)]
        if not window.empty:
            st.html(monthly_html(window, article, day))
            st.caption("Net change of the Russian-occupied area of Donetsk Oblast per month since the article "
                       "(km², positive = more occupied; the last month may be partial). Hover a bar for its figure.")
