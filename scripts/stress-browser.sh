#!/usr/bin/env bash
# Run every browser test (pytest -m browser: app, scenarios, first deep link, atlas, nginx front)
# 3 times in a row while a busy loop runs on every core: a test that passes only on an idle machine
# is a flaky test. Exits non-zero if any run fails.
# Extra arguments go to pytest (e.g. -k hostile). Set RUNS to change the number of runs.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
busy=()
stop_busy() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_busy EXIT
trap 'exit 130' INT TERM   # stop at once (the EXIT trap ends the busy loops), not with the next run
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  busy+=($!)
done
echo "busy loops on $(nproc) cores: ${busy[*]}"
failed=0
for run in $(seq "$runs"); do
  echo "=== browser tests, run $run of $runs (loaded machine) ==="
  if ! .venv/bin/python -m pytest tests -m browser -q -p no:cacheprovider "$@"; then
    failed=$((failed + 1))
  fi
done
echo "=== $failed of $runs runs failed ==="
[ "$failed" -eq 0 ]
