"""Streamlit page script: `streamlit run dashboard/app.py` (or through `dashboard/server.py`)."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:  # `streamlit run` adds only dashboard/; this file runs on every rerun
    sys.path.insert(0, ROOT)

from dashboard.ui.app import run  # noqa: E402  (needs the repo root on the path)

run()
