#!/usr/bin/env bash
# Set up (first time) and start Klyngekort on http://localhost:8501 — no internet needed at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m geo check
# Streamlit runs each session in its own thread: two malloc arenas instead of glibc's 8 per core keep
# the memory sessions free from staying spread over many arenas (see bench/bench_reach.py).
port=8501
args=("$@")
for i in "${!args[@]}"; do
  case "${args[$i]}" in
    --server.port=*) port="${args[$i]#*=}" ;;
    --server.port) port="${args[$((i + 1))]:-$port}" ;;
  esac
done
echo "Klyngekort: http://localhost:${port} (Ctrl-C stops it)"
MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" exec .venv/bin/python -m streamlit run app.py "$@"
