#!/usr/bin/env bash
# Set up (first time) and run the speed benchmark; prints a table of figures and ratios, and the
# machine's load during the run. Before/after against another tree: .venv/bin/python -m bench.ab --old DIR
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh bench
exec .venv/bin/python -m bench.bench "$@"
