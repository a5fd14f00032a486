"""Hostile readers mixing every way of moving the map: a seeded random interleaving.

Three readers (separate browser contexts, so separate sessions) each run a random sequence of
actions: bursts of the map's own date steps, the map slider's arrow keys, the sidebar's day
steps, a layer switched in the map's control or in the sidebar, Play for a moment, a visit to
"Sources & method" and back, a reload. They are driven round-robin from this one thread (each
round: every reader acts, then every reader is checked), so the server answers several sessions
at once. A model keeps the date each reader must see (clamped to the history, months stepped as
`dashboard.data.view.step` does) and the layers it must see; after every action the map, the
URL, the sidebar's slider, the panel heading and both layer controls must agree with it.

The seed comes from INTERLEAVE_SEED (`random` draws one; unset, a fixed seed, so that CI does not
pass or fail by chance); it is printed and named in every assertion message:
`INTERLEAVE_SEED=<n> pytest tests/e2e/test_interleave_browser.py` replays the plan.
INTERLEAVE_COMBOS=1 also mixes in two controls used back to back without waiting (a sidebar step
and a map step within the map's report debounce). The replays at the end are cases these readers
found, kept as they were found (all fixed since: they guard against a return)."""

from __future__ import annotations

import os
import random
import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.data.layers import view_bounds
from dashboard.data.load import load_dataset
from dashboard.data.view import Bounds, step
from tests.e2e.conftest import Watched, wait_idle

pytestmark = pytest.mark.browser

READERS = 3
TIMEOUT = 30_000  # the machine is loaded: generous, Playwright still returns as soon as it holds
#: The map's own step buttons (U+2212 minus) and the sidebar's: label -> (unit, count).
STEPS = {"+1d": ("day", 1), "−1d": ("day", -1), "+7d": ("week", 1), "−7d": ("week", -1),
         "+1m": ("month", 1), "−1m": ("month", -1)}
SIDEBAR_STEPS = ("+1d", "−1d")
#: Layers in both the map's own control and the sidebar: id -> title (the start of both labels).
LAYERS = {"places": "Towns in the story", "oblasts": "Oblast boundaries and state border"}

Action = tuple  # ("map", label, clicks) | ("slider", key, presses) | ("sidebar", label, clicks)
#                 | ("map-layer", id) | ("sidebar-layer", id) | ("play", ms) | ("sources",) | ("reload",)
#                 | ("sidebar-then-map", label, label) | ("map-then-sidebar", label, label)
COMBOS = ("sidebar-then-map", "map-then-sidebar")


@dataclass
class Plan:
    start: date
    actions: list[Action]


#: The seed the suite runs unless told otherwise: CI must not pass or fail by chance (the seeds
#: run and their results are in the issue's closing note). INTERLEAVE_SEED=random draws one.
DEFAULT_SEED = 3


def _seed() -> int:
    raw = os.environ.get("INTERLEAVE_SEED", "").strip()
    if raw == "random":
        return random.SystemRandom().randrange(1, 10**6)
    return int(raw) if raw else DEFAULT_SEED


def _action(rng: random.Random) -> Action:
    kinds = {"map": 8, "slider": 2, "sidebar": 3, "map-layer": 2, "sidebar-layer": 2, "play": 1, "sources": 1,
             "reload": 1}
    if os.environ.get("INTERLEAVE_COMBOS") == "1":
        kinds.update(dict.fromkeys(COMBOS, 1))
    kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
    if kind in COMBOS:
        return (kind, rng.choice(SIDEBAR_STEPS), rng.choice(list(STEPS)))
    if kind == "map":
        return ("map", rng.choice(list(STEPS)), rng.randint(1, 5))
    if kind == "slider":
        return ("slider", rng.choice(["ArrowRight", "ArrowLeft"]), rng.randint(1, 3))
    if kind == "sidebar":
        return ("sidebar", rng.choice(SIDEBAR_STEPS), 1)
    if kind in ("map-layer", "sidebar-layer"):
        return (kind, rng.choice(list(LAYERS)))
    if kind == "play":
        return ("play", rng.randint(300, 1500))
    return (kind,)


def make_plans(seed: int, bounds: Bounds) -> list[Plan]:
    rng = random.Random(seed)
    plans = []
    for _ in range(READERS):
        where = rng.choice(["early", "late", "middle"])
        if where == "early":
            start = bounds.first + timedelta(days=rng.randint(0, 12))
        elif where == "late":
            start = bounds.last - timedelta(days=rng.randint(0, 12))
        else:
            start = bounds.first + timedelta(days=rng.randint(40, (bounds.last - bounds.first).days - 40))
        plans.append(Plan(start, [_action(rng) for _ in range(rng.randint(12, 20))]))
    return plans


@dataclass
class Reader:
    n: int
    w: Watched
    plan: Plan
    bounds: Bounds
    base_url: str
    seed: int | str
    day: date = date.min
    off: set[str] = field(default_factory=set)
    done: list[Action] = field(default_factory=list)

    @property
    def page(self) -> Page:
        return self.w.page

    def frame(self):
        return self.w.map()

    def clamp(self, day: date) -> date:
        return min(max(day, self.bounds.first), self.bounds.last)

    def where(self) -> str:
        return (f"INTERLEAVE_SEED={self.seed} reader {self.n} (start {self.plan.start}) after {self.done!r}: "
                f"expected date {self.day}, layers off {sorted(self.off)}")

    # ------------------------------------------------------------------ actions
    def open(self) -> None:
        self.day = self.plan.start
        self.w.open(self.base_url + f"?date={self.day}")
        self._ready()

    def _ready(self) -> None:
        # the history file is fetched after the first paint; the control says when it is in
        self.frame().locator(".sm-time-ready").wait_for(timeout=60_000)

    def act(self, action: Action) -> None:
        self.done.append(action)
        kind, frame, page = action[0], self.frame(), self.page
        if kind == "map":
            _, label, clicks = action
            button = frame.get_by_role("button", name=label, exact=True)
            unit, count = STEPS[label]
            for _ in range(clicks):  # as fast as Playwright clicks: none may be lost
                button.click()
                self.day = self.clamp(step(self.day, unit, count))
        elif kind == "slider":
            _, key, presses = action
            slider = frame.get_by_role("slider", name="Map date")
            slider.focus()
            for _ in range(presses):
                slider.press(key)
                self.day = self.clamp(self.day + timedelta(days=1 if key == "ArrowRight" else -1))
        elif kind == "sidebar":
            _, label, clicks = action
            unit, count = STEPS[label]
            for _ in range(clicks):
                page.get_by_role("button", name=label, exact=True).click()
                self.day = self.clamp(step(self.day, unit, count))
        elif kind == "map-layer":
            frame.locator(".leaflet-control-layers").hover()
            frame.locator(".leaflet-control-layers-overlays label", has_text=LAYERS[action[1]]).click()
            self.off ^= {action[1]}
        elif kind == "sidebar-layer":
            page.get_by_test_id("stSidebar").get_by_text(LAYERS[action[1]]).click()
            self.off ^= {action[1]}
        elif kind in COMBOS:  # two controls back to back: the second before the first is reported
            _, side, on_map = action
            sidebar = page.get_by_role("button", name=side, exact=True)
            in_map = frame.get_by_role("button", name=on_map, exact=True)
            for button, label in ((sidebar, side), (in_map, on_map))[::1 if kind == COMBOS[0] else -1]:
                button.click()
                self.day = self.clamp(step(self.day, *STEPS[label]))
        elif kind == "play":
            self._play(action[1])
        elif kind == "sources":
            page.get_by_role("link", name="Sources & method").click()
            expect(page, self.where()).to_have_url(re.compile(r"/sources(\?|$)"), timeout=TIMEOUT)
            wait_idle(page)
            page.get_by_role("link", name="Map", exact=True).click()
            expect(page, self.where()).to_have_url(re.compile(r"/(map)?(\?|$)"), timeout=TIMEOUT)
            self._ready()
        elif kind == "reload":
            page.reload()
            wait_idle(page)
            self._ready()
        else:  # pragma: no cover
            raise AssertionError(f"unknown action {action!r}")

    def _play(self, ms: int) -> None:
        """Play for a moment, then stop; how many days it went is the map's to say."""
        frame = self.frame()
        play, label = frame.get_by_role("button", name="Play", exact=True), frame.locator(".sm-time-date")
        before = self.day
        play.click()
        if before < self.bounds.last:
            expect(label, self.where()).not_to_have_text(before.isoformat(), timeout=TIMEOUT)
            self.page.wait_for_timeout(ms)
            if play.get_attribute("aria-pressed") == "true":
                play.click()  # (had it just reached the last day, this click is a no-op)
        expect(play, self.where()).to_have_attribute("aria-pressed", "false", timeout=TIMEOUT)
        shown = date.fromisoformat(label.text_content() or "")
        assert before <= shown <= self.bounds.last, f"Play went from {before} to {shown}: {self.where()}"
        self.day = shown
        self.done[-1] = ("play", ms, f"stopped on {shown}")

    # ------------------------------------------------------------------ checks
    def check(self) -> None:
        try:
            self._agree()
            wait_idle(self.page)
            self._agree()  # and nothing late undoes it
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- what reader {self.n} showed: {self.snapshot()}") from None
        assert self.w.errors == [], f"console errors {self.w.errors}: {self.where()}"

    def _agree(self) -> None:
        page, frame, msg, day = self.page, self.frame(), self.where(), self.day.isoformat()
        expect(frame.locator(".sm-time-date"), msg).to_have_text(day, timeout=TIMEOUT)
        expect(frame.locator(".sm-asof"), msg).to_contain_text(f"Map date {day}", timeout=TIMEOUT)
        expect(page, msg).to_have_url(self._url_pattern(), timeout=TIMEOUT)
        expect(page.get_by_role("slider", name="Map date"), msg).to_have_attribute(
            "aria-valuetext", day, timeout=TIMEOUT)
        expect(page.get_by_text(re.compile(rf"Occupied area and change: .* → {day}")), msg).to_be_visible(
            timeout=TIMEOUT)
        for layer_id, title in LAYERS.items():
            on = layer_id not in self.off
            expect(page.get_by_role("checkbox", name=re.compile(re.escape(title))), msg).to_be_checked(
                checked=on, timeout=TIMEOUT)
            box = frame.locator(".leaflet-control-layers-overlays label", has_text=title).locator("input")
            expect(box, msg).to_be_checked(checked=on, timeout=TIMEOUT)
        places = frame.locator(".sm-place")
        if "places" in self.off:
            expect(places, msg).to_have_count(0, timeout=TIMEOUT)
        else:
            expect(places.first, msg).to_be_attached(timeout=TIMEOUT)

    def _url_pattern(self) -> re.Pattern[str]:
        """The URL carries only what differs from the default view (data/view.py `to_query`)."""
        default = self.bounds.default
        if self.day == default.date:
            date_part = r"(?![^#]*[?&]date=)"
        else:
            date_part = rf"(?=[^#]*[?&]date={self.day}(&|$))"
        shown = [i for i in self.bounds.layer_ids if i in default.layers and i not in self.off]
        if set(shown) == set(default.layers):
            layers_part = r"(?![^#]*[?&]layers=)"
        else:
            layers_part = r"(?=[^#]*[?&]layers=" + "(,|%2C)".join(map(re.escape, shown)) + "(&|$))"
        return re.compile("^" + date_part + layers_part)

    def snapshot(self) -> dict[str, object]:
        """What the map, the URL and the panels show now (for the failure message)."""
        page, frame, out = self.page, self.frame(), {"url": self.page.url}

        def read(name, fn):
            try:
                out[name] = fn()
            except Exception as e:  # noqa: BLE001 - a snapshot takes what it can
                out[name] = f"<{type(e).__name__}>"

        quick = 2_000
        read("map date", lambda: frame.locator(".sm-time-date").text_content(timeout=quick))
        read("as of", lambda: frame.locator(".sm-asof").text_content(timeout=quick))
        read("slider", lambda: page.get_by_role("slider", name="Map date").get_attribute(
            "aria-valuetext", timeout=quick))
        read("heading", lambda: page.get_by_text(re.compile("Occupied area and change")).first.text_content(
            timeout=quick))
        for layer_id, title in LAYERS.items():
            read(f"sidebar {layer_id}", lambda t=title: page.get_by_role(
                "checkbox", name=re.compile(re.escape(t))).is_checked(timeout=quick))
            read(f"map control {layer_id}", lambda t=title: frame.locator(
                ".leaflet-control-layers-overlays label", has_text=t).locator("input").is_checked(timeout=quick))
        read("places drawn", lambda: frame.locator(".sm-place").count())
        read("errors", lambda: list(self.w.errors))
        return out


@pytest.fixture(scope="module")
def bounds() -> Bounds:
    return view_bounds(load_dataset())


def run_readers(browser: Browser, watched: Watched, app_server, bounds: Bounds, seed: int | str,
                plans: list[Plan]) -> None:
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in plans[1:]]
    try:
        pages = [watched] + [Watched(ctx.new_page()) for ctx in contexts]
        readers = [Reader(n, w, plan, bounds, app_server.url, seed)
                   for n, (w, plan) in enumerate(zip(pages, plans, strict=True))]
        for reader in readers:
            reader.open()
        for reader in readers:
            reader.check()
        for k in range(max(len(p.actions) for p in plans)):
            acting = [r for r in readers if k < len(r.plan.actions)]
            for reader in acting:  # every reader acts, then every reader is checked
                reader.act(reader.plan.actions[k])
            for reader in acting:
                reader.check()
        for reader in readers:
            assert reader.w.external == [], f"external requests {reader.w.external}: {reader.where()}"
    finally:
        for ctx in contexts:
            ctx.close()


def test_readers_mixing_every_control_agree_with_the_model(browser, watched: Watched, app_server, bounds):
    seed = _seed()
    plans = make_plans(seed, bounds)
    print(f"INTERLEAVE_SEED={seed}")
    for n, plan in enumerate(plans):
        print(f"  reader {n}: start {plan.start}, {plan.actions}")
    began = time.monotonic()
    run_readers(browser, watched, app_server, bounds, seed, plans)
    print(f"INTERLEAVE_SEED={seed}: {sum(len(p.actions) for p in plans)} actions in {time.monotonic() - began:.0f} s")


#: Cases found by the readers above, replayed by one reader (start day, actions).
REPLAYS = [
    # The map's own occupied-area replay (time.js `Occupied.coords`, polygon-clipping) threw
    # "Unable to complete output ring" on 2024-08-05..07 and 2024-12-04..05: the area vanished,
    # the as-of box kept the day before, and the page was never told (seeds 4 and 5 found it;
    # fixed in bf0130b).
    pytest.param(date(2024, 7, 31), [("map", "+7d", 1)], id="occupied-area-2024-08-07"),
    pytest.param(date(2024, 12, 3), [("map", "+1d", 1)], id="occupied-area-2024-12-04"),
    # A sidebar step and a map step back to back (the second within the map's 250 ms report
    # debounce or the page's rerun): two steps, but the date moved one (map then sidebar every
    # time; sidebar then map when the map was clicked before the page's command reached it, 2
    # runs in 6; fixed in 37042d7).
    pytest.param(date(2024, 9, 20), [("sidebar-then-map", "+1d", "+1d")], id="sidebar-then-map-step"),
    pytest.param(date(2024, 9, 20), [("map-then-sidebar", "+1d", "+1d")], id="map-then-sidebar-step"),
    # (INTERLEAVE_COMBOS=1, seed 11) on the last day: the map's −1d, then the sidebar's +1d before
    # the map's report: the sidebar steps the page's date, still the last day, to itself (clamped),
    # so `state.map_command` sent no command and the map's report of 08-21 won: 08-21, not 08-22
    # (still so after 37042d7; fixed in 27166a8).
    pytest.param(date(2026, 8, 22), [("map-then-sidebar", "+1d", "−1d")], id="map-then-sidebar-at-the-end"),
]


@pytest.mark.parametrize(("start", "actions"), REPLAYS)
def test_replay_found_case(browser, watched: Watched, app_server, bounds, start: date, actions: list[Action]):
    run_readers(browser, watched, app_server, bounds, "replay", [Plan(start, actions)])
