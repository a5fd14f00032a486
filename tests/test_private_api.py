"""The app's uses of Streamlit's and streamlit-folium's internals stay in `ui/private_api.py`, and
run only on versions they were checked against."""

import ast
import importlib.metadata
from pathlib import Path

import pytest

from dashboard.ui import private_api

PACKAGE = Path(__file__).resolve().parents[1] / "dashboard"
#: Public modules of Streamlit the app may import besides `streamlit` itself: the container type
#: `st.container()` returns, named in type hints.
PUBLIC = {"streamlit", "streamlit.delta_generator"}
ADAPTER = PACKAGE / "ui" / "private_api.py"


def imported_modules(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from streamlit import config` reaches a module as much as `import streamlit.config`
            out |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names
                                    if node.module == "streamlit" and alias.name != "st"}
    return out


def reaches_internals(modules: set[str]) -> set[str]:
    return {m for m in modules if (m.startswith("streamlit.") or m == "streamlit_folium"
                                   or m.startswith("streamlit_folium.")) and m not in PUBLIC}


def test_only_the_adapter_reaches_into_either_library():
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        if path == ADAPTER:
            continue
        found = reaches_internals(imported_modules(path))
        if found:
            offenders[str(path.relative_to(PACKAGE))] = sorted(found)
    assert offenders == {}


def test_the_scan_finds_each_way_of_reaching_in(tmp_path):
    """The scan above would miss nothing it is meant to catch (else it could never fail)."""
    cases = {"import streamlit_folium as sf": {"streamlit_folium"},
             "from streamlit import config": {"streamlit.config"},
             "from streamlit.runtime import Runtime": {"streamlit.runtime"},
             "import streamlit.runtime.app_session": {"streamlit.runtime.app_session"},
             "import streamlit as st\nfrom streamlit.delta_generator import DeltaGenerator": set()}
    for code, expected in cases.items():
        file = tmp_path / "m.py"
        file.write_text(code + "\n", encoding="utf-8")
        assert reaches_internals(imported_modules(file)) == expected, code
    assert reaches_internals(imported_modules(ADAPTER)) >= {"streamlit_folium", "streamlit.string_util"}


def test_the_installed_versions_are_the_checked_ones():
    """An upgrade of either library must be checked (tests/test_map_component.py compares the
    adapter's pieces with `st_folium`'s output) and named in SUPPORTED before it runs."""
    assert private_api.unsupported_versions() == []


def test_an_unchecked_version_is_named(monkeypatch):
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "9.9.9" if name == "streamlit-folium" else real(name))
    assert private_api.unsupported_versions() == ["streamlit-folium 9.9.9"]


@pytest.mark.parametrize("name", ["_get_html", "_get_header", "_get_map_string", "get_full_id",
                                  "generate_leaflet_string", "_get_layer_control_string",
                                  "generate_js_hash", "_component_func"])
def test_the_helpers_the_adapter_calls_exist(name):
    import streamlit_folium

    assert callable(getattr(streamlit_folium, name))


def test_without_a_runtime_the_runtime_probes_say_so():
    assert private_api.readers_running() is False
    assert private_api.session_uploads("no-such-session") is None
