#!/usr/bin/env bash
# Set up what the app needs to run: create .venv and install the pinned requirements.txt (only when it
# changed), Leaflet.Sync from the npm registry, and the local copies of Leaflet into static/vendor/.
# The test tools (pytest, Playwright, ruff, axe-core) are installed by scripts/setup-test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
# The datapakke (PDF, WeasyPrint) needs Debian's Pango and a font; poppler-utils reads PDFs in the tests.
# Installed here when run as root with apt-get; otherwise named, and the rest of the project works without them.
pdf_missing=""
ldconfig -p 2>/dev/null | grep 'libpango-1.0.so' >/dev/null || pdf_missing="$pdf_missing libpango-1.0-0"
ldconfig -p 2>/dev/null | grep 'libpangoft2-1.0.so' >/dev/null || pdf_missing="$pdf_missing libpangoft2-1.0-0"
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || pdf_missing="$pdf_missing fonts-dejavu-core"
command -v pdftotext >/dev/null 2>&1 || pdf_missing="$pdf_missing poppler-utils"
if [ -n "$pdf_missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pdf_missing
  else
    echo "note: the PDF datapakke needs the Debian packages:$pdf_missing (apt-get install$pdf_missing)" >&2
  fi
fi
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
