"""The reader's tools on the map: swipe between two dates, measure, find a place.

Plugins come from npm (scripts/vendor_assets.py) and are served by the app; every value from
data reaches the script through `tojson`, and the place search writes names as text only."""

from __future__ import annotations

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

#: Panes of the swipe view: the compare date's dated layers on the left, the map date's on the right.
SWIPE_LEFT, SWIPE_RIGHT = "sm-left", "sm-right"


class SwipeControl(JSCSSMixin, MacroElement):
    """Lives in the base map and keeps the side-by-side divider in step with the dated layers:
    the divider exists exactly while some layer is drawn in the left pane (the swipe view's
    compare date). Dated groups come and go by content hash, so the control is created and
    removed here, on layer events, and kept on the map (`map._smSwipe`): never twice."""

    _template = Template(r"""
        {% macro script(this, kwargs) %}
        (function(map) {
          if (!L.control.sideBySide) { return; }
          // The plugin clips what `getContainer()` returns: here, a whole pane per side.
          var PaneSide = L.Layer.extend({
            initialize: function(pane) { this._pane = pane; },
            onAdd: function() {}, onRemove: function() {},
            getContainer: function() { return this._pane; }
          });
          var left = new PaneSide(map.getPane({{ this.left|tojson }}));
          var right = new PaneSide(map.getPane({{ this.right|tojson }}));
          function leftDrawn() {
            var found = false;
            map.eachLayer(function(l) {
              if (!found && l instanceof L.Path && l.options.pane === {{ this.left|tojson }}) { found = true; }
            });
            return found;
          }
          function place(ctl) {
            var tags = ctl._smTags, dates = map._smSwipeDates || {};
            if (!tags) { return; }
            tags.children[0].textContent = "\u25C0 " + (dates.left || "");
            tags.children[1].textContent = (dates.right || "") + " \u25B6";
            tags.style.left = ctl.getPosition() + "px";
          }
          function sync() {
            map._smSwipePending = false;
            var want = leftDrawn();
            if (want && !map._smSwipe) {
              left.addTo(map); right.addTo(map);
              var ctl = L.control.sideBySide(left, right).addTo(map);
              var tags = ctl._smTags = L.DomUtil.create("div", "sm-swipe-dates", ctl._container);
              L.DomUtil.create("span", "sm-swipe-left", tags);
              L.DomUtil.create("span", "sm-swipe-right", tags);
              ctl.on("dividermove", function() { place(ctl); });
              map._smSwipe = ctl;
            } else if (!want && map._smSwipe) {
              map._smSwipe.remove();
              map._smSwipe = null;
              map.removeLayer(left); map.removeLayer(right);
            }
            if (map._smSwipe) { place(map._smSwipe); }
          }
          map._smSwipeSync = function() {
            if (!map._smSwipePending) { map._smSwipePending = true; setTimeout(sync, 0); }
          };
          map.on("layeradd layerremove", map._smSwipeSync);
          map._smSwipeSync();
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, vendor: str) -> None:
        super().__init__()
        self._name = "SwipeControl"
        self.left, self.right = SWIPE_LEFT, SWIPE_RIGHT
        self.default_js = [("leaflet_side_by_side", f"{vendor}/leaflet-side-by-side/leaflet-side-by-side.js")]
        self.default_css = [("leaflet_side_by_side_css", f"{vendor}/leaflet-side-by-side/leaflet-side-by-side.css")]


class SwipeDates(MacroElement):
    """The two dates the swipe view shows; lives in a dated group, so it changes with them."""

    _template = Template(r"""
        {% macro script(this, kwargs) %}
        (function(map) {
          map._smSwipeDates = {left: {{ this.left|tojson }}, right: {{ this.right|tojson }}};
          if (map._smSwipeSync) { map._smSwipeSync(); }
        })({{ this._parent._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, left: str, right: str) -> None:
        super().__init__()
        self._name = "SwipeDates"
        self.left, self.right = left, right


class MeasureControl(JSCSSMixin, MacroElement):
    """leaflet-measure in kilometres and square kilometres (geodesic), with the upstream
    workaround for Leaflet >= 1.8 (its invisible capture marker must not pan the map on focus:
    ljagis/leaflet-measure#171)."""

    _template = Template(r"""
        {% macro script(this, kwargs) %}
        (function(map) {
          if (!L.Control.Measure) { return; }
          L.Control.Measure.include({
            _setCaptureMarkerIcon: function() {
              this._captureMarker.options.autoPanOnFocus = false;
              this._captureMarker.setIcon(L.divIcon({iconSize: this._map.getSize().multiplyBy(2)}));
            }
          });
          L.control.measure({{ this.options|tojson }}).addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, vendor: str) -> None:
        super().__init__()
        self._name = "MeasureControl"
        self.options = {
            "position": "topleft", "primaryLengthUnit": "kilometers", "secondaryLengthUnit": None,
            "primaryAreaUnit": "sqkilometers", "secondaryAreaUnit": None,
            "activeColor": "#222222", "completedColor": "#0072B2", "thousandsSep": " ",
            "units": {"kilometers": {"factor": 0.001, "display": "km", "decimals": 1},
                      "sqkilometers": {"factor": 1e-6, "display": "km²", "decimals": 1}},
        }
        self.default_js = [("leaflet_measure", f"{vendor}/leaflet-measure/leaflet-measure.js")]
        self.default_css = [("leaflet_measure_css", f"{vendor}/leaflet-measure/leaflet-measure.css")]


class PlaceSearch(MacroElement):
    """A search box that centres the map on a town of the gazetteer. The list (a static file,
    [[name, lat, lon, population], ...]) is fetched the first time the box is used."""

    _template = Template(r"""
        {% macro script(this, kwargs) %}
        (function(map) {
          var url = {{ this.url|tojson }}, zoom = {{ this.zoom|tojson }}, places = null, loading = null;
          var ctl = L.control({position: "topleft"});
          // The same spelling key as dashboard/data/spelling.py's match_key, so "Kostiantynivka",
          // "Kostyantynivka", "Kramators'k" and "Краматорськ" find what the gazetteer's keys hold.
          var CYR = {"а":"a","б":"b","в":"v","г":"h","ґ":"g","д":"d","е":"e","ё":"e","є":"ye","ж":"zh","з":"z",
            "и":"y","і":"i","ї":"yi","й":"y","к":"k","л":"l","м":"m","н":"n","о":"o","п":"p","р":"r","с":"s",
            "т":"t","у":"u","ф":"f","х":"kh","ц":"ts","ч":"ch","ш":"sh","щ":"shch","ъ":"","ы":"y","ь":"",
            "э":"e","ю":"yu","я":"ya","ў":"u"};
          var GROUPS = [["shch","Q"],["sch","Q"],["szcz","Q"],["zh","Z"],["ż","Z"],["ž","Z"],["sz","S"],
            ["sh","S"],["š","S"],["ch","C"],["č","C"],["cz","C"],["kh","H"],["tz","c"],["ts","c"],["w","v"],
            ["g","H"],["h","H"],["j","y"]];
          var BACK = {"Q":"shch","Z":"zh","S":"sh","C":"ch","H":"h"};
          function fold(s) {
            s = s.trim().replace(/[ьъЬЪ](?=[еёяюиЕЁЯЮИ])/g, "y");
            s = Array.from(s).map(function(c) { var l = c.toLowerCase(); return l in CYR ? CYR[l] : c; }).join("");
            s = s.toLowerCase().replace(/[\u2019'\u02bc\u02b9`\u00b4\u2018\u02bb\u0301]/g, "");
            GROUPS.slice(0, 9).forEach(function(g) { s = s.split(g[0]).join(g[1]); });
            s = s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
            GROUPS.slice(9).forEach(function(g) { s = s.split(g[0]).join(g[1]); });
            s = s.replace(/[\s\-\u2010\u2011\u2013\u2014_.]+/g, " ").trim();
            s = s.replace(/y/g, "i").replace(/i+/g, "i").replace(/(.)\1+/g, "$1");
            return s.replace(/[QZSCH]/g, function(c) { return BACK[c]; });
          }
          function load() {
            if (!loading) {
              loading = fetch(url).then(function(r) {
                if (!r.ok) { throw new Error("HTTP " + r.status); }
                return r.json();
              }).then(function(rows) {
                places = rows.map(function(p) {
                  var keys = (p[4] || "").split("|").filter(Boolean);
                  keys.push(fold(p[0]));
                  return {name: p[0], lat: p[1], lon: p[2], pop: p[3], keys: keys};
                });
              }).catch(function(e) { loading = null; console.warn("place list not loaded", e); });
            }
            return loading;
          }
          function find(q) {
            q = fold(q);
            if (!q || !places) { return []; }
            var starts = [], inside = [];
            places.forEach(function(p) {
              var at = -1;
              p.keys.forEach(function(k) { var i = k.indexOf(q); if (i >= 0 && (at < 0 || i < at)) { at = i; } });
              if (at === 0) { starts.push(p); } else if (at > 0) { inside.push(p); }
            });
            function byPop(a, b) { return b.pop - a.pop; }
            return starts.sort(byPop).concat(inside.sort(byPop)).slice(0, 8);
          }
          ctl.onAdd = function() {
            var div = L.DomUtil.create("div", "leaflet-bar sm-search");
            var input = L.DomUtil.create("input", "", div);
            input.type = "search"; input.placeholder = "Find a town"; input.setAttribute("aria-label", "Find a town");
            var list = L.DomUtil.create("ul", "sm-search-results", div);
            list.setAttribute("role", "listbox"); list.setAttribute("aria-label", "Towns found");
            var marker = null;
            function go(p) {
              list.innerHTML = ""; input.value = p.name; input.blur();
              if (marker) { map.removeLayer(marker); }
              marker = L.circleMarker([p.lat, p.lon], {radius: 9, color: "#000", weight: 2, fill: false,
                                                       interactive: false}).addTo(map);
              map.setView([p.lat, p.lon], Math.max(map.getZoom(), zoom));
            }
            function show() {
              var found = find(input.value);
              list.innerHTML = "";
              found.forEach(function(p, i) {
                var li = L.DomUtil.create("li", i === 0 ? "active" : "", list);
                li.setAttribute("role", "option");
                li.textContent = p.name;  // text only: a name is never markup
                var small = L.DomUtil.create("small", "", li);
                small.textContent = p.pop >= 1000 ? " " + Math.round(p.pop / 1000) + "k" : "";
                L.DomEvent.on(li, "click", function(e) { L.DomEvent.stop(e); go(p); });
              });
              if (input.value && places && !found.length) {
                L.DomUtil.create("li", "none", list).textContent = "No town of that name";
              }
              return found;
            }
            L.DomEvent.on(input, "focus", load);
            L.DomEvent.on(input, "input", function() { load().then(show); });
            L.DomEvent.on(input, "keydown", function(e) {
              if (e.key === "Enter") { load().then(function() { var f = show(); if (f.length) { go(f[0]); } }); }
              if (e.key === "Escape") { list.innerHTML = ""; input.blur(); }
            });
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
          };
          ctl.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, url: str, zoom: int = 10) -> None:
        super().__init__()
        self._name = "PlaceSearch"
        self.url, self.zoom = url, zoom
