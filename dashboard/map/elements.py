"""Custom Leaflet elements (folium macros): fixed controls, a layer control kept in sync with
the page, layers fetched from static files, attributions and the 'as of' box.

Each renders data through `tojson` only: no value from data is pasted into script as text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from dashboard.data.values import STATUS_DASH

#: Present in every `selected_layers` report that comes from SyncedLayerControl.
SYNC_MARKER = "sm:synced"
#: Maps narrower than this (pixels) start with the legend folded.
LEGEND_FOLD_PX = 800


class FixedControl(MacroElement):
    """A Leaflet control whose HTML is fixed at build time (legend, 'as of' box)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
          var ctl = L.control({position: {{ this.position|tojson }}});
          ctl.onAdd = function() {
            var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            // On a map narrower than this the open legend hides too much of it (a fifth of the
            // app's map on a laptop, over the Pokrovsk front): it starts folded, one tap away.
            var details = div.querySelector('details');
            if (details && {{ this._parent.get_name() }}.getSize().x < {{ this.fold_below }}) {
              details.removeAttribute('open');
            }
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
        self.fold_below = LEGEND_FOLD_PX


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
                var current = map._smControl, marker = {{ this.marker|tojson }}, shown = {};
                shown[marker] = {name: marker, url: null};
                if (!window.__GLOBAL_DATA__ || !current) { return; }
                current._layers.forEach(function(entry) {
                  if (entry.overlay && map.hasLayer(entry.layer)) {
                    shown[entry.name] = {name: entry.name, url: null};
                  }
                });
                // The map's own date report (static/map/time.js) rides along with the layers.
                if (map._smReport) { shown[map._smReport.name] = map._smReport; }
                if (map._smPainted) { shown[map._smPainted.name] = map._smPainted; }
                window.__GLOBAL_DATA__.selected_layers = shown;
              }
              if (!map._smListening) {
                map.on("overlayadd overlayremove", record);
                // The sidebar's layer switches, told at once by the page (ui/page_relay.py):
                // the page itself only, and only a layer of the current control, by its label.
                window.addEventListener("message", function(e) {
                  var d = e.data, ctl = map._smControl;
                  if (e.origin !== window.location.origin || e.source !== window.parent || !ctl || !d
                      || d.type !== "sm:layer" || typeof d.label !== "string") { return; }
                  ctl._layers.forEach(function(entry) {
                    if (!entry.overlay || entry.name !== d.label) { return; }
                    if (d.on === true && !map.hasLayer(entry.layer)) { map.addLayer(entry.layer); }
                    if (d.on === false && map.hasLayer(entry.layer)) { map.removeLayer(entry.layer); }
                  });
                });
                map._smListening = true;
              }
              record();
            })({{ this.get_name() }}, {{ this.visible|tojson }});
        {% endmacro %}
        """)

    def __init__(self, visible: Iterable[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.visible = list(visible)
        self.marker = SYNC_MARKER


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
          // The map's first paint is done when every fetched layer is drawn (static/map/time.js).
          (window.__smFetches = window.__smFetches || []).push(fetch({{ this.url|tojson }}).then(function(r) {
            if (!r.ok) { throw new Error("HTTP " + r.status); }
            return r.json();
          }).then(function(data) {
            L.geoJSON(data, {
              style: style,
              pane: {{ this.pane|tojson }},
              interactive: {{ this.interactive|tojson }},
              pointToLayer: function(f, latlng) {
                // A label point (basemap names) draws its text; any other point, a circle.
                if (typeof f.properties.label !== "string") { return L.circleMarker(latlng, style(f)); }
                return L.marker(latlng, {interactive: false, keyboard: false, icon: L.divIcon({
                  html: f.properties.label, iconSize: [0, 0], iconAnchor: [0, 8], className: "sm-label-icon"})});
              },
              onEachFeature: function(f, layer) {
                if (f.properties.tip) { layer.bindTooltip(f.properties.tip, {sticky: true}); }
                if (f.properties.popup) { layer.bindPopup(f.properties.popup, {maxWidth: 340}); }
              }
            }).addTo(group);
          }).catch(function(e) { console.warn("map layer not loaded: " + {{ this.url|tojson }}, e); }));
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


class Attribution(MacroElement):
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


class AsOf(MacroElement):
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
