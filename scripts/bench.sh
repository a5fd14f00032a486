#!/usr/bin/env bash
# Set up (first time) and run the speed benchmark; prints a table of figures and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh bench
exec .venv/bin/python -m bench.bench "$@"
