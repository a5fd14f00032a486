"""The layout's rules, read from the code: which layer may import what, module sizes, and no
fact of the catalog (layer ids, source hosts) written in Python."""

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "dashboard"
#: data at the bottom; map, ingest, update and animation each on data only and never on one
#: another; ui above them; serving on top. The top-level modules are CLIs and entry points.
SIDE_BY_SIDE = ("map", "ingest", "update", "animation", "settlements")
ALLOWED: dict[str, set[str]] = {
    "data": {"data"},
    **{layer: {"data", layer} for layer in SIDE_BY_SIDE},
    # the downloads use the map's one builder (standalone HTML), so they sit on map and data
    "export": {"data", "map"},
    "check": {"data"},
    "front": {"data"},
    "animate": {"data", "animation"},
    "ui": {"data", *SIDE_BY_SIDE, "export", "ui"},
    "serving": {"data", *SIDE_BY_SIDE, "export", "ui", "serving"},
    "app": {"ui"},
    "server": {"serving"},
}
MAX_LINES = 300


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "static" not in p.parts)


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small(path: Path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_streamlit_and_folium_stay_in_their_layers(path: Path):
    layer, names = layer_of(path), imports(path)
    uses_streamlit = any(n == "streamlit" or n.startswith("streamlit.") for n in names)
    uses_folium = any(n.split(".")[0] in ("folium", "branca", "streamlit_folium") for n in names)
    if uses_streamlit:
        assert layer in ("ui", "serving", "server", "app"), "Streamlit outside ui/ and serving/"
    if uses_folium:
        # the map widget shows folium maps; the private-API adapter calls streamlit-folium's helpers
        assert layer == "map" or path.name in ("map_widget.py", "private_api.py"), \
            "folium outside map/, the map widget and the private-API adapter"


def test_every_module_has_a_place_in_the_layers():
    """A new package or top-level module must be placed in ALLOWED before it can be imported."""
    assert sorted({layer_of(p) for p in modules()} - set(ALLOWED) - {"__init__"}) == []


@pytest.mark.parametrize("path", [p for p in modules() if layer_of(p) in ALLOWED],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way(path: Path):
    layer = layer_of(path)
    for name in imports(path):
        parts = name.split(".")
        if parts[0] != "dashboard" or len(parts) < 2 or parts[1] in ("__init__",):
            continue
        target = parts[1].removesuffix(".py")
        assert target in ALLOWED[layer], f"{layer} imports {name}"


def test_the_layer_rule_catches_a_crossing():
    """The rule itself: ingest reaching into map, or data into anything above it, is refused."""
    assert "map" not in ALLOWED["ingest"] and "ingest" not in ALLOWED["data"]
    assert all(layer in ALLOWED[upper] for upper in ("ui", "serving") for layer in SIDE_BY_SIDE)
    assert all(other not in ALLOWED[one] for one in SIDE_BY_SIDE for other in SIDE_BY_SIDE if other != one)


def test_only_the_state_module_touches_session_and_url_state():
    offenders = [str(p.relative_to(ROOT)) for p in modules()
                 if re.search(r"st\.(session_state|query_params)", p.read_text(encoding="utf-8"))
                 and p.name != "state.py"]
    assert offenders == []


def test_no_catalog_fact_is_written_in_python():
    catalog = (ROOT / "geodata" / "catalog.toml").read_text(encoding="utf-8")
    layer_ids = re.findall(r'^\[\[layers\]\]\s*\nid = "([^"]+)"', catalog, re.M)
    hosts = {h for h in re.findall(r'https?://([^/"]+)', catalog)}
    assert len(layer_ids) >= 5 and "deepstatemap.live" in hosts
    # dashboard/ingest writes a JSON schema whose keys ("places", ...) are not layer ids.
    for path in (p for p in modules() if "ingest" not in p.parts):
        text = path.read_text(encoding="utf-8")
        for layer_id in layer_ids:
            assert f'"{layer_id}"' not in text and f"'{layer_id}'" not in text, (path.name, layer_id)
        for host in hosts:
            assert host not in text, (path.name, host)


def test_readers_pages_do_not_import_the_editors_language_tools():
    """spaCy and dateparser cost about a second of imports: only the editor's page may load them."""
    import subprocess
    import sys

    code = "import sys, dashboard.ui.pages.map; print('spacy' in sys.modules or 'dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
