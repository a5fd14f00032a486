/* The page's own script (ui/page_relay.py): a Streamlit v2 component, run in the app's page
   (no frame of its own).

   Layer switches: when the reader switches a layer checkbox (its key gives its class:
   st-key-layer_<id>-on or -off, ui/keys.layer_key), the box's new state is told to the page's
   own frames at once; the map's frame shows or hides that layer as its own control would
   (map/elements.py). The checkbox's rerun follows as before and finds the map already showing
   the set it sends. Labels come from the page as data and are only compared, never drawn.

   Step buttons: see `press` below.

   Focus: the date's slider and date input get a new key when something else moves the date
   (st-key-date-slider-<n>, ui/widget_keys.py), and the browser drops the focus of an element
   that goes; the new widget takes it back. */
export default function (component) {
  const data = component.data;
  window.__smLayerLabels = data && typeof data.labels === "object" && data.labels ? data.labels : {};
  if (window.__smLayerRelay) { return; }  // one set of listeners per page, whatever the reruns
  window.__smLayerRelay = true;
  const KEY = /^st-key-layer_([a-z0-9_-]+)-(on|off)$/;
  const WATCH_MS = 2000;

  /* The keyed widget `target` is in, by its st-key- class: {m: the class's match, el: its holder}. */
  const keyed = (target, pattern) => {
    for (let el = target instanceof Element ? target : null; el; el = el.parentElement) {
      for (const name of el.classList) {
        const m = pattern.exec(name);
        if (m) { return {m: m, el: el}; }
      }
    }
    return null;
  };
  const layerOf = (target) => {
    const found = keyed(target, KEY);
    return found && {id: found.m[1], box: found.el.querySelector("input[type=checkbox]")};
  };

  const send = (id, on) => {
    const labels = window.__smLayerLabels;
    const label = Object.prototype.hasOwnProperty.call(labels, id) ? labels[id] : null;
    if (typeof label !== "string") { return; }
    for (let i = 0; i < window.frames.length; i++) {
      window.frames[i].postMessage({type: "sm:layer", label: label, on: on}, window.location.origin);
    }
  };

  /* The checkbox's own events are not to be relied on (it is toggled by the page's script, with
     no native change event): from the press on, watch the box frame by frame and send its state
     once it changes. A press that changes nothing (the help icon) sends nothing. */
  const arm = (event) => {
    const found = layerOf(event.target);
    if (!found || !found.box) { return; }
    const box = found.box, before = box.checked, until = performance.now() + WATCH_MS;
    const look = () => {
      if (box.checked !== before) { send(found.id, box.checked); return; }
      if (performance.now() < until && box.isConnected) { requestAnimationFrame(look); }
    };
    requestAnimationFrame(look);
  };
  document.addEventListener("pointerdown", arm, true);
  document.addEventListener("click", arm, true);
  document.addEventListener("keydown", (event) => { if (event.key === " " || event.key === "Enter") { arm(event); } }, true);

  /* Step buttons: the sidebar's ±1d/±7d/±1m (st-key-step_<unit>_<count>) step the map in the
     browser once its history is in, as its own buttons do; the map's report brings the page
     along. The press is kept from the page's own handler (which would step again through the
     server); before the map is ready it goes to the page as before. */
  const STEP = /^st-key-step_(day|week|month)_(-?1)$/;
  const stepOf = (target) => {
    const found = keyed(target, STEP);
    return found && {unit: found.m[1], count: Number(found.m[2]), holder: found.el};
  };
  const mapTime = () => {
    for (let i = 0; i < window.frames.length; i++) {
      try {
        const map = window.frames[i].map, time = map && map._smTime;
        if (time && time.history && typeof time.external === "function") { return time; }
      } catch (err) { /* a frame of another origin */ }
    }
    return null;
  };
  let taken = null;  // the step button whose press the map takes
  const press = (event) => {
    const step = stepOf(event.target);
    if (!step) { return; }
    const starts = event.type === "pointerdown" || event.type === "mousedown" ||
      (event.type === "keydown" && (event.key === "Enter" || event.key === " "));
    if (starts && event.type !== "mousedown") { taken = mapTime() ? step.holder : null; }
    if (taken !== step.holder) { return; }
    event.stopImmediatePropagation();
    if (event.type === "click") {
      taken = null;
      const time = mapTime();
      if (time) { time.external(step.unit, step.count); }
    }
  };
  for (const type of ["pointerdown", "mousedown", "pointerup", "mouseup", "keydown", "keyup", "click"]) {
    document.addEventListener(type, press, true);
  }

  const DATE = /^st-key-date-(slider|pick)-\d+$/;
  const dateWidget = (target) => {
    const found = keyed(target, DATE);
    return found && found.m[1];
  };
  let focused = null;  // {widget, el}: the date widget element the reader is on
  document.addEventListener("focusin", (event) => {
    const widget = dateWidget(event.target);
    focused = widget ? {widget: widget, el: event.target} : null;
  }, true);
  new MutationObserver(() => {
    if (!focused || focused.el.isConnected) { return; }
    const was = focused;
    focused = null;
    if (document.activeElement && document.activeElement !== document.body) { return; }  // moved on
    const holder = [...document.querySelectorAll(`[class*="st-key-date-${was.widget}-"]`)]
      .find((el) => [...el.classList].some((name) => DATE.test(name)));
    const target = holder && holder.querySelector("[role=slider], input");
    if (target) { target.focus({preventScroll: true}); }
  }).observe(document.body, {childList: true, subtree: true});
}
