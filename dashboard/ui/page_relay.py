"""The page's own script, for what the browser can do before (or without) a server round trip:

- the sidebar's layer switches act on the map at once: a layer checkbox reruns the map's
  fragment, which sends the map its new set of layers, a round trip between the click and the
  map; the script hears the box change and tells the map's frame which layer to show or hide
  (the map toggles it as its own control would: map/elements.py). The rerun follows as before,
  for the URL, the downloads and the figures;
- a date widget redrawn under the reader's focus (a new key: ui/widget_keys.py) takes the focus
  back, so a keyboard reader on the slider stays there while Play or the map moves the date.

It is a Streamlit components v2 component: its script (static/relay/page.js) runs in the page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "relay" / "page.js"
_relay = st.components.v2.component("situation_map_page_relay", js=SCRIPT.read_text(encoding="utf-8"))


def page_relay(labels: dict[str, str]) -> None:
    """Mount the script with the map's label of each layer switch in the sidebar (layer id ->
    label: the checkbox's key names the id, the map's control knows the label)."""
    _relay(data={"labels": labels}, key="page_relay", height=0)
