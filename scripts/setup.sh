#!/usr/bin/env bash
# Create .venv and install the pinned, hash-checked dependencies.
#   scripts/setup.sh          runtime only (requirements.lock)
#   scripts/setup.sh test     runtime + test tools (requirements-test.lock) + Debian's chromium and nginx
#   scripts/setup.sh bench    as test, plus what the benchmark's explore() baseline needs
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "setup: need root for: $*" >&2; return 1; fi; }
apt_install() { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

if ! "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "setup: Python 3.11+ is required (found: $("$PY" --version 2>&1))" >&2; exit 1
fi
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "setup: installing Debian's python3-venv" >&2
  apt_install python3-venv
fi
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
lock=requirements.lock
[ "${1:-}" = test ] && lock=requirements-test.lock
[ "${1:-}" = bench ] && lock=requirements-bench.lock
stamp=".venv/.installed-$(sha256sum "$lock" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
  touch "$stamp"
fi
if [ -n "${1:-}" ] && ! command -v chromium >/dev/null; then
  echo "setup: installing Debian's chromium for the browser tests" >&2
  apt_install chromium
fi
if [ -n "${1:-}" ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "setup: installing Debian's nginx for the scale-out browser test (its service is not started)" >&2
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    own_policy=1
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  fi
  status=0
  apt_install nginx || status=$?
  if [ -n "$own_policy" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  [ "$status" = 0 ]
fi
