#!/usr/bin/env bash
# Create .venv and install exactly the locked, hash-checked set, resolving nothing.
#   scripts/setup.sh          runtime only (requirements.lock)
#   scripts/setup.sh test     runtime + test tools (requirements-test.lock) + Debian's chromium and nginx
#   scripts/setup.sh bench    as test, plus what the benchmark's explore() baseline needs
#
# Why --no-deps: each lock already lists every distribution the app needs, direct and indirect,
# extras included, each with its hashes. With --no-deps pip installs those files and nothing
# else; without it, the pip that `python -m venv` bundles resolves some requirements again
# (extras such as smart-open[http]) and may pick whatever the registry holds that day. What
# --no-deps gives up (a check that the set is complete) comes back after the install:
# scripts/check_lock.py fails, naming the package, when an installed distribution needs one the
# lock lacks or pins at a version that does not fit, and `pip check` runs as a second opinion.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
say() { echo "setup: $*" >&2; }
fail() { echo "setup: $1" >&2; [ -n "${2:-}" ] && echo "setup: $2" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  fail "need root for: $*" "run this script as root or install sudo"; fi; }
apt_install() { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }

if ! "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  fail "Python 3.11+ is required (found: $("$PY" --version 2>&1))" "install python3.11 or newer, or set PYTHON=/path/to/python3.11"
fi
if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  say "installing Debian's python3-venv"
  apt_install python3-venv || fail "could not install python3-venv" "run: apt-get update && apt-get install python3-venv"
fi
if [ ! -x .venv/bin/python ]; then
  say "creating the environment in .venv (first run only)"
  "$PY" -m venv .venv || fail "could not create .venv" "remove the .venv folder and run this again"
fi
lock=requirements.lock
[ "${1:-}" = test ] && lock=requirements-test.lock
[ "${1:-}" = bench ] && lock=requirements-bench.lock
stamp=".venv/.installed-$(sha256sum "$lock" scripts/check_lock.py | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  count=$(grep -cE '^[A-Za-z0-9_.-]+==' "$lock")
  say "installing $count pinned packages from $lock (hash-checked, nothing resolved; first run only, a few minutes)"
  log=.venv/install.log
  if ! .venv/bin/python -m pip install --no-deps --require-hashes --disable-pip-version-check \
        --no-input -r "$lock" >"$log" 2>&1; then
    tail -n 3 "$log" >&2
    fail "installing $lock failed (full log: $log)" "check the network to the package registry, then run this again"
  fi
  .venv/bin/python scripts/check_lock.py "$lock" \
    || fail "$lock is incomplete (see above)" "add the named packages to the lock with their hashes"
  .venv/bin/python -m pip check --disable-pip-version-check >"$log.check" 2>&1 \
    || { cat "$log.check" >&2; fail "pip check found a conflict in the installed set" "fix the lock, then run this again"; }
  rm -f .venv/.installed-*
  touch "$stamp"
  say "installed $count packages"
fi
if [ -n "${1:-}" ] && ! command -v chromium >/dev/null; then
  say "installing Debian's chromium for the browser tests"
  apt_install chromium || fail "could not install chromium" "run: apt-get update && apt-get install chromium"
fi
if [ -n "${1:-}" ] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  say "installing Debian's nginx for the scale-out browser test (its service is not started)"
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    own_policy=1
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  fi
  status=0
  apt_install nginx || status=$?
  if [ -n "$own_policy" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  [ "$status" = 0 ] || fail "could not install nginx" "run: apt-get update && apt-get install nginx"
fi
