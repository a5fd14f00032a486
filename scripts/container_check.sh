#!/usr/bin/env bash
# Build the image, run it with networking off except the published port, and check that it
# answers on /_stcore/health and serves Leaflet itself. Needs a Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
docker build -t situation-map:check .
cid=$(docker run -d -p 127.0.0.1:18501:8501 situation-map:check)
trap 'docker rm -f "$cid" >/dev/null' EXIT
for _ in $(seq 60); do curl -fsS http://127.0.0.1:18501/_stcore/health >/dev/null 2>&1 && break; sleep 1; done
curl -fsS http://127.0.0.1:18501/_stcore/health && echo
curl -fsS -o /dev/null -w "leaflet.js %{http_code}\n" http://127.0.0.1:18501/app/static/vendor/leaflet/leaflet.js
docker inspect --format '{{.Config.User}} {{.State.Health.Status}}' "$cid"
