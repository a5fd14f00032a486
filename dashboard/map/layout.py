"""Legibility on any screen: labels that never overlap, a first view that shows the whole
story on a narrow map, and attributions folded behind a 'Sources' button on a phone.

Plain Leaflet (no plugin), so these also work in the offline download."""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

#: Below this map width (pixels) the map counts as narrow (a phone).
NARROW_PX = 560


class LabelDeclutter(MacroElement):
    """After every zoom, move and layer change: places the labels in priority order (towns of
    the story by population, then country, sea and oblast names) and hides a label that would
    overlap one already placed. A town's label may move to the left of, above or below its dot
    first."""

    _template = Template(r"""
        {% macro script(this, kwargs) %}
        (function(map) {
          var box = map.getContainer(), KIND = {country: 3, sea: 2, oblast: 1};
          function rankOf(el, i) {
            if (el.classList.contains("sm-place")) { return 1e12 + (parseFloat(el.dataset.rank) || 0); }
            for (var k in KIND) { if (el.classList.contains(k)) { return KIND[k] * 1e6 - i; } }
            return -i;
          }
          // A 2px gap: marker positions are whole pixels, so a later pan may move a label by one.
          function overlaps(a, b) {
            return a.left < b.right + 2 && b.left < a.right + 2 && a.top < b.bottom + 2 && b.top < a.bottom + 2;
          }
          function moved(r, dx, dy) {
            return {left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy};
          }
          function run() {
            map._smDeclutterPending = false;
            var els = Array.prototype.slice.call(box.querySelectorAll(".sm-place, .sm-label"));
            // Measure everything first (one layout), with each label's own shift taken off.
            var items = els.map(function(el, i) {
              var r = el.getBoundingClientRect(), s = el._smShift || [0, 0];
              return {el: el, rank: rankOf(el, i), place: el.classList.contains("sm-place"),
                      rect: moved(r, -s[0], -s[1]), w: r.width};
            });
            items.sort(function(a, b) { return b.rank - a.rank; });
            var placed = [];
            items.forEach(function(it) {
              var r = it.rect, shifts = [[0, 0]];
              if (r.width === 0) { return; }
              if (it.place) { shifts.push([-(it.w + 16), 0], [-(it.w / 2 + 8), -14], [-(it.w / 2 + 8), 14]); }
              var chosen = null;
              for (var i = 0; i < shifts.length && !chosen; i++) {
                var c = moved(r, shifts[i][0], shifts[i][1]);
                if (!placed.some(function(p) { return overlaps(c, p); })) { chosen = shifts[i]; placed.push(c); }
              }
              var s = chosen || [0, 0];
              it.el._smShift = s;
              it.el.style.transform = s[0] || s[1] ? "translate(" + s[0] + "px," + s[1] + "px)" : "";
              it.el.style.visibility = chosen ? "" : "hidden";
            });
            box.dataset.smDeclutter = String((parseInt(box.dataset.smDeclutter || "0", 10) + 1));
          }
          map._smDeclutter = function() {
            if (!map._smDeclutterPending) { map._smDeclutterPending = true; setTimeout(run, 0); }
          };
          map.on("zoomend moveend layeradd layerremove resize", map._smDeclutter);
          map._smDeclutter();
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "LabelDeclutter"


class FitStory(MacroElement):
    """The first view (when the link named no centre or zoom): if the map is too small to show
    the story's area at the default zoom (a phone), zoom out until it fits. It runs after the
    component has set the view it was given, and only while the map still shows that view (a
    remount after a basemap switch keeps the reader's view)."""

    _template = Template(r"""
        {% macro script(this, kwargs) %}
        (function(map) {
          var b = L.latLngBounds({{ this.bounds|tojson }}), start = {{ this.start|tojson }};
          setTimeout(function() {
            var c = map.getCenter();
            if (map.getZoom() !== start[2] || Math.abs(c.lat - start[0]) > 1e-3 || Math.abs(c.lng - start[1]) > 1e-3) {
              return;
            }
            // Only zoom out: where the default zoom shows it all (a desktop), the view stays as set.
            if (map.getBoundsZoom(b) < map.getZoom()) { map.fitBounds(b, {animate: false}); }
          }, 0);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, bounds: list[list[float]], lat: float, lon: float, zoom: int) -> None:
        super().__init__()
        self._name = "FitStory"
        self.bounds, self.start = bounds, [lat, lon, zoom]


class SourcesToggle(MacroElement):
    """On a narrow map the attribution box would cover a fifth of it: fold it behind a small
    'Sources' button that opens and closes it."""

    _template = Template(r"""
        {% macro script(this, kwargs) %}
        (function(map) {
          var box = map.getContainer(), narrow = {{ this.narrow|tojson }};
          var ctl = L.control({position: "bottomright"});
          ctl.onAdd = function() {
            var button = L.DomUtil.create("button", "sm-sources");
            button.type = "button"; button.textContent = "Sources";
            button.setAttribute("aria-expanded", "false");
            L.DomEvent.disableClickPropagation(button);
            L.DomEvent.on(button, "click", function() {
              var open = !L.DomUtil.hasClass(box, "sm-attr-open");
              (open ? L.DomUtil.addClass : L.DomUtil.removeClass)(box, "sm-attr-open");
              button.setAttribute("aria-expanded", String(open));
            });
            return button;
          };
          ctl.addTo(map);
          function fit() {
            (map.getSize().x < narrow ? L.DomUtil.addClass : L.DomUtil.removeClass)(box, "sm-narrow");
          }
          map.on("resize", fit);
          fit();
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "SourcesToggle"
        self.narrow = NARROW_PX
