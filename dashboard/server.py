"""Process entry: `streamlit run dashboard/server.py` (README, Dockerfile, Community Cloud name it)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import streamlit as st

from dashboard.serving.main import MIDDLEWARE, PAGE_SCRIPT, lifespan

app = st.App(str(PAGE_SCRIPT), lifespan=lifespan, middleware=MIDDLEWARE)
