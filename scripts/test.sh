#!/usr/bin/env bash
# Set up (first time) and run the whole test suite: lint, data check, unit, AppTest and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check dashboard scripts tests bench
.venv/bin/python -m dashboard.check geodata
bash scripts/audit.sh 2>/dev/null
# pytest exits 5 when it collects nothing; that must fail too (set -e does it).
exec .venv/bin/python -m pytest "$@"
