"""Sources & method, and About: every layer and figure with its provenance."""

from __future__ import annotations

import streamlit as st

from dashboard.data import Dataset
from dashboard.escape import markdown_text
from dashboard.session import current_view, init_session, keep_view_in_url, loaded, page_header, show_problems


def sources_section(ds: Dataset) -> None:
    st.subheader("Sources and method")
    meta = ds.catalog.meta
    if meta:
        st.markdown(f"**Article:** {markdown_text(meta.article_title)} — dated "
                    f"{meta.article_date.isoformat()} (estimate). {markdown_text(meta.article_date_basis)}")
        st.markdown(f"Areas are measured with GeoPandas in the equal-area CRS {markdown_text(meta.equal_area_crs)}.")
    for src in ds.catalog.sources.values():
        st.markdown(f"- **{markdown_text(src.name)}** ({markdown_text(src.licence)}): "
                    f"{markdown_text(src.attribution)}. Via {markdown_text(src.via)}.")
    rows = [{"layer": s.title, "status": s.status, "date": s.date, "source": s.source,
             "article section": s.article_section, "loaded": s.id in ds.layers}
            for s in ds.catalog.layers.values()]
    st.dataframe(rows, hide_index=True, width="stretch")
    if "kursk-salient" in ds.layers:
        gdf = ds.layers["kursk-salient"].gdf
        st.markdown("**Kursk salient outlines** are approximations drawn by hand from the dated reports "
                    "below, clipped to Kursk Oblast; claimed area vs the area GeoPandas measures:")
        st.dataframe(gdf[["date", "status", "claimed_area_km2", "measured_area_km2", "source"]],
                     hide_index=True, width="stretch")


def method_section(ds: Dataset) -> None:
    st.subheader("How the map is made")
    meta = ds.catalog.meta
    crs = markdown_text(meta.equal_area_crs) if meta else "EPSG:6933"
    st.markdown(f"""
- **Areas** are measured with GeoPandas in the equal-area CRS {crs}. The occupied-area figures come
  from the full-resolution DeepStateMap snapshots (`geodata/tables/occupied_areas.csv`), never from
  the simplified shapes drawn on screen.
- **Daily history**: the map shows the snapshot of the chosen day; where DeepStateMap has no
  snapshot (18 and 19 August 2024) it shows the nearest earlier day and says so.
- **Kursk salient**: each outline is drawn by hand around the villages the dated report places under
  Ukrainian control and clipped to Kursk Oblast. They are approximations, not surveyed front lines;
  the table above puts each claimed area next to the area measured on the outline. Between two dated
  outlines the map shows the latest one at or before the chosen day.
- **Changed hands**: the difference between the compare date's and the map date's areas (DeepState
  in Ukraine; the dated outlines in Kursk Oblast).
- **Counter-offensive annotations** are indicative areas of reported concentrations, never positions,
  and appear from the date they were reported.
- **Status**: reported = published as fact by news media or an official record; assessed = an analyst's
  judgement (ISW, DeepState, a defence ministry's estimate); claimed = said by a party to the war.
- **Known limits**: Natural Earth boundaries are generalised (about 100 m); DeepStateMap is one
  analyst group's assessment; no salient outline exists between 12 September and 23 November 2024,
  so the article's date shows the September outline; roads and railways are not shown.
""")


def render_sources() -> None:
    ds, bounds = loaded()
    init_session(bounds)
    page_header(ds)
    show_problems(ds)
    view, _ = current_view(bounds)
    keep_view_in_url(view, bounds)
    sources_section(ds)
    method_section(ds)
    figures_table(ds)


def figures_table(ds: Dataset) -> None:
    st.subheader("Key figures and their sources")
    rows = [{"figure": f.label, "value": f.display or f.computed, "status": f.status, "date": f.date,
             "source": f.source, "link": f.source_url, "article section": f.article_section, "note": f.note}
            for f in ds.catalog.figures.values()]
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_config={"link": st.column_config.LinkColumn("link")})


def render_about() -> None:
    ds, bounds = loaded()
    init_session(bounds)
    page_header(ds)
    view, _ = current_view(bounds)
    keep_view_in_url(view, bounds)
    st.markdown("""
This dashboard turns one news article of early November 2024 about the war in Ukraine into a
situation map: Ukraine's August 2024 incursion into Kursk Oblast, the Russian and North Korean
build-up for a counter-offensive, Russian losses, and Russian advances in Donbass.

- Pick a **date** (8 July to 31 December 2024) and, optionally, a **compare date** to see what
  changed hands; press **Play** to step through the days.
- Switch **layers** in the sidebar or in the map's layer control.
- **Share**: the address bar (and the box in the sidebar) always holds the whole view; a colleague
  who opens it sees the same date, layers, centre and zoom.
- **Download** the visible layers (GeoJSON), the figures (CSV) or the map as an offline HTML file.

Everything is served by the app itself: it works with no internet connection.
The article's facts are paraphrased and cited by section; its text is not reproduced.
""")
