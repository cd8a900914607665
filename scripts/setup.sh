#!/usr/bin/env bash
# Set up what the app needs to run: create .venv and install the pinned requirements.txt (only when it
# changed), Leaflet.Sync from the npm registry, and the local copies of Leaflet into static/vendor/.
# The test tools (pytest, Playwright, ruff, axe-core) are installed by scripts/setup-test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$want" > "$stamp"
fi
# Leaflet.Sync (the transition page's side-by-side maps) from the npm registry, pinned in vendor/package-lock.json;
# without npm the app runs and that page says its maps do not move together
if command -v npm >/dev/null 2>&1 && [ ! -f vendor/node_modules/leaflet.sync/L.Map.Sync.js ]; then
  npm ci --prefix vendor --no-audit --no-fund --loglevel=error
fi
# Leaflet and Leaflet.Sync into static/vendor/ (served by the app; installed here so the app can run read-only)
.venv/bin/python -m geo.assets
