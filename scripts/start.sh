#!/usr/bin/env bash
# Set up (first time) and start Klyngekort on http://localhost:8501 — no internet needed at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m geo check
exec .venv/bin/python -m streamlit run app.py "$@"
