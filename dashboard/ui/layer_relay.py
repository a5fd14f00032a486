"""The sidebar's layer switches act on the map in the browser, before the server's rerun.

A layer checkbox reruns the map's fragment, which sends the map its new set of layers: a server
round trip between the click and the map. This component (Streamlit's components v2: its script
runs in the page) hears those checkboxes change and tells the map's frame at once which layer to
show or hide (static/relay/layers.js); the map toggles it as its own control would
(map/elements.py). The rerun follows as before, for the URL, the downloads and the figures.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "relay" / "layers.js"
_relay = st.components.v2.component("situation_map_layer_relay", js=SCRIPT.read_text(encoding="utf-8"))


def layer_relay(labels: dict[str, str]) -> None:
    """Mount the relay with the map's label of each layer switch in the sidebar (layer id ->
    label: the checkbox's key names the id, the map's control knows the label)."""
    _relay(data={"labels": labels}, key="layer_relay", height=0)
