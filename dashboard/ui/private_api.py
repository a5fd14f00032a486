"""Every use of a non-public function of Streamlit or streamlit-folium, in one place.

The app otherwise keeps to public APIs. What is here has no public equivalent on the pinned
versions, and each use says why:

- the map component's pieces (streamlit-folium's own rendering helpers): rendering the base map,
  the dated groups and the layer control separately, each cached, is what keeps a rerun from
  re-rendering the whole map (`ui/map_widget.py`);
- registering that component from the warm-up thread (Streamlit registers it on first import
  inside a script run only);
- the warm-up's emoji table (Streamlit compiles it on the first `set_page_config`);
- in the map's frame, streamlit-folium's frontend globals (`window.__GLOBAL_DATA__`,
  `window.Streamlit`): the map writes its layers and date into the component's report, and sends
  its first-paint report and a date step's report sooner than the component's 250 ms debounce
  (`static/map/time.js`, `Time.prototype.flush`; browser tests in test_first_view_browser.py and
  test_map_time_browser.py fail if that stops working);
- whether a reader's script is running (the pre-render yields to it) and how many files a
  session holds (the upload guard).

`SUPPORTED` names the versions these were checked against; `tests/test_private_api.py` fails on
any other installed version, and on any other module reaching into either library's internals.
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

import streamlit_folium as _sf
from streamlit import string_util as _string_util
from streamlit.runtime.scriptrunner import RerunException, StopException

__all__ = ["SUPPORTED", "RerunException", "StopException", "unsupported_versions"]

#: Distribution -> versions whose internals this module was checked against.
SUPPORTED = {"streamlit": ("1.67.0",), "streamlit-folium": ("0.27.4",)}


def unsupported_versions() -> list[str]:
    """'name version' of each installed distribution this module was not checked against."""
    out = []
    for name, versions in SUPPORTED.items():
        installed = importlib.metadata.version(name)
        if installed not in versions:
            out.append(f"{name} {installed}")
    return out


# ------------------------------------------------------------------ streamlit-folium's helpers
def map_html(m: Any) -> str:
    return _sf._get_html(m)


def map_header(m: Any) -> str:
    return _sf._get_header(m)


def map_script(m: Any) -> str:
    return _sf._get_map_string(m)


def map_id(m: Any) -> str:
    return _sf.get_full_id(m)


def element_script(element: Any, base_id: str) -> str:
    return _sf.generate_leaflet_string(element, base_id=base_id)


def layer_control_script(control: Any, m: Any) -> str:
    return _sf._get_layer_control_string(control, m)


def component_key(script: str, key: str) -> str:
    return _sf.generate_js_hash(script, key, False)


def call_map_component(**kwargs: Any) -> Any:
    """The component `st_folium` calls, with the arguments it would pass."""
    register_map_component()
    return _sf._component_func(**kwargs)


def register_map_component() -> None:
    """Streamlit registers a component only when its module is first imported inside a script
    run; the server's warm-up imports it earlier, in its own thread, so register it here."""
    from streamlit import runtime

    if not runtime.exists():
        return
    registry = runtime.get_instance().component_registry
    if registry.get_component_path(_sf._component_func.name) is None:
        registry.register_component(_sf._component_func)


# ------------------------------------------------------------------ Streamlit's runtime
def warm_emoji_table(icon: str) -> None:
    """Compile Streamlit's emoji table now (its first `set_page_config` would: 0.2-0.3 s)."""
    _string_util.is_emoji(icon)


def readers_running() -> bool:
    """Whether some session's script is running now; False whenever that cannot be read."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.app_session import AppSessionState

        sessions = Runtime.instance()._session_mgr.list_active_sessions()
        return any(info.session._state == AppSessionState.APP_IS_RUNNING for info in sessions)
    except (ImportError, AttributeError, RuntimeError):  # no runtime (tests), or another version
        return False


def _uploads() -> dict[str, Any] | None:
    try:
        from streamlit.runtime import Runtime

        return getattr(Runtime.instance().uploaded_file_mgr, "file_storage", {})
    except Exception:  # noqa: BLE001 - no runtime (tests), or another file manager: no count
        return None


def session_uploads(session_id: str) -> dict[str, Any] | None:
    """The files Streamlit holds for a session (None when there is no runtime to ask)."""
    held = _uploads()
    return None if held is None else (held.get(session_id) or {})


def uploads_total() -> int:
    """The files Streamlit holds for all sessions together (0 when there is no runtime to ask)."""
    held = _uploads()
    return sum(len(files or {}) for files in list((held or {}).values()))
