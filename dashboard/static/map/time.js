/* The map owns its date: steps, a slider and Play act here, drawn from the published history
   (dashboard/map/timeline.py), and the page hears about them afterwards (debounced report).

   Who decides the date:
   - the reader, through this control: the map draws the day at once and reports it;
   - the page, through a numbered command (a sidebar step, a link, the sidebar's Play): the map
     takes any command newer than the last one it took, and does not report it back.
   A report names the reader's last move and the last command it follows, so the page can drop
   one that a later command overtook; a command names the last move the page applied, and the
   map makes its later moves again from the commanded date (nothing the reader did is lost). The
   server's dated layers are a first paint for one day; once the history is here,
   the map draws its own date over them whenever they show another day. With a compare date set,
   the server draws the changes for the reported date (the map only moves its own date). */
(function () {
  "use strict";
  if (window.SmTime) { return; }
  var DAY = 86400000;

  function parse(iso) { var p = iso.split("-"); return Date.UTC(+p[0], +p[1] - 1, +p[2]); }
  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function monthEnd(y, m) { return new Date(Date.UTC(y, m + 1, 0)).getUTCDate(); }
  // The same arithmetic as dashboard/data/view.py `step`: a month's last day stays a last day.
  function step(day, unit, count) {
    if (unit !== "month") { return iso(parse(day) + (unit === "week" ? 7 : 1) * count * DAY); }
    var d = new Date(parse(day)), y = d.getUTCFullYear(), m = d.getUTCMonth(), dd = d.getUTCDate();
    var t = new Date(Date.UTC(y, m + count, 1)), ty = t.getUTCFullYear(), tm = t.getUTCMonth();
    var last = dd === monthEnd(y, m);
    return iso(Date.UTC(ty, tm, last ? monthEnd(ty, tm) : Math.min(dd, monthEnd(ty, tm))));
  }

  // ---------------------------------------------------------------- geometry from the file
  function ring(code, scale) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i + 1 < code.length; i += 2) {
      x += code[i]; y += code[i + 1];
      out.push([x / scale, y / scale]);
    }
    if (out.length) { out.push(out[0].slice()); }
    return out;
  }
  function polys(code, scale) {
    return code.map(function (p) { return p.map(function (r) { return ring(r, scale); }); });
  }
  function geometry(code, scale) {
    if (!code || !code.length) { return null; }
    if (typeof code[0] === "number") { return {type: "Point", coordinates: [code[0] / scale, code[1] / scale]}; }
    return {type: "MultiPolygon", coordinates: polys(code, scale)};
  }

  /* The occupied area of any day: the nearest keyframe or computed day at or before it, then
     each day's gains (union) and losses (difference). Computed days are kept, a bounded number.
     The polygon operations run on the file's integer grid, not on degrees: polygon-clipping
     fails on some of this history's days in floating point ("Unable to complete output ring",
     2024-08-05 and 2024-12-04) and on none on the grid. Should a day still fail, it is undone
     back from the next keyframe instead, and failing that it is not drawn and the map says so. */
  function Occupied(data, scale) {
    this.d = data; this.scale = scale; this.days = data.days; this.index = {};
    this.cache = {}; this.order = []; this.failed = {};
    for (var i = 0; i < this.days.length; i++) { this.index[this.days[i]] = i; }
  }
  Occupied.prototype.KEEP = 90;
  Occupied.prototype.shownIndex = function (day) {
    var lo = 0, hi = this.days.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (this.days[mid] <= day) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  };
  Occupied.prototype.remember = function (day, coords) {
    if (!(day in this.cache)) {
      this.order.push(day);
      if (this.order.length > this.KEEP) { delete this.cache[this.order.shift()]; }
    }
    this.cache[day] = coords;
  };
  /* Day i's polygons on the grid, or null when they cannot be computed. */
  Occupied.prototype.grid = function (i) {
    var day = this.days[i], pc = window.polygonClipping;
    if (day in this.cache) { return this.cache[day]; }
    if (day in this.d.keys) { var k = polys(this.d.keys[day], 1); this.remember(day, k); return k; }
    var start = i;
    while (start > 0 && !(this.days[start] in this.cache) && !(this.days[start] in this.d.keys)) { start--; }
    var geom = this.grid(start);
    for (var j = start + 1; j <= i && geom !== null; j++) {
      var d = this.days[j], g = this.d.gained[d], l = this.d.lost[d];
      try {
        if (g && g.length) { geom = pc.union(geom, polys(g, 1)); }
        if (l && l.length) { geom = pc.difference(geom, polys(l, 1)); }
        this.remember(d, geom);
      } catch (e) {
        console.warn("occupied area of " + d + ": forward replay failed (" + e.message + ")");
        geom = null;
      }
    }
    return geom !== null ? geom : this.backward(i);
  };
  /* Day i from the next keyframe after it, undoing each later day's gains and losses. */
  Occupied.prototype.backward = function (i) {
    var pc = window.polygonClipping, end = i + 1;
    while (end < this.days.length && !(this.days[end] in this.d.keys)) { end++; }
    if (end >= this.days.length) { this.failed[this.days[i]] = true; return null; }
    var geom = polys(this.d.keys[this.days[end]], 1);
    try {
      for (var j = end; j > i; j--) {
        var d = this.days[j], g = this.d.gained[d], l = this.d.lost[d];
        if (l && l.length) { geom = pc.union(geom, polys(l, 1)); }
        if (g && g.length) { geom = pc.difference(geom, polys(g, 1)); }
      }
    } catch (e) {
      console.warn("occupied area of " + this.days[i] + ": not drawn (" + e.message + ")");
      this.failed[this.days[i]] = true;
      return null;
    }
    this.remember(this.days[i], geom);
    return geom;
  };
  /* Day i's polygons in degrees, or null. */
  Occupied.prototype.coords = function (i) {
    var geom = this.grid(i), scale = this.scale;
    if (geom === null) { return null; }
    return geom.map(function (p) {
      return p.map(function (r) { return r.map(function (pt) { return [pt[0] / scale, pt[1] / scale]; }); });
    });
  };
  window.SmOccupied = Occupied;  // for the browser test that replays every day of the history

  // ---------------------------------------------------------------- the control
  function Time(map, cfg, refs) {
    this.map = map; this.cfg = cfg; this.date = null; this.seq = -1; this.compare = false;
    this.markers = refs.towns || null; this.markersDay = null;  // the base map's town markers
    this.groups = {}; this.order = []; this.drawn = {}; this.history = null; this.playing = null;
    this.ops = 0; this.pending = [];  // the reader's numbered moves the page has not applied yet
    this.unit = "day"; this.speed = cfg.speeds[Math.min(2, cfg.speeds.length - 1)];
    this.first = cfg.first; this.last = cfg.last;
    this.control = this.build();
    var self = this;
    // After the first paint: the file is not needed to show the day the page sent.
    var load = function () {
      fetch(cfg.url).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(function (data) {
        self.history = data;
        self.occupied = data.daily ? new Occupied(data.daily, data.scale) : null;
        self.control.classList.add("sm-time-ready");
        self.sync();
        self.prewarm();
      }).catch(function (e) { console.warn("map history not loaded", e); });
    };
    // Once the map's script has run (every fetched layer has started), wait for those layers to
    // be drawn: then tell the page (it draws its panels after the map's first paint) and fetch
    // the history, neither of which should compete with that paint.
    setTimeout(function () {
      var fetches = window.__smFetches || [];
      window.__smFetches = [];  // taken: a base map created later (another basemap) brings its own
      Promise.all(fetches).then(function () {
        requestAnimationFrame(function () {
          self.paintedReport();
          if (window.requestIdleCallback) { window.requestIdleCallback(load, {timeout: 1500}); } else { setTimeout(load, 200); }
        });
      });
    }, 0);
  }

  /* The page's panels wait for this report (ui/first_view.py): sent once per map. */
  Time.prototype.paintedReport = function () {
    if (this.map._smPainted) { return; }
    var entry = {name: this.cfg.painted, url: null}, data = window.__GLOBAL_DATA__;
    this.map._smPainted = entry;  // the layer control's own reports keep it (map/elements.py)
    this.paintedAt = performance.timeOrigin + performance.now();  // the benchmark's in-page first paint
    if (data && data.selected_layers) { data.selected_layers[entry.name] = entry; }
    this.flushed = 0;  // a step's report just before must not hold this one back
    this.flush();
  };

  Time.prototype.build = function () {
    var self = this, cfg = this.cfg;
    var ctl = L.control({position: cfg.position});
    var div = L.DomUtil.create("div", "sm-time leaflet-bar");
    div.setAttribute("role", "group");
    div.setAttribute("aria-label", "Map date");
    var row = L.DomUtil.create("div", "sm-time-steps", div);
    cfg.steps.forEach(function (s, i) {
      if (i === cfg.steps.length / 2) {
        self.label = L.DomUtil.create("output", "sm-time-date", row);
        self.label.setAttribute("aria-live", "polite");
      }
      var b = L.DomUtil.create("button", "sm-time-step", row);
      b.type = "button"; b.textContent = s[0]; b.title = s[3];
      L.DomEvent.on(b, "click", function () { self.stop(); self.move(s[1], s[2]); });
    });
    var slider = this.slider = L.DomUtil.create("input", "sm-time-slider", div);
    slider.type = "range"; slider.min = 0; slider.step = 1;
    slider.max = Math.round((parse(this.last) - parse(this.first)) / DAY);
    slider.setAttribute("aria-label", "Map date");
    L.DomEvent.on(slider, "input", function () {
      self.stop();
      self.move("day", Math.round((parse(self.first) + slider.value * DAY - parse(self.date)) / DAY));
    });
    var play = L.DomUtil.create("div", "sm-time-play", div);
    var button = this.playButton = L.DomUtil.create("button", "sm-time-playbtn", play);
    button.type = "button"; button.textContent = "Play"; button.setAttribute("aria-pressed", "false");
    button.title = "Step the map date forward until you stop it or it reaches the end";
    L.DomEvent.on(button, "click", function () { if (self.playing) { self.stop(); } else { self.play(); } });
    var unit = L.DomUtil.create("select", "sm-time-unit", play);
    unit.setAttribute("aria-label", "Play step");
    Object.keys(cfg.units).forEach(function (k) {
      var o = L.DomUtil.create("option", "", unit); o.value = k; o.textContent = cfg.units[k];
    });
    L.DomEvent.on(unit, "change", function () { self.unit = unit.value; });
    var speed = L.DomUtil.create("select", "sm-time-speed", play);
    speed.setAttribute("aria-label", "Play speed");
    cfg.speeds.forEach(function (v) {
      var o = L.DomUtil.create("option", "", speed); o.value = v; o.textContent = v + " steps/s";
      if (v === self.speed) { o.selected = true; }
    });
    L.DomEvent.on(speed, "change", function () {
      self.speed = +speed.value;
      if (self.playing) { self.stop(); self.play(); }
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    L.DomEvent.on(div, "keydown keyup keypress", L.DomEvent.stopPropagation);  // not the map's arrows
    ctl.onAdd = function () { return div; };
    ctl.addTo(this.map);
    return div;
  };

  Time.prototype.clamp = function (day) { return day < this.first ? this.first : day > this.last ? this.last : day; };

  /* The page's word: the groups it drew (for `drawn`), whether it shows a comparison, and its
     numbered command. Called each time the page's layer script is evaluated. */
  Time.prototype.server = function (msg) {
    var self = this;
    Object.keys(msg.groups).forEach(function (id) {
      var g = msg.groups[id];
      if (self.groups[id] !== g) { self.groups[id] = g; self.drawn[id] = {day: msg.drawn, key: null}; }
    });
    Object.keys(this.groups).forEach(function (id) { if (!(id in msg.groups)) { delete self.groups[id]; } });
    this.order = Object.keys(msg.groups);  // the server's drawing order (catalog order)
    this.compare = !!msg.compare;
    this.town = msg.town || null;
    var rebased = false;
    if (msg.seq > this.seq) {
      this.seq = msg.seq;
      if (this.playing) { this.stop(true); this.pending = []; }  // the page's date wins over Play
      this.date = this.clamp(msg.date);
      rebased = this.rebase(msg.applied || 0, msg.step);
    }
    this.serverDay = msg.drawn;
    this.sync();
    if (rebased) { this.report(); }
  };

  /* A command from the page (a sidebar step, say) crossed the reader's own moves in the map: the
     page had applied moves up to number `applied`, so the later ones are made again, and a
     sidebar step after them, from the day the page stepped from (so a step that the page's older
     date clamped at the first or last day still counts). n clicks, wherever, move n steps. */
  Time.prototype.rebase = function (applied, sidebar) {
    var self = this, commanded = this.date;
    this.pending = this.pending.filter(function (op) { return op.n > applied; });
    if (!this.pending.length) { return false; }
    var ok = sidebar && /^\d{4}-\d{2}-\d{2}$/.test(sidebar.base) && sidebar.unit in this.cfg.units
      && Number.isInteger(sidebar.count);
    var d = ok ? this.clamp(sidebar.base) : commanded;
    this.pending.forEach(function (op) { d = self.clamp(step(d, op.unit, op.count)); });
    if (ok) { d = this.clamp(step(d, sidebar.unit, sidebar.count)); }
    this.date = d;
    return d !== commanded;
  };

  /* While the reader looks, replay in idle time the days a step is likely to reach (a week and a
     day either side), one day per slice from the keyframe before them: a first step otherwise
     replays up to three weeks of days within its click (about 0.4 s, once per region of the
     history). A newer call (the reader moved) replaces an unfinished one. */
  var PREWARM_DAYS = 8;
  Time.prototype.prewarm = function () {
    var occ = this.occupied, self = this, token = {};
    if (!occ || !window.polygonClipping || this.date === null) { return; }
    var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 50); };
    var at = occ.shownIndex(this.date);
    var j = Math.max(0, at - PREWARM_DAYS), hi = Math.min(occ.days.length - 1, at + PREWARM_DAYS);
    while (j > 0 && !(occ.days[j] in occ.d.keys) && !(occ.days[j] in occ.cache)) { j--; }
    this.warming = token;
    var next = function () {
      if (self.warming !== token || self.playing || j > hi) { return; }
      occ.grid(j);
      j += 1;
      idle(next);
    };
    idle(next);
  };

  /* A step from the page's own buttons (the sidebar's ±1d/±7d/±1m, static/relay/page.js): made
     here as the map's own button would, once the history is in (before, the page's server step
     does it). True when taken. */
  Time.prototype.external = function (unit, count) {
    if (!this.history || !(unit in this.cfg.units) || (count !== 1 && count !== -1)) { return false; }
    this.stop();
    this.move(unit, count);
    return true;
  };

  /* The reader's own move in the map: numbered, kept until the page says it applied it. */
  Time.prototype.move = function (unit, count) {
    var moved = this.go(step(this.date, unit, count));
    if (moved) {
      this.ops += 1;
      this.pending.push({n: this.ops, unit: unit, count: count});
      if (this.pending.length > 2000) { this.pending.shift(); }  // bounded; a Play over all 769 days fits
      if (!this.playing) { this.report(); this.prewarm(); }
    }
    return moved;
  };

  Time.prototype.go = function (day) {
    day = this.clamp(day);
    var moved = day !== this.date;
    this.date = day;
    this.sync();
    return moved;
  };

  Time.prototype.play = function () {
    var self = this;
    if (this.date >= this.last) { return; }
    this.playing = setInterval(function () {
      self.move(self.unit, 1);
      if (self.date >= self.last) { self.stop(); }
    }, Math.round(1000 / this.speed));
    this.playButton.setAttribute("aria-pressed", "true");
    this.control.classList.add("sm-time-playing");
  };

  Time.prototype.stop = function (silent) {
    if (!this.playing) { return; }
    clearInterval(this.playing);
    this.playing = null;
    this.playButton.setAttribute("aria-pressed", "false");
    this.control.classList.remove("sm-time-playing");
    if (!silent) { this.report(); }
  };

  /* Tell the page (through the map component's own report, which it debounces). */
  Time.prototype.report = function () {
    // "<last move>@<command>": the page applies it only if no newer command overtook it
    var entry = {name: this.cfg.marker + this.date, url: this.ops + "@" + this.seq};
    this.map._smReport = entry;
    var data = window.__GLOBAL_DATA__;
    if (data && data.selected_layers) {
      Object.keys(data.selected_layers).forEach(function (k) {
        if (k.indexOf("sm:date=") === 0) { delete data.selected_layers[k]; }
      });
      data.selected_layers[entry.name] = entry;
    }
    this.map.fire("moveend");  // the component reports on this event, 250 ms after the last one
    var self = this;
    if (!this.flushing) {
      this.flushing = setTimeout(function () { self.flushing = null; self.flush(); }, FLUSH_DELAY_MS);
    }
  };

  /* A date the reader chose should reach the page's panels soon, not after the component's
     250 ms debounce: send, FLUSH_DELAY_MS after the move, the value the component would send then
     (streamlit-folium 0.27.4's own report, same keys in the same order), and mark it sent so its
     debounced report finds nothing new. The short delay lets the map's new day reach the screen
     (and be seen) before the page is busy drawing the panels the report brings, and makes one
     report of clicks within it. Later clicks of a burst go through the debounce, so the server
     reruns about once per burst, not per click. Any other version keeps the debounced path (the
     test of the installed version, ui/private_api.py, names the one checked). */
  var FLUSH_DELAY_MS = 60, FLUSH_GAP_MS = 300;
  Time.prototype.flush = function () {
    var g = window.__GLOBAL_DATA__, lib = window.Streamlit, map = this.map, now = Date.now();
    if (!g || !lib || typeof lib.setComponentValue !== "function" || !Array.isArray(g.returned_objects)) { return; }
    if (this.flushed && now - this.flushed < FLUSH_GAP_MS) { return; }
    var wrap = function (v) { return v && g.wrap_longitude ? map.wrapLatLng(v) : v; };
    var all = {
      last_clicked: wrap(g.lat_lng_clicked), last_object_clicked: wrap(g.last_object_clicked),
      last_object_clicked_count: g.last_object_clicked_count,
      last_object_clicked_tooltip: g.last_object_clicked_tooltip,
      last_object_clicked_popup: g.last_object_clicked_popup,
      all_drawings: g.all_drawings, last_active_drawing: g.last_active_drawing,
      last_geocoder_result: g.last_geocoder_result,
      bounds: g.wrap_longitude ? map.wrapLatLngBounds(map.getBounds()) : map.getBounds(),
      zoom: map.getZoom(), last_circle_radius: g.last_circle_radius,
      last_circle_polygon: g.last_circle_polygon, center: wrap(map.getCenter()),
      selected_layers: Object.values(g.selected_layers), selected_tags: g.selected_tags
    };
    var data = {};
    Object.keys(all).forEach(function (k) { if (g.returned_objects.indexOf(k) >= 0) { data[k] = all[k]; } });
    if (JSON.stringify(g.previous_data) === JSON.stringify(data)) { return; }
    g.previous_data = data;
    this.flushed = now;
    lib.setComponentValue(data);
  };

  // ---------------------------------------------------------------- drawing a day
  Time.prototype.sync = function () {
    if (this.date === null) { return; }
    this.label.textContent = this.date;
    this.slider.value = Math.round((parse(this.date) - parse(this.first)) / DAY);
    this.slider.setAttribute("aria-valuetext", this.date);
    this.drawTown();
    this.styleTowns();
    this.raise();  // the page's groups, evaluated again, go over the towns
    if (!this.history || this.compare) { return; }  // the page draws comparisons
    var self = this, asof = "Map date " + this.date, lowest = -1;
    this.order.forEach(function (id, k) {
      var shown = self.shown(id, self.date), before = self.drawn[id];
      var serverKey = before.key === null && before.day ? self.shown(id, before.day).key : before.key;
      if (serverKey !== shown.key) {
        self.draw(id, shown);
        if (lowest < 0) { lowest = k; }
      }
      self.drawn[id] = {day: self.date, key: shown.key};
      if (shown.note && self.map.hasLayer(self.groups[id])) { asof += shown.note; }
    });
    if (lowest >= 0) { this.restack(lowest); }
    var box = this.map.getContainer().querySelector(".sm-asof");
    if (box) { box.textContent = asof; }
    if (this.map._smSwipeSync) { this.map._smSwipeSync(); }
  };

  /* The chosen town's distance to the front on the day shown (the page's figures: data/front.py
     `town_line`): the town marked, a line to the nearest occupied point, labelled with the km. */
  Time.prototype.drawTown = function () {
    var t = this.town, day = this.date, map = this.map, g = this.townLayer;
    var id = t && t.days && t.days.length ? t.name + "@" + t.lat + "," + t.lon : null;
    if (g && g._smId !== id) { map.removeLayer(g); g = this.townLayer = null; }
    if (!id) { return; }
    var here = [t.lat, t.lon];
    if (!g) {  // built once per town, then moved: a tooltip fades out for 200 ms when removed
      g = L.layerGroup();
      g._smId = id;
      g._line = L.polyline([here, here], {color: "#111", weight: 2.5, dashArray: "6 4", interactive: false,
                                          className: "sm-front-line"});
      g._near = L.circleMarker(here, {radius: 4, color: "#111", weight: 2, fillColor: "#fff", fillOpacity: 1,
                                      interactive: false, className: "sm-front-near"});
      g.addLayer(L.circleMarker(here, {radius: 7, color: "#111", weight: 3, fillColor: "#ffd400", fillOpacity: 1,
                                       interactive: false, className: "sm-front-town"}));
      g._tip = L.tooltip({permanent: true, direction: "top", offset: [0, -9], className: "sm-front-label"})
        .setLatLng(here).setContent(document.createElement("span"));
      this.townLayer = g.addTo(map);
      g.addLayer(g._tip);
    }
    var lo = 0, hi = t.days.length - 1, i = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (t.days[mid] <= day) { i = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    var km = i >= 0 ? t.km[i] : null, away = km !== null && km > 0, side = "top";
    if (away) {
      var near = [t.nlat[i], t.nlon[i]];
      g._line.setLatLngs([here, near]);
      g._near.setLatLng(near);
      side = t.nlat[i] > t.lat ? "bottom" : "top";  // the label on the far side from the line
    }
    [g._line, g._near].forEach(function (l) { if (away) { g.addLayer(l); } else { g.removeLayer(l); } });
    // Text only (a town's name is data): never parsed as HTML.
    var label = document.createElement("span");
    label.textContent = km === null ? t.name + ": no snapshot on or before " + day
      : t.name + ": " + (away ? km.toLocaleString("en-US", {minimumFractionDigits: 1, maximumFractionDigits: 1})
                                 + " km" : "inside") + " to the front on " + t.days[i];
    g._tip.options.direction = side;
    g._tip.options.offset = [0, side === "top" ? -9 : 9];
    g._tip.setContent(label);
  };

  /* The town markers' status on the map date (the history's `towns`, from the settlements table's
     `history`): filled while a town's point is inside the occupied area, and a tooltip saying so
     with the table's status word. Towns the table did not measure keep their plain name. */
  Time.prototype.styleTowns = function () {
    var t = this.history && this.history.towns, geo = this.markers, day = this.date;
    if (!t || !geo || this.markersDay === day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) { return; }
    this.markersDay = day;
    geo.eachLayer(function (m) {
      var p = m.feature && m.feature.properties;
      if (!p || !m.setStyle || typeof p.label !== "string" || !Object.prototype.hasOwnProperty.call(t.towns, p.geonameid)) {
        return;
      }
      var days = t.towns[p.geonameid], inside = false;
      for (var i = 0; i < days.length && days[i][0] <= day; i++) { inside = !!days[i][1]; }
      var words = t.texts[inside ? "in" : "out"];
      // The layer's tooltip (folium's) inserts `tip` as HTML: the name and words come escaped by
      // the server (map/text.py), the day is checked above; streamlit-folium reads a click's
      // town from this text (pages/map.py `follow_town_click` takes "name · ...").
      p.tip = p.label + words[0] + day + words[1];
      m.setStyle(t.style[inside ? "in" : "out"]);
    });
    if (geo.isTooltipOpen && geo.isTooltipOpen()) { geo.getTooltip().update(); }
  };

  /* The town markers over the areas (the server's dated groups come after the base map's towns and
     the map's redraws go last: an inside town would be under the occupied area, its tooltip and
     click taken by the area), then the chosen town's line over all. */
  Time.prototype.raise = function () {
    if (this.markers && this.map.hasLayer(this.markers)) { this.markers.bringToFront(); }
    if (this.townLayer) { this.townLayer.eachLayer(function (l) { if (l.bringToFront) { l.bringToFront(); } }); }
  };

  /* What layer `id` shows on `day`: its features and a key that changes when they do. */
  Time.prototype.shown = function (id, day) {
    var h = this.history, scale = h.scale;
    if (h.daily && id === h.daily.layer && this.occupied) {
      var i = this.occupied.shownIndex(day), occ = h.daily;
      if (i < 0) { return {key: "none", features: []}; }
      var shownDay = occ.days[i], self = this;
      var note = shownDay !== day ? " (occupied area: no snapshot; nearest earlier day " + shownDay + ")" : "";
      var failed = " (occupied area of " + shownDay + ": could not be drawn in the browser; see the page's figures)";
      var res = {key: shownDay, note: self.occupied.failed[shownDay] ? failed : note, features: function () {
        var coords = self.occupied.coords(i);
        if (coords === null) { res.note = failed; return []; }
        return [{type: "Feature", geometry: {type: "MultiPolygon", coordinates: coords},
                 properties: {status: occ.status || "", tip: occ.texts[i][0], popup: occ.texts[i][1]}}];
      }};
      return res;
    }
    var layer = h.layers[id];
    if (!layer) { return {key: "unknown", features: []}; }
    var picked;
    if (layer.kind === "window") {
      // data/figures.py `window_start` and data/settlements_table.py `rows_between`: since < d <= day
      var since = iso(Math.max(parse(layer.first), parse(day) - layer.window * DAY));
      var lo = since < day ? since : day, hi = since < day ? day : since;
      picked = layer.records.filter(function (r) { return r.d > lo && r.d <= hi; });
    } else if (layer.kind === "extents") {
      var latest = "";
      layer.records.forEach(function (r) { if (r.d <= day && r.d > latest) { latest = r.d; } });
      picked = layer.records.filter(function (r) { return latest && r.d === latest; });
    } else {
      picked = layer.records.filter(function (r) { return r.d <= day && (!r.u || r.u >= day); });
    }
    var key = picked.map(function (r) { return layer.records.indexOf(r); }).join(",");
    var note = "";
    if (layer.kind === "extents" && picked.length && picked.every(function (r) { return typeof r.g[0] === "number"; })) {
      var statuses = picked.map(function (r) { return r.s; }).filter(function (s, k, a) { return a.indexOf(s) === k; }).sort();
      note = " \u00b7 " + this.cfg.titles[id] + ": none drawn since " + picked[0].d + " (" + statuses.join("/") + "; click the markers)";
    }
    return {key: key, note: note, features: function () {
      return picked.map(function (r) {
        var props = {status: r.s, tip: r.tip, popup: r.popup};
        if (layer.style.prop) { props[layer.style.prop] = r.v; }
        return {type: "Feature", geometry: geometry(r.g, scale), properties: props};
      }).filter(function (f) { return f.geometry; });
    }};
  };

  Time.prototype.draw = function (id, shown) {
    var group = this.groups[id], h = this.history, occ = h.daily;
    var style = occ && id === occ.layer ? occ.style : h.layers[id].style, dash = h.dash;
    function styleOf(f) {
      var s = Object.assign({}, (style.prop && style.values[f.properties[style.prop]]) || style.base);
      if (f.properties.status in dash && dash[f.properties.status]) { s.dashArray = dash[f.properties.status]; }
      delete s.radius;
      return s;
    }
    group.clearLayers();
    L.geoJSON(shown.features(), {
      style: styleOf,
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, Object.assign({radius: 7}, styleOf(f))); },
      onEachFeature: function (f, layer) {
        if (f.properties.tip) {
          layer.bindTooltip(f.properties.tip, {sticky: true});
          // the server's layers thicken what the pointer is over (map/draw.py `highlight_function`)
          layer.on("mouseover", function () { layer.setStyle({weight: 3}); });
          layer.on("mouseout", function () { layer.setStyle(styleOf(f)); });
        }
        if (f.properties.popup) { layer.bindPopup(f.properties.popup, {maxWidth: 340}); }
      }
    }).addTo(group);
  };

  /* A redrawn group's paths go last in their pane, over the groups the server drew after it:
     the groups from `from` on are put back on top in the server's order, then the towns (`raise`). */
  Time.prototype.restack = function (from) {
    var self = this;
    this.order.slice(from + 1).forEach(function (id) {
      var g = self.groups[id];
      if (g && g.bringToFront && self.map.hasLayer(g)) { g.bringToFront(); }
    });
    this.raise();
  };

  window.SmTime = {
    attach: function (map, cfg, refs) {
      if (!map._smTime) { map._smTime = new Time(map, cfg, refs || {}); }
      return map._smTime;
    },
    server: function (map, msg) { if (map._smTime) { map._smTime.server(msg); } },
    step: step
  };
})();
