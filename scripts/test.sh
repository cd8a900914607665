#!/usr/bin/env bash
# Set up for testing (first time: scripts/setup-test.sh) and run the linter and the whole test suite. Browser tests need Chromium
# (Debian package `chromium`); without it they are skipped with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test.sh
.venv/bin/python -m ruff check .
.venv/bin/python -m pytest "$@"
