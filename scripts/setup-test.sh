#!/usr/bin/env bash
# Set up for testing: what the app needs (scripts/setup.sh), then the test tools: pytest, Playwright
# and ruff (requirements-test.txt, only when it or requirements.txt changed) and axe-core for the
# accessibility checks in the browser tests (npm registry, pinned in tests/browser/package-lock.json;
# skipped without npm). Used by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
stamp=.venv/.requirements-test.sha256
want=$(cat requirements.txt requirements-test.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet -r requirements-test.txt
  echo "$want" > "$stamp"
fi
if command -v npm >/dev/null 2>&1 && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
fi
