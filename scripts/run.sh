#!/usr/bin/env bash
# Set up (first time) and serve the dashboard on the shipped geodata/ at http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run dashboard/server.py --server.port "${PORT:-8501}" "$@"
