#!/usr/bin/env bash
# Set up (first time) and start Klyngekort on http://localhost:8501 — no internet needed at run time.
#
#   bash scripts/start.sh [--dev] [STREAMLIT OPTIONS…]
#
# Production settings come from .streamlit/config.toml (no file watcher, no run-on-save, uploads at
# most 2 MB, garbage collection that skips the frozen bundle). --dev gives development its reload back
# (file watcher on, rerun on save). It listens on localhost only unless you pass --server.address
# (e.g. --server.address 0.0.0.0 for every interface); other options go to `streamlit run`.
set -euo pipefail
cd "$(dirname "$0")/.."
dev=0
args=()
for a in "$@"; do
  if [ "$a" = "--dev" ]; then dev=1; else args+=("$a"); fi
done
bash scripts/setup.sh
.venv/bin/python -m geo check
port=8501
address=""
for i in "${!args[@]}"; do
  case "${args[$i]}" in
    --server.port=*) port="${args[$i]#*=}" ;;
    --server.port) port="${args[$((i + 1))]:-$port}" ;;
    --server.address=*) address="${args[$i]#*=}" ;;
    --server.address) address="${args[$((i + 1))]:-}" ;;
  esac
done
extra=()
if [ -z "$address" ]; then
  extra+=(--server.address localhost)
  address=localhost
fi
if [ "$dev" = 1 ]; then
  extra+=(--server.fileWatcherType auto --server.runOnSave true)
  echo "Klyngekort (development: reloads when a file changes)"
fi
shown="$address"
case "$address" in 0.0.0.0|::|"[::]") shown="localhost"; echo "listening on every network interface ($address)" ;; esac
echo "Klyngekort: http://${shown}:${port} (Ctrl-C stops it)"
# Streamlit runs each session in its own thread: two malloc arenas instead of glibc's 8 per core keep
# the memory sessions free from staying spread over many arenas (see bench/bench_reach.py).
MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" exec .venv/bin/python -m streamlit run app.py "${extra[@]}" "${args[@]}"
