#!/bin/sh
# Bring the served data up to date without touching a serving replica.
#
# Runs in the app's image (it has `python -m dashboard.update` and `python -m dashboard.check`)
# with the shared data volume at $DATA_ROOT (default /data). Copies the data now served (or, the
# first time, the image's own geodata/) into a new release folder, updates and checks that copy,
# then points $DATA_ROOT/current at it in one rename. Replicas keep serving what they loaded at
# start; they pick the new release up when restarted (k8s: `kubectl rollout restart`, which the
# CronJob does next; compose: see deploy/README.md). The three newest releases are kept.
set -eu
root=${DATA_ROOT:-/data}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$root/releases"
if [ -e "$root/current" ]; then src="$root/current"; else src=/app/geodata; fi
work="$root/releases/.$stamp.partial"
rm -rf "$work"
cp -R "$src/." "$work/"
# dashboard.update reads and writes the data folder the app would use (SITUATION_MAP_DATA)
SITUATION_MAP_DATA="$work" python -m dashboard.update
python -m dashboard.check "$work"
mv "$work" "$root/releases/$stamp"
ln -s "releases/$stamp" "$root/.current.new"
mv -T "$root/.current.new" "$root/current"   # atomic switch
echo "update-data: $root/current -> releases/$stamp"
# keep the three newest releases (names sort by time)
ls -1 "$root/releases" | grep -v '^\.' | sort | head -n -3 | while read -r old; do rm -rf "$root/releases/$old"; done
