"""Sources & method: every layer and figure with its provenance, and how the map is made."""

from __future__ import annotations

import streamlit as st

from dashboard.data.load import Dataset
from dashboard.map.text import markdown_text
from dashboard.ui import state
from dashboard.ui.chrome import loaded, page_header, show_problems, show_url_notices


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
    salient = ds.catalog.by_role("salient")
    if salient is not None and salient.id in ds.layers:
        gdf = ds.layers[salient.id].gdf
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
  snapshot (seven days between August 2024 and July 2026) it shows the nearest earlier day and says
  so. `python -m dashboard.update` adds the days published since, each checked before it enters.
- **Kursk salient**: each outline is drawn by hand around the villages the dated report places under
  Ukrainian control and clipped to Kursk Oblast. They are approximations, not surveyed front lines;
  the table above puts each claimed area next to the area measured on the outline. Between two dated
  outlines the map shows the latest one at or before the chosen day. After the last outline come the
  end records (Russia's claim of the whole oblast on 26 April 2025 and Ukraine's denial, both
  claimed): from that day the map draws no held area and says why.
- **Line of contact**: the occupied area's edge inside Ukraine (not the state border or the coast),
  measured on the full-resolution snapshots on the WGS84 ellipsoid; **distance to the front**: from a
  town to the nearest occupied point, in an azimuthal equidistant projection centred on the town.
- **Changed hands**: the difference between the compare date's and the map date's areas (DeepState
  in Ukraine; the dated outlines in Kursk Oblast).
- **Counter-offensive annotations** are indicative areas of reported concentrations, never positions;
  each appears from the date it was reported until the situation it describes ended.
- **Status**: reported = published as fact by news media or an official record; assessed = an analyst's
  judgement (ISW, DeepState, a defence ministry's estimate); claimed = said by a party to the war.
- **Known limits**: Natural Earth boundaries are generalised (about 100 m); DeepStateMap is one
  analyst group's assessment and its contested (grey) zones are not in the snapshots; the salient
  outlines are weeks apart, so a day between two shows the earlier one; roads and railways are not
  shown.
""")


def render() -> None:
    ds, bounds = loaded()
    state.init_session(bounds, draws_view_widgets=False)
    page_header(ds)
    show_problems(ds)
    show_url_notices(state.take_url_notices())
    state.keep_view_in_url(state.last_view(), bounds)
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
