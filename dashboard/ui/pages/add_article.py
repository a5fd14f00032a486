"""Add an article (editors only): paste or upload an article, review what the ingest found
(places, figures, dates), fix or reject it, and save a draft folder or download it as a zip.

Off unless the operator turns it on (see editor.editing_enabled). The article's text is shown
only as escaped HTML with highlighted mentions; a draft stores offsets and the text's sha256.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.data.drafts import DraftError, DraftSpec, check_spec, draft_zip, write_draft
from dashboard.data.load import Dataset, data_dir, forget_loaded
from dashboard.data.specs import STATUSES, MapBounds
from dashboard.ingest import IngestError, load_gazetteer
from dashboard.map.draft import MapPlace, draft_map, fit_center
from dashboard.map.publish import publish
from dashboard.map.text import markdown_text
from dashboard.ui import editor, map_widget, state
from dashboard.ui.chrome import PAGE_CSS, loaded

MAP_HEIGHT = 460
MAX_CANDIDATES = 40
_MARKUP = re.compile(r"<\s*(script|style)\b", re.I)
OFF_TEXT = ("Editing is off on this deployment. The operator can turn it on by starting the app with the "
            "environment variable `SITUATION_MAP_EDITOR=1`, or with `editor = true` in `.streamlit/secrets.toml`.")


def render() -> None:
    st.html(PAGE_CSS)  # the app's page CSS (readable captions), constant
    st.title("Add an article")
    if not editor.editing_enabled():
        st.info(OFF_TEXT)
        return
    ds, _ = loaded()
    st.caption("Paste an article or upload it; review the places, figures and dates found in it; save a draft "
               "for review in git. The draft stores character offsets and the text's sha256, not the text.")
    es = state.editor_state()
    read_section(es)
    if "article" not in es:
        return
    article, sha8 = es["article"], editor.sha256_of(es["article"].text)[:8]
    fields = fields_section(article, sha8)
    st.html(editor.MARK_CSS + editor.LEGEND_HTML)  # constant HTML only
    st.html(editor.highlight_html(article.text, es["draft"]))
    places = places_section(ds, es, sha8)
    figures = figures_section(es, sha8)
    with st.expander(f"Dates found ({len(es['draft'].dates)})"):
        st.caption("For review only: the draft is dated by the article date above.")
        st.dataframe(editor.date_rows(es["draft"]), hide_index=True)
    save_section(ds, es, editor.build_spec(fields, article, places, figures))


def read_section(es: dict[str, Any]) -> None:
    pasted = st.text_area("Paste the article's text", key="ed_text", height=180)
    # The browser refuses files over 1 MB (its smallest limit); read_input checks 200 KB here again.
    upload = st.file_uploader("…or upload a file (.txt, .md or .html, at most 200 KB)", type=editor.UPLOAD_TYPES,
                              key="ed_file", max_upload_size=1)
    if not st.button("Read the article", key="ed_read", type="primary"):
        return
    try:
        with st.spinner("Reading the article…"):
            article, draft = editor.read_input(pasted, upload)
    except IngestError as exc:
        st.error(f"Could not read this article: {markdown_text(exc)}. Nothing was changed.")
        return
    raw = upload.getvalue().decode("utf-8", "replace") if upload is not None else pasted
    es.clear()
    es.update(article=article, draft=draft, rows=editor.place_rows(draft), figures=editor.figure_rows(draft),
              fixed={}, chosen={}, last_click=None)
    if _MARKUP.search(raw) and not _MARKUP.search(article.text):
        es["notice"] = "The HTML's scripts and styles were dropped; only its text was read."
    if es.get("notice"):
        st.warning(es["notice"])


def fields_section(article: Any, sha8: str) -> dict[str, str]:
    """Editable article fields, prefilled from the ingest; keyed by the text so a new article refills them."""
    c1, c2 = st.columns(2)
    title = c1.text_input("Title", value=article.title, key=f"ed_title_{sha8}", max_chars=300)
    publisher = c2.text_input("Publisher", key=f"ed_publisher_{sha8}", max_chars=120,
                              placeholder="e.g. Reuters (default: the URL's host)")
    c3, c4, c5 = st.columns([3, 1, 2])
    url = c3.text_input("Article URL (http or https; needed for places)", key=f"ed_url_{sha8}", max_chars=500)
    day = c4.text_input("Date (YYYY-MM-DD)", value=article.date or "", key=f"ed_date_{sha8}", max_chars=10)
    ident = c5.text_input("Draft id (a-z, 0-9, -)", key=f"ed_id_{sha8}", max_chars=32,
                          placeholder="default: from the title")
    return {"title": title, "publisher": publisher, "url": url, "date": day, "id": ident}


def places_section(ds: Dataset, es: dict[str, Any], sha8: str) -> pd.DataFrame:
    st.subheader("Places")
    left, right = st.columns([3, 2])
    with left:
        target = fix_unresolved(es, sha8)
        rows = pd.DataFrame(es["rows"], columns=editor.PLACE_COLUMNS)
        rows[["lat", "lon"]] = rows[["lat", "lon"]].astype(float)  # all-None columns would be text
        for i, fix in es["fixed"].items():
            rows.loc[i, ["lat", "lon", "geonameid", "accept"]] = [fix[0], fix[1], fix[2], True]
        edited = st.data_editor(
            rows, key=f"ed_places_{sha8}", hide_index=True, num_rows="fixed",
            column_order=("accept", "name", "lat", "lon", "status", "mentions", "candidates", "confidence"),
            column_config={
                "accept": st.column_config.CheckboxColumn("accept"),
                "name": st.column_config.TextColumn("name", max_chars=120, required=True),
                "lat": st.column_config.NumberColumn("lat", format="%.4f", min_value=-90, max_value=90),
                "lon": st.column_config.NumberColumn("lon", format="%.4f", min_value=-180, max_value=180),
                "status": st.column_config.SelectboxColumn("status", options=STATUSES, required=True),
            }, disabled=("mentions", "candidates", "confidence"))
    with right:
        show_map(ds, es, edited, target)
    return edited


def fix_unresolved(es: dict[str, Any], sha8: str) -> int | None:
    """A candidate list for each place the ingest could not settle; the map click target."""
    open_rows = [i for i, r in enumerate(es["rows"]) if r["lat"] is None]
    if not open_rows:
        return None
    gaz = load_gazetteer()
    st.caption("Unresolved places: choose the right one among the gazetteer's candidates, or pick the place "
               "below and click the map where it is.")
    for i in open_rows:
        row = es["rows"][i]
        options = editor.candidates(gaz, row["text"])[:MAX_CANDIDATES]
        if not options:
            continue
        choice = st.selectbox(f"{row['name']}: {row['candidates']} candidates", [None, *options],
                              format_func=lambda e: "— not chosen —" if e is None else editor.candidate_label(e),
                              key=f"ed_cand_{sha8}_{i}")
        # Only a new choice moves the place: a later map click for it must not be undone next run.
        if choice is not None and es["chosen"].get(i) != choice:
            es["chosen"][i] = choice
            es["fixed"][i] = (choice.lat, choice.lon, choice.geonameid if choice.geonameid > 0 else None)
    names = {i: es["rows"][i]["name"] for i in open_rows}
    return st.selectbox("Click the map to place", [None, *names], key=f"ed_target_{sha8}",
                        format_func=lambda i: "— nothing —" if i is None else names[i])


def show_map(ds: Dataset, es: dict[str, Any], edited: pd.DataFrame, target: int | None) -> None:
    places = [MapPlace(str(r["name"]), float(r["lat"]), float(r["lon"]),
                       "placing" if i == target else "accepted" if r["accept"] else "rejected")
              for i, r in enumerate(edited.to_dict("records"))
              if pd.notna(r["lat"]) and pd.notna(r["lon"])]
    default = ds.catalog.meta.default_center if ds.catalog.meta else (49.7, 37.2)
    center, zoom = fit_center([p for p in places if p.state != "rejected"], default)
    base = map_widget.render_base(draft_map(ds, places, center, zoom, publish=publish), ("last_clicked",))
    out = map_widget.show(base, None, None, key="ed_map", height=MAP_HEIGHT, center=None, zoom=None,
                          returned_objects=("last_clicked",))
    st.caption("Blue: accepted · grey: left out · orange: the place being placed. Click to place the chosen one.")
    click = (out or {}).get("last_clicked")
    if target is None or not isinstance(click, dict) or not {"lat", "lng"} <= set(click):
        return
    spot = (round(float(click["lat"]), 4), round(float(click["lng"]), 4))
    if spot != es.get("last_click"):  # the component repeats its last click on every rerun
        es["last_click"] = spot
        es["fixed"][target] = (spot[0], spot[1], None)
        st.rerun()


def figures_section(es: dict[str, Any], sha8: str) -> pd.DataFrame:
    st.subheader("Figures")
    rows = pd.DataFrame(es["figures"], columns=["accept", "label", "value", "display", "status", "start", "end"])
    return st.data_editor(
        rows, key=f"ed_figures_{sha8}", hide_index=True, num_rows="fixed",
        column_order=("accept", "label", "value", "display", "status"),
        column_config={
            "accept": st.column_config.CheckboxColumn("accept"),
            "label": st.column_config.TextColumn("label", max_chars=80, required=True),
            "value": st.column_config.NumberColumn("value", required=True),
            "display": st.column_config.TextColumn("display", max_chars=40, required=True),
            "status": st.column_config.SelectboxColumn("status", options=STATUSES, required=True),
        })


def save_section(ds: Dataset, es: dict[str, Any], spec: DraftSpec) -> None:
    st.subheader("Save")
    bounds = ds.catalog.meta.bounds if ds.catalog.meta else MapBounds()
    problems = check_spec(spec, bounds)
    if problems:
        st.info("Before saving: " + "; ".join(markdown_text(p) for p in problems[:6]) + ".")
    c1, c2 = st.columns(2)
    if c1.button("Save draft", key="ed_save", type="primary"):
        # Only a draft this editor saved from this article is replaced; any other of the same id is
        # someone else's (or an earlier reading's) and the save is refused with a free id to use.
        own: set[str] = es.setdefault("saved", set())
        try:
            write_draft(data_dir(), spec, bounds, replace=spec.id in own)
        except DraftError as exc:
            st.error("Not saved: " + "; ".join(markdown_text(p) for p in exc.problems[:6]) + ".")
        except OSError as exc:
            reason = markdown_text(exc.strerror or type(exc).__name__)  # never str(exc): it holds the path
            st.error(f"Not saved: the data folder cannot be written ({reason}).")
        else:
            own.add(spec.id)
            forget_loaded()  # the map picks the draft up from the next page run, without a restart
            # The draft's id, never the server's folder path (which a reader has no use for).
            st.success(f"Saved the draft “{markdown_text(spec.id)}” — validated before it was written (the "
                       "catalog parser and GeoJSON reader that `python -m dashboard.check` runs): 0 errors. It "
                       "is in the map's article picker now; review it in git.")
    if not problems:
        c2.download_button("Download draft (zip)", data=draft_zip(spec, bounds), file_name=f"{spec.id}.zip",
                           mime="application/zip", key="ed_zip", on_click="ignore")
