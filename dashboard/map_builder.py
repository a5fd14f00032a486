"""Pure map builder: (Dataset, ViewState) -> folium.Map. No Streamlit here.

The map splits in two so the page can keep one Leaflet map alive while the date changes:
`base_map` holds the basemap and the undated overlays (it only changes with the basemap or
the visible layers); `dated_groups` holds the layers that depend on the date, which
streamlit-folium swaps in place (`feature_group_to_add`). `build_map` joins both for a
standalone map (tests, downloads).

Every text that comes from data is escaped here (tooltips, popups, labels, legend): folium
inserts tooltip fields and tooltip text as raw HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import folium
import geopandas as gpd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from dashboard.catalog import LayerSpec, StyleRule
from dashboard.data import Dataset
from dashboard.escape import html_text, link_html
from dashboard.history import extent_for, polygonal
from dashboard.view_state import ViewState

#: Relative to the map iframe (<base>/component/streamlit_folium.st_folium/index.html), this
#: reaches Streamlit's static folder (<base>/app/static/) with or without a base path.
ASSET_BASE = "../../app/static/vendor/leaflet"
#: Status is drawn as a line pattern too, not by colour alone (reported solid, assessed dashed,
#: claimed dotted); the catalog's styles give colours and weights only.
STATUS_DASH = {"reported": None, "assessed": "8 5", "claimed": "1 6"}
STATUS_CSS = {"reported": "solid", "assessed": "dashed", "claimed": "dotted"}
#: Leaflet path options a catalog style may set; anything else is dropped.
_STYLE_KEYS = {"color", "weight", "opacity", "fill", "fillColor", "fillOpacity", "dashArray", "radius"}

MAP_CSS = """
<style>
.leaflet-container { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
.sm-label { color: #6b6357; font-size: 12px; white-space: nowrap; pointer-events: none;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff; }
.sm-label.country { font-size: 15px; letter-spacing: 3px; font-weight: 600; color: #8a8276; }
.sm-label.sea { font-style: italic; color: #4f7592; text-shadow: none; }
.sm-label.oblast { font-size: 11px; text-transform: uppercase; letter-spacing: 1px; color: #8d877d; }
.sm-place { font-weight: 600; font-size: 12.5px; color: #111; white-space: nowrap; pointer-events: none;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
.sm-legend { color: #1f1f1f; background: rgba(255,255,255,.94); padding: 5px 8px; border-radius: 4px; font-size: 11.5px;
  line-height: 1.3; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 330px; max-height: 45vh; overflow-y: auto; }
.sm-legend summary { cursor: pointer; font-weight: 700; }
.leaflet-control-layers, .leaflet-popup-content, .leaflet-tooltip { color: #1f1f1f; }
.leaflet-control-attribution { color: #333; font-size: 9px; max-width: 62%; line-height: 1.2; }
.sm-legend .sw { display: inline-block; width: 16px; height: 11px; margin-right: 5px; vertical-align: middle; }
.sm-legend .st { color: #555; font-size: 10.5px; }
.sm-legend .note { color: #444; font-size: 11px; margin-top: 3px; }
.sm-asof { color: #1f1f1f; background: rgba(255,255,255,.93); padding: 3px 8px; border-radius: 4px; font-weight: 600;
  font-size: 13px; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
</style>
"""


class _Control(MacroElement):
    """A Leaflet control whose HTML is fixed at build time (legend, 'as of' box)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
          var ctl = L.control({position: {{ this.position|tojson }}});
          ctl.onAdd = function() {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            // On a narrow map (a phone) the legend starts folded so it does not hide the map.
            var details = div.querySelector('details');
            if (details && {{ this._parent.get_name() }}.getSize().x < 560) { details.removeAttribute('open'); }
            return div;
          };
          ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, html: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "SituationControl"
        self.html, self.position, self.css_class = html, position, css_class


class SyncedLayerControl(folium.LayerControl):
    """A layer control that also makes the map show exactly `visible` overlays.

    streamlit-folium re-evaluates the layer control's script whenever it changes, so the page
    toggles layers by passing a new control instead of rebuilding the map (no remount, no
    flicker). The script also writes the full set of visible overlays into the component's
    `selected_layers`, which the component otherwise only learns from toggle events; the
    page reads it back to follow toggles made in the map's own control.
    """

    _template = Template("""
        {% macro script(this,kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
                overlays :  {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
            };
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                {{ this.options|tojavascript }}
            ).addTo({{this._parent.get_name()}});
            (function(ctl, wanted) {
              var map = ctl._map;
              ctl._layers.forEach(function(entry) {
                if (!entry.overlay) { return; }
                var want = wanted.indexOf(entry.name) >= 0;
                if (want && !map.hasLayer(entry.layer)) { map.addLayer(entry.layer); }
                if (!want && map.hasLayer(entry.layer)) { map.removeLayer(entry.layer); }
              });
              // A toggle made in the control reruns the page, which re-creates the control:
              // keep it open if the reader had it open.
              var previous = map._smControl;
              if (previous && previous._container &&
                  L.DomUtil.hasClass(previous._container, "leaflet-control-layers-expanded")) { ctl.expand(); }
              // Report the full set of visible overlays (the component tracks only WMS layers).
              map._smControl = ctl;
              function record() {
                // The marker says "this is the full set": the component's own initial value is
                // an empty set that means nothing yet, not "every layer hidden".
                var current = map._smControl, shown = {"sm:synced": {name: "sm:synced", url: null}};
                if (!window.__GLOBAL_DATA__ || !current) { return; }
                current._layers.forEach(function(entry) {
                  if (entry.overlay && map.hasLayer(entry.layer)) {
                    shown[entry.name] = {name: entry.name, url: null};
                  }
                });
                window.__GLOBAL_DATA__.selected_layers = shown;
              }
              if (!map._smListening) {
                map.on("overlayadd overlayremove", record);
                map._smListening = true;
              }
              record();
            })({{ this.get_name() }}, {{ this.visible|tojson }});
        {% endmacro %}
        """)

    def __init__(self, visible: Iterable[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.visible = list(visible)


#: Turns a file's bytes into a URL the map's page can fetch, or None to inline the data instead.
Publisher = Callable[[str, bytes], str | None]


class FetchedGeoJson(MacroElement):
    """A GeoJSON layer the browser fetches from the app's static files instead of receiving it
    inline: the map's code stays small, so every rerun sends less, and the browser caches the
    file. Tooltip, popup and label texts arrive pre-escaped (`tip`, `popup`, `label` properties)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(group) {
          var styles = {{ this.styles|tojson }}, prop = {{ this.prop|tojson }};
          var base = {{ this.base|tojson }}, dash = {{ this.dash|tojson }};
          function style(f) {
            var s = Object.assign({}, (prop && styles[f.properties[prop]]) || base);
            if (f.properties.status in dash && dash[f.properties.status]) { s.dashArray = dash[f.properties.status]; }
            return s;
          }
          fetch({{ this.url|tojson }}).then(function(r) {
            if (!r.ok) { throw new Error("HTTP " + r.status); }
            return r.json();
          }).then(function(data) {
            L.geoJSON(data, {
              style: style,
              pane: {{ this.pane|tojson }},
              interactive: {{ this.interactive|tojson }},
              pointToLayer: function(f, latlng) {
                return L.marker(latlng, {interactive: false, keyboard: false, icon: L.divIcon({
                  html: f.properties.label, iconSize: [0, 0], iconAnchor: [0, 8], className: "sm-label-icon"})});
              },
              onEachFeature: function(f, layer) {
                if (f.properties.tip) { layer.bindTooltip(f.properties.tip, {sticky: true}); }
                if (f.properties.popup) { layer.bindPopup(f.properties.popup, {maxWidth: 340}); }
              }
            }).addTo(group);
          }).catch(function(e) { console.warn("map layer not loaded: " + {{ this.url|tojson }}, e); });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, url: str, base: dict[str, Any], styles: dict[str, dict[str, Any]], prop: str,
                 interactive: bool, pane: str) -> None:
        super().__init__()
        self._name = "FetchedGeoJson"
        self.url, self.base, self.styles, self.prop, self.interactive = url, base, styles, prop, interactive
        # Fetched layers arrive late; their own pane keeps them under the layers drawn at once.
        self.pane = pane
        self.dash = STATUS_DASH


def _published(gdf: gpd.GeoDataFrame, ds: Dataset, style: str, rule: StyleRule | None, name: str,
               publish: Publisher | None, tips: list[str] | None = None, popups: list[str] | None = None,
               labels: list[str] | None = None, pane: str = "sm-reference") -> MacroElement | None:
    """The layer as a fetched static file, or None when there is no publisher (inline instead)."""
    if publish is None:
        return None
    keep = gdf[["geometry"]].copy()
    for column in ("status", *([rule.property] if rule else [])):
        if column in gdf.columns:
            keep[column] = gdf[column].astype(str)
    for column, values in (("tip", tips), ("popup", popups), ("label", labels)):
        if values is not None:
            keep[column] = values
    payload = keep.to_json(drop_id=True, separators=(",", ":")).encode("utf-8")
    url = publish(name, payload)
    if url is None:
        return None
    styles = {k: leaflet_style(ds, v) for k, v in (rule.values.items() if rule else [])}
    return FetchedGeoJson(url, leaflet_style(ds, style), styles, rule.property if rule else "",
                          interactive=tips is not None or popups is not None, pane=pane)


class _Attribution(MacroElement):
    """Adds the (pre-escaped) data attributions to Leaflet's attribution control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.html|tojson }});
        {% endmacro %}
    """)

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.html = html


class _AsOf(MacroElement):
    """Writes the data's 'as of' text into the fixed box; lives in a dated group so it updates
    with the date without rebuilding the map."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
          var el = document.querySelector('.sm-asof');
          if (el) { el.textContent = {{ this.text|tojson }}; }
        })();
        {% endmacro %}
    """)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "AsOf"
        self.text = text


def leaflet_style(ds: Dataset, name: str) -> dict[str, Any]:
    style = ds.catalog.styles.get(name, {})
    return {k: v for k, v in style.items() if k in _STYLE_KEYS}


def _with_status(style: dict[str, Any], status: str | None) -> dict[str, Any]:
    if status not in STATUS_DASH:
        return style
    return {**style, "dashArray": STATUS_DASH[status]}


def _style_function(ds: Dataset, style: str, rule: StyleRule | None, status: str | None = None):
    base = leaflet_style(ds, style)
    by_value = {k: leaflet_style(ds, v) for k, v in (rule.values.items() if rule else [])}

    def style_fn(feature: dict[str, Any]) -> dict[str, Any]:
        chosen = base
        if rule:
            value = str(feature["properties"].get(rule.property, ""))
            chosen = by_value.get(value, base)
        return _with_status(chosen, feature["properties"].get("status", status))

    return style_fn


def feature_tip(row: Any, spec: LayerSpec | None = None) -> str:
    """Short escaped hover text: name, status, date."""
    status = row.get("status", spec.status if spec else "")
    return (f"<b>{html_text(row.get('name', ''))}</b><br>"
            f"<i>{html_text(status)}</i> · {html_text(row.get('date', ''))}")


def feature_popup(row: Any, spec: LayerSpec | None = None, extra: Iterable[str] = ()) -> str:
    """Escaped click text: what it is, its status, its source with link, and any caveats."""
    parts = [f"<b>{html_text(row.get('name', ''))}</b>"]
    for key in ("detail", "claim", "note"):
        if row.get(key):
            parts.append(html_text(row[key]))
    parts.extend(extra)
    if row.get("approximation"):
        parts.append(f"<i>{html_text(row['approximation'])}</i>")
    status = row.get("status", spec.status if spec else "")
    parts.append(f"Status: <b>{html_text(status)}</b> · dated {html_text(row.get('date', ''))}")
    parts.append("Source: " + link_html(row.get("source", ""), row.get("source_url", "")))
    if row.get("note_source"):
        parts.append(f"Note source ({html_text(row.get('note_status', ''))}): "
                     + link_html(row["note_source"], row.get("note_url", "")))
    return "<div style='max-width:320px'>" + "<br>".join(parts) + "</div>"


def _geojson(gdf: gpd.GeoDataFrame, ds: Dataset, style: str, rule: StyleRule | None,
             name: str, tips: list[str] | None = None, popups: list[str] | None = None,
             status: str | None = None) -> folium.GeoJson:
    keep = gdf[["geometry"]].copy()
    if "status" in gdf.columns:
        keep["status"] = gdf["status"].astype(str)
    if rule and rule.property in gdf.columns:
        keep[rule.property] = gdf[rule.property].astype(str)
    fields = []
    if tips is not None:
        keep["tip"] = tips
        fields.append("tip")
    if popups is not None:
        keep["popup"] = popups
    layer = folium.GeoJson(
        keep.to_json(drop_id=True), name=name, style_function=_style_function(ds, style, rule, status),
        highlight_function=(lambda _f: {"weight": 3}) if tips is not None else None,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True) if fields else None,
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False) if popups is not None else None,
        smooth_factor=1.0,
    )
    return layer


def _rows(gdf: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    return [dict(r) for r in gdf.drop(columns="geometry").to_dict("records")]


def layer_label(spec: LayerSpec) -> str:
    """Layer-control label: title plus status (the control is a legend too)."""
    return f"{html_text(spec.title)} · {html_text(spec.status)}"


def _overlay_group(ds: Dataset, spec: LayerSpec, view: ViewState) -> folium.FeatureGroup:
    return folium.FeatureGroup(name=layer_label(spec), show=spec.id in view.layers, overlay=True)


def _add_places(group: folium.FeatureGroup, ds: Dataset, spec: LayerSpec) -> None:
    """Towns as circle markers with permanent name labels (GeoJSON, so no jQuery popups)."""
    style = leaflet_style(ds, spec.style)
    radius = float(style.pop("radius", 5))
    gdf = ds.layers[spec.id].gdf
    gdf = gdf[gdf.geometry.geom_type == "Point"]
    rows = _rows(gdf)
    data = gpd.GeoDataFrame({"label": [html_text(r.get("name", "")) for r in rows],
                             "popup": [feature_popup(r, spec) for r in rows]},
                            geometry=list(gdf.geometry), crs=4326)
    folium.GeoJson(
        data.to_json(drop_id=True), name=spec.id, marker=folium.CircleMarker(radius=radius, **style),
        style_function=lambda _f: style,
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False, sticky=True),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False),
    ).add_to(group)
    # Permanent names: one DivIcon per town (a GeoJSON layer's permanent tooltip opens only once).
    for label, geom in zip(data["label"], data.geometry, strict=False):
        folium.Marker([geom.y, geom.x], interactive=False, keyboard=False, icon=folium.DivIcon(
            html=f'<div class="sm-place">{label}</div>', icon_size=(0, 0), icon_anchor=(-8, 9),
            class_name="sm-label-icon")).add_to(group)


def _add_static_layer(group: folium.FeatureGroup, ds: Dataset, spec: LayerSpec,
                      publish: Publisher | None = None) -> None:
    if spec.id not in ds.layers:
        return
    if spec.style == "place" or spec.id == "places":
        _add_places(group, ds, spec)
        return
    gdf = ds.layers[spec.id].gdf
    rows = _rows(gdf)
    tips, popups = [feature_tip(r, spec) for r in rows], [feature_popup(r, spec) for r in rows]
    fetched = _published(gdf, ds, spec.style, spec.style_by, f"layer-{spec.id}", publish, tips, popups)
    if fetched is not None:
        fetched.add_to(group)
        return
    _geojson(gdf, ds, spec.style, spec.style_by, spec.id, tips=tips, popups=popups).add_to(group)


def _add_basemap(m: folium.Map, ds: Dataset, view: ViewState, publish: Publisher | None = None) -> None:
    for bm in ds.catalog.basemaps.values():
        if bm.kind == "tiles":
            folium.TileLayer(tiles=bm.url, attr=html_text(bm.attribution), name=html_text(bm.title),
                             overlay=False, control=False, show=bm.id == view.basemap,
                             max_zoom=13).add_to(m)
            continue
        group = folium.FeatureGroup(name=html_text(bm.title), overlay=False, control=False,
                                    show=bm.id == view.basemap)
        for part, gdf in ds.basemap.get(bm.id, []):
            name = f"basemap-{bm.id}-{part.file.rsplit('/', 1)[-1].split('.')[0]}"
            labels = [_label_html(r) for r in _rows(gdf)] if part.style == "label" else None
            fetched = _published(gdf, ds, part.style, part.style_by, name, publish, labels=labels,
                                 pane="sm-labels" if labels is not None else "sm-basemap")
            if fetched is not None:
                fetched.add_to(group)
            elif part.style == "label":
                _add_labels(group, gdf)
            else:
                _geojson(gdf, ds, part.style, part.style_by, part.file).add_to(group)
        group.add_to(m)


def _label_html(row: dict[str, Any]) -> str:
    kind = str(row.get("kind", "")).replace('"', "")
    return f'<div class="sm-label {html_text(kind)}">{html_text(row.get("name", ""))}</div>'


def _add_labels(group: folium.FeatureGroup, gdf: gpd.GeoDataFrame) -> None:
    for row, geom in zip(_rows(gdf), gdf.geometry, strict=True):
        folium.Marker(
            [geom.y, geom.x], interactive=False, keyboard=False,
            icon=folium.DivIcon(html=_label_html(row), icon_size=(0, 0), icon_anchor=(0, 8),
                                class_name="sm-label-icon"),
        ).add_to(group)


def _swatches(ds: Dataset, spec: LayerSpec) -> str:
    names = [spec.style, *(spec.style_by.values.values() if spec.style_by and spec.id == "changes" else [])]
    return "".join(_swatch(ds, n, spec.status) for n in names)


def _swatch(ds: Dataset, style_name: str, status: str) -> str:
    st = leaflet_style(ds, style_name)
    fill = st.get("fillColor", "transparent") if st.get("fill", True) else "transparent"
    border = STATUS_CSS.get(status, "solid")
    return (f'<span class="sw" style="background:{html_text(fill)};opacity:.85;'
            f'border:2px {border} {html_text(st.get("color", "#333"))}"></span>')


def legend_html(ds: Dataset) -> str:
    """Static legend: every layer with its symbol, status and date; caveats; attributions."""
    rows = []
    for spec in ds.catalog.layers.values():
        dated = "map date" if spec.dated else spec.date
        missing = "" if spec.id in ds.layers else " — <b>not loaded</b>"
        rows.append(f"<div>{_swatches(ds, spec)}{html_text(spec.title)}{missing}"
                    f"<span class='st'> · {html_text(spec.status)} · {html_text(dated)}</span></div>")
    rows.append("<div class='note'>Outline: solid = reported, dashed = assessed, dotted = claimed. "
                "Kursk outlines are hand-drawn approximations. Click an area for its source.</div>")
    return "<details open><summary>Legend</summary>" + "".join(rows) + "</details>"


def attribution_html(ds: Dataset) -> str:
    return " · ".join(html_text(s.attribution) for s in ds.catalog.sources.values())


def base_map(ds: Dataset, view: ViewState, asset_base: str = ASSET_BASE,
             publish: Publisher | None = None) -> folium.Map:
    """Basemap, undated overlays, legend; no date-dependent content. With `publish`, the big
    undated layers are served as static files and fetched by the browser."""
    m = folium.Map(location=[view.lat, view.lon], zoom_start=view.zoom, tiles=None, min_zoom=5,
                   max_zoom=13, control_scale=True, max_bounds=True,
                   min_lat=40, max_lat=60, min_lon=20, max_lon=52)
    # Instance attributes shadow folium's CDN defaults: everything comes from the app itself.
    m.default_js = [("leaflet", f"{asset_base}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{asset_base}/leaflet.css")]
    background = next((b.background for b in ds.catalog.basemaps.values() if b.id == view.basemap), "#dbe7ef")
    m.get_root().header.add_child(Element(MAP_CSS.replace(
        "</style>", f".leaflet-container {{ background: {html_text(background)}; }}</style>")))
    # Draw order whatever the load order: basemap < reference overlays < dated overlays (400).
    for pane, z_index in (("sm-basemap", 250), ("sm-reference", 390), ("sm-labels", 580)):
        folium.map.CustomPane(pane, z_index=z_index, pointer_events=pane == "sm-reference").add_to(m)
    _add_basemap(m, ds, view, publish)
    for spec in ds.catalog.layers.values():
        if not spec.dated:
            group = _overlay_group(ds, spec, view)
            _add_static_layer(group, ds, spec, publish)
            group.add_to(m)
    _Control(legend_html(ds), "bottomleft", "sm-legend").add_to(m)
    _Attribution(attribution_html(ds)).add_to(m)
    _Control("", "topright", "sm-asof").add_to(m)
    return m


def _measured_km2(geom: shapely.Geometry, crs: str) -> float:
    if geom is None or geom.is_empty:
        return 0.0
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(crs).area.iloc[0] / 1e6)


def dated_groups(ds: Dataset, view: ViewState) -> list[folium.FeatureGroup]:
    """One FeatureGroup per visible dated layer, for the view's date (and comparison)."""
    groups: list[folium.FeatureGroup] = []
    crs = ds.catalog.meta.equal_area_crs if ds.catalog.meta else "EPSG:6933"
    for spec in ds.catalog.layers.values():
        if not spec.dated or spec.id not in view.layers or spec.id not in ds.layers:
            continue
        if spec.format == "changes" and view.compare is None:
            continue
        group = folium.FeatureGroup(name=layer_label(spec), overlay=True)
        if spec.format == "daily-changes" and ds.history is not None:
            _add_occupied(group, ds, spec, view, crs)
        elif spec.format == "dated-extents":
            _add_extent(group, ds, spec, view)
        elif spec.format == "changes":
            _add_changes(group, ds, spec, view, crs)
        elif spec.format == "dated-events":
            _add_events(group, ds, spec, view)
        groups.append(group)
    if groups:
        groups[0].add_child(_AsOf(as_of_text(ds, view)))
    return groups


def as_of_text(ds: Dataset, view: ViewState) -> str:
    text = f"Map date {view.date.isoformat()}"
    if ds.history is not None:
        shown = ds.history.shown_day(view.date)
        if shown and shown != view.date:
            text += f" (occupied area: no snapshot; nearest earlier day {shown.isoformat()})"
    if view.compare:
        text += f" · changes since {view.compare.isoformat()}"
    return text


def _add_occupied(group: folium.FeatureGroup, ds: Dataset, spec: LayerSpec, view: ViewState, crs: str) -> None:
    snap = ds.history.snapshot(view.date)
    if snap.shown is None or snap.geometry.is_empty:
        return
    row = ds.history.area_row(view.date)
    area = f"{row['total_km2']:,.0f} km²" if row is not None else f"{_measured_km2(snap.geometry, crs):,.0f} km²"
    props = {"name": f"Russian-occupied Ukraine on {snap.shown.isoformat()}", "status": spec.status,
             "date": snap.shown.isoformat(), "source": ds.catalog.sources[spec.source].attribution
             if spec.source in ds.catalog.sources else spec.source,
             "source_url": "https://deepstatemap.live/"}
    note = [f"Measured area: <b>{html_text(area)}</b> (full-resolution snapshot, {html_text(crs)})"]
    if not snap.exact:
        note.append(f"No snapshot for {html_text(view.date.isoformat())}; showing the nearest earlier day.")
    gdf = gpd.GeoDataFrame([props], geometry=[snap.geometry], crs=4326)
    _geojson(gdf, ds, spec.style, None, spec.id, tips=[feature_tip(props, spec)],
             popups=[feature_popup(props, spec, note)]).add_to(group)


def _add_extent(group: folium.FeatureGroup, ds: Dataset, spec: LayerSpec, view: ViewState) -> None:
    gdf = extent_for(ds.layers[spec.id].gdf, view.date)
    if gdf.empty:
        return
    rows = _rows(gdf)
    popups, tips = [], []
    for r in rows:
        claimed = r.get("claimed_area_km2")
        has_claim = isinstance(claimed, (int, float)) and claimed == claimed  # NaN: no area stated
        claimed_txt = f"{claimed:,.0f} km²" if has_claim else "no area stated"
        extra = [f"Claimed area: <b>{html_text(claimed_txt)}</b> · measured on this outline: "
                 f"<b>{r.get('measured_area_km2', 0):,.0f} km²</b>"]
        # Worded without the map date, so the group's code (and the browser's copy) stays the
        # same on every day this outline is shown.
        extra.append("Shown on every map date from its own date until the next dated outline.")
        popups.append(feature_popup(r, spec, extra))
        tips.append(feature_tip(r, spec) + f"<br>claimed {html_text(claimed_txt)} · measured "
                    f"{r.get('measured_area_km2', 0):,.0f} km²")
    _geojson(gdf, ds, spec.style, spec.style_by, spec.id, tips=tips, popups=popups).add_to(group)


def _add_events(group: folium.FeatureGroup, ds: Dataset, spec: LayerSpec, view: ViewState) -> None:
    """Annotations appear from their report date on: nothing is shown before it was known."""
    gdf = ds.layers[spec.id].gdf
    gdf = gdf[gdf["date"].astype(str) <= view.date.isoformat()]
    if gdf.empty:
        return
    rows = _rows(gdf)
    _geojson(gdf, ds, spec.style, spec.style_by, spec.id, tips=[feature_tip(r, spec) for r in rows],
             popups=[feature_popup(r, spec) for r in rows]).add_to(group)


def change_geometries(ds: Dataset, later: date, earlier: date) -> dict[str, shapely.Geometry]:
    """Areas that changed hands between two dates: DeepState in Ukraine, salient in Kursk."""
    out = {"taken": shapely.MultiPolygon(), "regained": shapely.MultiPolygon()}
    if ds.history is not None:
        a, b = ds.history.snapshot(earlier).geometry, ds.history.snapshot(later).geometry
        out["taken"] = polygonal(shapely.difference(b, a, grid_size=1e-4))
        out["regained"] = polygonal(shapely.difference(a, b, grid_size=1e-4))
    if "kursk-salient" in ds.layers:
        ext = ds.layers["kursk-salient"].gdf
        a = extent_for(ext, earlier).geometry.union_all() if not extent_for(ext, earlier).empty else shapely.Polygon()
        b = extent_for(ext, later).geometry.union_all() if not extent_for(ext, later).empty else shapely.Polygon()
        # In Kursk Oblast the held area is Ukraine's: shrinking means Russia retook ground.
        out["taken"] = polygonal(shapely.union(out["taken"], polygonal(a.difference(b))))
        out["regained"] = polygonal(shapely.union(out["regained"], polygonal(b.difference(a))))
    return out


def _add_changes(group: folium.FeatureGroup, ds: Dataset, spec: LayerSpec, view: ViewState, crs: str) -> None:
    geoms = change_geometries(ds, view.date, view.compare)
    rows, shapes = [], []
    for kind, geom in geoms.items():
        if geom.is_empty:
            continue
        label = ("Taken by Russian forces" if kind == "taken"
                 else "Gained by Ukrainian forces (regained in Ukraine, taken in Kursk Oblast)")
        props = {"kind": kind, "name": f"{label}, {view.compare.isoformat()} to {view.date.isoformat()}",
                 "status": spec.status, "date": view.date.isoformat(),
                 "source": "DeepStateMap snapshots; in Kursk Oblast the dated salient outlines (approximate)",
                 "source_url": "https://deepstatemap.live/"}
        props["popup"] = feature_popup(props, spec, [f"Area: <b>{_measured_km2(geom, crs):,.0f} km²</b> "
                                                     f"({html_text(crs)})"])
        rows.append(props)
        shapes.append(geom)
    if not rows:
        return
    gdf = gpd.GeoDataFrame(rows, geometry=shapes, crs=4326)
    _geojson(gdf, ds, spec.style, spec.style_by, spec.id, tips=[feature_tip(r, spec) for r in rows],
             popups=list(gdf["popup"])).add_to(group)


#: Present in every `selected_layers` report that comes from SyncedLayerControl.
SYNC_MARKER = "sm:synced"


def overlay_labels(ds: Dataset) -> dict[str, str]:
    """Layer-control label -> catalog layer id (the control only knows labels)."""
    return {layer_label(spec): spec.id for spec in ds.catalog.layers.values()}


def visible_labels(ds: Dataset, view: ViewState) -> list[str]:
    return [layer_label(spec) for spec in ds.catalog.layers.values() if spec.id in view.layers]


def build_map(ds: Dataset, view: ViewState, asset_base: str = ASSET_BASE) -> folium.Map:
    """The whole map in one object (base + dated layers + layer control)."""
    m = base_map(ds, view, asset_base)
    for group in dated_groups(ds, view):
        group.add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


def layer_names(m: folium.Map) -> list[str]:
    """Names of the map's FeatureGroups/TileLayers (for tests and the page)."""
    return [c.layer_name for c in m._children.values() if hasattr(c, "layer_name")]
