#!/usr/bin/env bash
# Create .venv and install the pinned requirements (only when requirements.txt changed).
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
# axe-core for the accessibility checks in the browser tests (npm registry; skipped without npm)
if command -v npm >/dev/null 2>&1 && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
