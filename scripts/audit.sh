#!/usr/bin/env bash
# Vulnerability audit of the pinned runtime and test dependencies (pip-audit).
# Fails on a known vulnerability that is not explained in audit-exceptions.txt; reports
# "skipped" (exit 0) when no advisory source (PyPI's JSON API or OSV) can be reached, as on
# machines that see only a package mirror.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-audit/bin/pip-audit ]; then
  python3 -m venv .venv-audit && .venv-audit/bin/pip install --quiet --disable-pip-version-check pip-audit==2.10.1 \
    || { echo "audit: skipped (pip-audit could not be installed)"; exit 0; }
fi
ignores=()
if [ -f audit-exceptions.txt ]; then
  while read -r id _; do [[ -n "$id" && "$id" != \#* ]] && ignores+=(--ignore-vuln "$id"); done < audit-exceptions.txt
fi
status=0
for lock in requirements.lock requirements-test.lock; do
  out=$(timeout 300 .venv-audit/bin/pip-audit --disable-pip --require-hashes -r "$lock" --progress-spinner off \
        "${ignores[@]}" 2>&1); rc=$?
  total=$(grep -cE '^[A-Za-z0-9_.-]+==' "$lock")
  unaudited=$(grep -c "could not be audited" <<<"$out")
  if grep -qE "ConnectionError|NameResolutionError|Max retries" <<<"$out" || [ "$unaudited" -ge "$total" ]; then
    echo "audit: $lock skipped: no advisory source reachable from this machine"
  elif [ $rc -ne 0 ]; then
    echo "$out"; echo "audit: $lock has known vulnerabilities (see above)"; status=1
  else
    echo "audit: $lock: no known vulnerabilities ($unaudited of $total packages not found in the advisory source)"
  fi
done
exit $status
