#!/usr/bin/env bash
# Set up (first time) and serve the dashboard on the shipped geodata/ at http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
port=${PORT:-8501}
echo "run: starting the dashboard on port $port (the first start reads the data: a few seconds)" >&2
# Say where to go once the server answers, not before (Streamlit prints its URL before it is ready).
( for _ in $(seq 1 180); do
    if .venv/bin/python -c "import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)" \
         "http://127.0.0.1:$port/_stcore/health" 2>/dev/null; then
      echo "run: ready: open http://localhost:$port in a browser (Ctrl+C stops the server)" >&2; exit 0
    fi
    sleep 1
  done
  echo "run: the server did not answer on port $port within 3 minutes: see the messages above" \
       "(a port in use? set PORT=8502)" >&2 ) &
exec .venv/bin/streamlit run dashboard/server.py --server.port "$port" "$@"
