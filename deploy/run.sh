#!/usr/bin/env bash
# Klyngekort for many planners: N Streamlit replicas behind nginx (gzip, WebSocket, sticky sessions),
# with the static atlas under /atlas/.
#
#   bash deploy/run.sh [N] [PORT]     start N replicas (default 2) and nginx on PORT (default $PORT or 8080);
#                                     runs in the foreground, Ctrl-C or SIGTERM stops everything; a replica
#                                     (or nginx) that dies is started again, with back-off and a limit
#   bash deploy/run.sh stop           stop a running instance (from another shell)
#
# Settings (environment): KLYNGEKORT_RUN run directory (default deploy/.run), KLYNGEKORT_ATLAS atlas
# directory (default RUN/site; built with `python -m geo site` when it has no index.html),
# KLYNGEKORT_STATIC pre-compressed front end (default deploy/.run/static-VERSION, made once),
# PYTHON (default .venv/bin/python), KLYNGEKORT_NGINX (default: nginx on PATH or /usr/sbin/nginx),
# KLYNGEKORT_MAX_RESTARTS quick failures in a row before a replica is left down (default 8),
# KLYNGEKORT_COOKIE_SECRET the replicas' shared cookie secret (default: random per run).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
RUN="${KLYNGEKORT_RUN:-$HERE/.run}"
PIDFILE="$RUN/run.pid"

if [ "${1:-}" = "stop" ]; then
  if [ ! -f "$PIDFILE" ]; then echo "deploy/run.sh: nothing to stop (no $PIDFILE)" >&2; exit 1; fi
  pid="$(cat "$PIDFILE")"
  if ! kill -0 "$pid" 2>/dev/null; then echo "deploy/run.sh: process $pid is gone; removing $PIDFILE"; rm -f "$PIDFILE"; exit 0; fi
  kill -TERM "$pid"
  # run.sh removes its pid file once every child has exited (its own process may linger as a zombie
  # until its parent reaps it, so kill -0 alone cannot tell).
  for _ in $(seq 1 150); do
    { [ ! -f "$PIDFILE" ] || ! kill -0 "$pid" 2>/dev/null; } && { echo "stopped"; exit 0; }
    sleep 0.2
  done
  echo "deploy/run.sh: process $pid did not stop within 30 s" >&2; exit 1
fi

N="${1:-2}"
PORT="${2:-${PORT:-8080}}"
case "$N" in ''|*[!0-9]*) echo "deploy/run.sh: N must be a whole number of replicas, got '$N'" >&2; exit 2;; esac
case "$PORT" in ''|*[!0-9]*) echo "deploy/run.sh: PORT must be a port number, got '$PORT'" >&2; exit 2;; esac
[ "$N" -ge 1 ] || { echo "deploy/run.sh: N must be at least 1" >&2; exit 2; }
PY="${PYTHON:-$ROOT/.venv/bin/python}"
NGINX="${KLYNGEKORT_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
[ -x "$NGINX" ] || { echo "deploy/run.sh: nginx not found at '$NGINX' (apt-get install nginx)" >&2; exit 2; }
[ -x "$PY" ] || { echo "deploy/run.sh: Python not found at '$PY' (bash scripts/setup.sh, or set PYTHON)" >&2; exit 2; }
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "deploy/run.sh: already running as process $(cat "$PIDFILE") (bash deploy/run.sh stop)" >&2; exit 2
fi
SITE="${KLYNGEKORT_ATLAS:-$RUN/site}"
mkdir -p "$RUN/logs" "$RUN/tmp"
echo $$ > "$PIDFILE"

pids=()
cleanup() {
  trap - INT TERM EXIT
  # nginx first (it closes the WebSockets), then the replicas; whatever is left after 10 s is killed.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$PIDFILE"
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

# Streamlit's front end, copied once per Streamlit version with a .gz beside every text file
# (nginx sends those as they are: no compression work per request).
ST_VERSION="$("$PY" -c 'import streamlit; print(streamlit.__version__)')"
STATIC="${KLYNGEKORT_STATIC:-$HERE/.run/static-$ST_VERSION}"
if [ ! -f "$STATIC/.complete" ]; then
  echo "pre-compressing Streamlit $ST_VERSION's front end into $STATIC …"
  mkdir -p "$(dirname "$STATIC")"
  tmp="$(mktemp -d "$STATIC.tmp.XXXXXX")"
  cp -R "$("$PY" -c 'import os, streamlit; print(os.path.join(os.path.dirname(streamlit.__file__), "static"))')" "$tmp/static"
  find "$tmp/static" -type f \( -name '*.js' -o -name '*.css' -o -name '*.json' -o -name '*.html' -o -name '*.svg' \
    -o -name '*.map' -o -name '*.txt' \) -size +512c -exec gzip -k -n -6 {} +
  touch "$tmp/static/.complete"
  if [ -f "$STATIC/.complete" ]; then rm -rf "$tmp"; else rm -rf "$STATIC"; mv "$tmp/static" "$STATIC"; rm -rf "$tmp"; fi
fi

# The atlas: reuse a built one, else build it (python -m geo site).
if [ ! -f "$SITE/index.html" ]; then
  if (cd "$ROOT" && "$PY" -m geo site --help >/dev/null 2>&1); then
    echo "building the atlas into $SITE …"
    (cd "$ROOT" && "$PY" -m geo site --out "$SITE")
  else
    echo "note: this checkout has no 'python -m geo site'; /atlas/ will answer 404" >&2
    mkdir -p "$SITE"
  fi
fi

# Leaflet is installed at setup time (scripts/setup.sh); do it here if this checkout skipped that.
if ! (cd "$ROOT" && "$PY" -c 'import sys; from geo import assets; sys.exit(1 if assets.missing(assets.LEAFLET_TARGET) else 0)'); then
  (cd "$ROOT" && "$PY" -m geo.assets)
fi

# Replicas on free local ports.
read -r -a ports <<< "$("$PY" -c "
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(('127.0.0.1', 0))
print(' '.join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()" "$N")"
# Settings every replica gets, whatever the configuration file says: production (no file watcher,
# no run-on-save; .streamlit/config.toml sets the same), local address only, WebSocket compression.
# MALLOC_ARENA_MAX: Streamlit runs every session in its own thread; glibc's default of up to
# 8 malloc arenas per core keeps freed session memory spread over many arenas.
# WebSocket compression: the map's HTML and the tables travel over the WebSocket, which nginx
# cannot compress (permessage-deflate is negotiated end to end, through the proxy).
# The cookie secret is shared so that every replica accepts the XSRF cookie another one set (a
# browser moved to another replica after a crash can still upload).
SECRET="${KLYNGEKORT_COOKIE_SECRET:-$("$PY" -c 'import secrets; print(secrets.token_hex(32))')}"
start_replica() {  # $1: index (0-based)
  local i="$1"
  echo "$(date -u +%FT%TZ) starting replica r$((i + 1)) on port ${ports[$i]}" >>"$RUN/logs/replica-r$((i + 1)).log"
  (cd "$ROOT" && exec env MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" STREAMLIT_SERVER_COOKIE_SECRET="$SECRET" "$PY" -m streamlit run app.py \
      --server.port "${ports[$i]}" --server.address 127.0.0.1 --server.headless true \
      --server.fileWatcherType none --server.runOnSave false \
      --server.enableWebsocketCompression true >>"$RUN/logs/replica-r$((i + 1)).log" 2>&1) &
  pids[$i]=$!
  started[$i]=$SECONDS
}
start_nginx() {
  env -u NGINX "$NGINX" -p "$RUN" -e "$RUN/logs/error.log" -c "$RUN/nginx.conf" &
  pids[$N]=$!
  started[$N]=$SECONDS
}
name_of() { if [ "$1" -eq "$N" ]; then echo nginx; else echo "replica r$(($1 + 1))"; fi; }
started=()
for i in "${!ports[@]}"; do start_replica "$i"; done
for i in "${!ports[@]}"; do
  for _ in $(seq 1 240); do
    "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" \
      "http://127.0.0.1:${ports[$i]}/_stcore/health" 2>/dev/null && break
    kill -0 "${pids[$i]}" 2>/dev/null || { echo "deploy/run.sh: replica r$((i + 1)) exited; see $RUN/logs/replica-r$((i + 1)).log" >&2; exit 1; }
    sleep 0.5
  done
done

ports_csv="$(IFS=,; echo "${ports[*]}")"
"$PY" "$HERE/render.py" --run "$RUN" --port "$PORT" --replicas "$ports_csv" --static "$STATIC" --site "$SITE" \
  > "$RUN/nginx.conf"
env -u NGINX "$NGINX" -t -q -p "$RUN" -e "$RUN/logs/error.log" -c "$RUN/nginx.conf"
start_nginx
for _ in $(seq 1 50); do
  "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" \
    "http://127.0.0.1:$PORT/_stcore/health" 2>/dev/null && break
  if ! kill -0 "${pids[$N]}" 2>/dev/null; then
    echo "deploy/run.sh: nginx did not start (port $PORT taken?):" >&2; tail -n 5 "$RUN/logs/error.log" >&2; exit 1
  fi
  sleep 0.2
done

echo "Klyngekort: http://127.0.0.1:$PORT/  (atlas: http://127.0.0.1:$PORT/atlas/)"
echo "replicas: ${ports[*]}  run directory: $RUN  stop: Ctrl-C or bash deploy/run.sh stop"

# Supervise: a replica (or nginx) that exits is started again on its port, after a back-off that
# doubles with each quick failure (1, 2, 4, 8, 16, then 30 s); one that ran for RESET_S seconds
# starts over at 1 s. After MAX_RESTARTS quick failures in a row it is left down (nginx sends its
# visitors to the others) and the log says so. Nothing else stops: only TERM or INT (the operator:
# Ctrl-C, kill, deploy/run.sh stop) stops everything.
MAX_RESTARTS="${KLYNGEKORT_MAX_RESTARTS:-8}"
RESET_S=60
fails=(); due=(); given_up=()
for i in $(seq 0 "$N"); do fails[$i]=0; due[$i]=-1; given_up[$i]=0; done
while :; do
  for i in $(seq 0 "$N"); do
    [ "${given_up[$i]}" = 1 ] && continue
    if [ "${due[$i]}" -ge 0 ]; then
      if [ "$SECONDS" -ge "${due[$i]}" ]; then
        due[$i]=-1
        if [ "$i" -eq "$N" ]; then start_nginx; else start_replica "$i"; fi
        echo "deploy/run.sh: $(name_of "$i") started again (restart ${fails[$i]})" >&2
      fi
      continue
    fi
    kill -0 "${pids[$i]}" 2>/dev/null && continue
    wait "${pids[$i]}" 2>/dev/null && status=0 || status=$?
    if [ $((SECONDS - started[$i])) -ge "$RESET_S" ]; then fails[$i]=0; fi
    fails[$i]=$((fails[$i] + 1))
    if [ "${fails[$i]}" -gt "$MAX_RESTARTS" ]; then
      given_up[$i]=1
      echo "deploy/run.sh: $(name_of "$i") exited (status $status) ${MAX_RESTARTS} times in a row soon after" \
        "starting; left down (the others keep serving). See $RUN/logs/." >&2
      continue
    fi
    delay=$((1 << (fails[$i] - 1)))
    [ "$delay" -gt 30 ] && delay=30
    due[$i]=$((SECONDS + delay))
    echo "deploy/run.sh: $(name_of "$i") exited (status $status); starting it again in ${delay} s" >&2
  done
  # An interruptible pause: the TERM/INT traps run as soon as a signal arrives.
  sleep 0.5 &
  wait $! 2>/dev/null || true
done
