# shellcheck shell=bash
# Server lifecycle for the side-by-side SSE benchmark (bench/compare.sh): start one server at a
# time, fresh, on a loopback port, wait until it answers, and stop it leaving nothing behind.
#
#   source bench/lib/servers.sh
#   trap stop_all EXIT
#   build_all                      # Release builds of Herald and bench/Herald.Baseline
#   start_nchan 18080              # or: start_baseline 18081 / start_herald 18082 [serve flags]
#   ... drive "$SUB_URL_TEMPLATE" / "$PUB_URL_TEMPLATE" ...
#   stop_server
#
# One server is current at a time; set_aside_server leaves it running beside the next (a
# cluster: start_redis, then start_herald PORT --redis "$REDIS_URL" for each node; stop_all).
#
# Call the start functions directly, not in $(...) or a pipeline: the server must be a child of
# the calling shell, and the variables they set must land there. Being a background job of that
# shell, the server is waited for by a bare `wait`: wait for your own pids instead.
#
# A start sets and exports, for the server it started:
#   SERVER_NAME        nchan | baseline | herald | redis
#   SERVER_PID         the server's pid (nginx: the master's)
#   SERVER_PORT        the port it listens on, on 127.0.0.1
#   SERVER_DIR         its fresh temp directory (config, logs, data), removed by stop_server
#   SERVER_LOG         its stdout and stderr (nginx: stderr only; see SERVER_ERROR_LOG)
#   SERVER_ERROR_LOG   nginx's error log (nchan); the same as SERVER_LOG for the others
#   SUB_URL_TEMPLATE   subscribe URL, with {topic} for the topic (URL-encode it first)
#   H2C_SUB_URL_TEMPLATE  nchan, baseline: the subscribe URL on PORT+1, cleartext HTTP/2 (h2c)
#   PUB_URL_TEMPLATE   publish URL, with {topic} where the topic goes in the URL (not for herald)
#   PUB_FORMAT         raw: POST the data as the body to PUB_URL_TEMPLATE with {topic} filled in,
#                      with a Content-Type that is not a form (text/plain): given curl -d's
#                      default application/x-www-form-urlencoded the baseline reads form fields
#                      and answers 400 "missing topic"
#                      mercure: POST form fields topic=T&data=D to PUB_URL_TEMPLATE, with
#                      "Authorization: Bearer $PUB_TOKEN"
#   PUB_TOKEN          herald only (empty otherwise): a publisher JWT for every topic
#
# Subscribers must send "Accept: text/event-stream": nchan answers 403 without it.
# Capacity: every server gets the hard open-files limit (20,000 here), one descriptor per
# subscriber, so Herald and the baseline (one process) hold at most about 19,900 subscribers and
# nchan about NCHAN_WORKERS x 19,500. A load generator on one source address also runs out of
# ephemeral ports (net.ipv4.ip_local_port_range) near 28,000 connections to one server port.
#
# Settings (environment, read at each call):
#   SERVER_START_TIMEOUT  seconds to wait for a server to answer (default 30)
#   SERVER_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 10)
#   NCHAN_WORKERS         nginx worker_processes (default 2)
#   HERALD_KEY            Herald's HMAC key; generated (and exported) when unset
#   SERVER_KEEP_DIR=1     stop_server leaves SERVER_DIR in place (to read the logs)

_SRV_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRV_BENCH_DIR=$(cd "$_SRV_LIB_DIR/.." && pwd)
SRV_REPO_DIR=$(cd "$SRV_BENCH_DIR/.." && pwd)
SRV_HERALD_DLL="$SRV_REPO_DIR/src/Herald.Server/bin/Release/net10.0/herald.dll"
SRV_BASELINE_DLL="$SRV_REPO_DIR/bench/Herald.Baseline/bin/Release/net10.0/Herald.Baseline.dll"
SRV_NCHAN_TEMPLATE="$SRV_BENCH_DIR/nchan/nginx.conf.template"

# Every server this shell started and has not stopped yet, as "pid dir", for stop_all.
_SRV_STARTED=()

_srv_say() { echo "servers.sh: $*" >&2; }

# True while the process exists and is not a zombie (a dead child not yet reaped still
# answers kill -0).
_srv_alive() {
  local pid=$1 stat state
  [[ -n "$pid" && -r "/proc/$pid/stat" ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) }
  state=${state%% *}
  [[ "$state" != Z && "$state" != X ]]
}

# The pids of every descendant of a process (nginx's workers), deepest last.
_srv_descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$child"
    _srv_descendants "$child"
  done
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
_srv_port_busy() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# The HTTP status of a GET, or 000 when nothing answered.
_srv_http_code() {
  curl --noproxy '*' -s -o /dev/null --max-time 2 -w '%{http_code}' "$1" 2>/dev/null || true
}

_srv_check_port() {
  local port=$1
  if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    _srv_say "invalid port '$port'"
    return 1
  fi
  if _srv_port_busy "$port"; then
    _srv_say "port $port on 127.0.0.1 is already in use"
    return 1
  fi
}

# Refuses to start a second server while one is current (they would share the machine).
_srv_begin() {
  local name=$1 port=$2
  if [[ -n "${SERVER_PID:-}" ]] && _srv_alive "$SERVER_PID"; then
    _srv_say "start_$name: ${SERVER_NAME:-a server} (pid $SERVER_PID) is still running; stop_server first"
    return 1
  fi
  _srv_check_port "$port" || return 1
  SERVER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/herald-bench-$name.XXXXXX") || return 1
  SERVER_NAME=$name
  SERVER_PORT=$port
  SERVER_PID=
  SERVER_LOG="$SERVER_DIR/server.log"
  SERVER_ERROR_LOG="$SERVER_LOG"
  SUB_URL_TEMPLATE=
  PUB_URL_TEMPLATE=
  PUB_FORMAT=
  PUB_TOKEN=
  export SERVER_NAME SERVER_PORT SERVER_PID SERVER_DIR SERVER_LOG SERVER_ERROR_LOG
  export SUB_URL_TEMPLATE PUB_URL_TEMPLATE PUB_FORMAT PUB_TOKEN
}

# Runs a command in the background as a child of this shell, with the open-files limit raised to
# the hard cap, stdin from /dev/null and stdout and stderr to SERVER_LOG. Sets SERVER_PID (the
# subshell execs the command, so $! is the server itself).
_srv_launch() {
  (
    ulimit -n "$(ulimit -Hn)" || exit 111
    exec "$@"
  ) </dev/null >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  export SERVER_PID
  _SRV_STARTED+=("$SERVER_PID $SERVER_DIR")
}

# Waits until URL answers with any HTTP status and, when given, LINE appears in SERVER_LOG.
# On failure (the server died or the time ran out) prints the log's end, stops the server and
# returns 1.
_srv_wait_ready() {
  _srv_wait_for "$1" _srv_http_ready "$1" "${2:-}"
}

# True when URL answers with any HTTP status and, when LINE is not empty, LINE is in SERVER_LOG.
_srv_http_ready() {
  local url=$1 line=$2
  [[ "$(_srv_http_code "$url")" != 000 ]] && { [[ -z "$line" ]] || grep -qF -- "$line" "$SERVER_LOG"; }
}

# _srv_wait_for WHERE CHECK...: waits until the command CHECK succeeds, as _srv_wait_ready does
# (WHERE names what is asked, in messages).
_srv_wait_for() {
  local where=$1 timeout=${SERVER_START_TIMEOUT:-30} code
  shift
  local deadline=$((SECONDS + timeout))
  while :; do
    if ! _srv_alive "$SERVER_PID"; then
      wait "$SERVER_PID" 2>/dev/null && code=0 || code=$?
      _srv_say "$SERVER_NAME exited (status $code) before answering on $where"
      _srv_dump_logs
      stop_server
      return 1
    fi
    if "$@"; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      _srv_say "$SERVER_NAME (pid $SERVER_PID) did not answer on $where within ${timeout}s"
      _srv_dump_logs
      stop_server
      return 1
    fi
    sleep 0.1
  done
}

_srv_dump_logs() {
  local file
  for file in "$SERVER_LOG" "$SERVER_ERROR_LOG"; do
    [[ -s "$file" ]] || continue
    if (($(wc -l <"$file") <= 40)); then
      _srv_say "--- $file"
      cat "$file" >&2 || true
    else
      _srv_say "--- $file (first and last lines)"
      head -n 10 "$file" >&2 || true
      echo "..." >&2
      tail -n 20 "$file" >&2 || true
    fi
    [[ "$SERVER_ERROR_LOG" != "$SERVER_LOG" ]] || break
  done
}

# ----------------------------------------------------------------------------------------------
# Building

# Release builds of the Herald CLI and the baseline; quiet, with the output shown on failure.
build_all() {
  local project out
  out=$(mktemp) || return 1
  for project in "$SRV_REPO_DIR/src/Herald.Server/Herald.Server.csproj" "$SRV_REPO_DIR/bench/Herald.Baseline/Herald.Baseline.csproj"; do
    if ! dotnet build "$project" -c Release -nologo -v q >"$out" 2>&1; then
      _srv_say "build_all: dotnet build of $project failed:"
      cat "$out" >&2
      rm -f "$out"
      return 1
    fi
  done
  rm -f "$out"
}

# ----------------------------------------------------------------------------------------------
# nginx + nchan

# The absolute path of the nchan module: Debian's package puts it in /usr/lib/nginx/modules
# (/usr/share/nginx/modules links there). Absolute, because with -p a relative load_module
# path would resolve inside the temp prefix.
nchan_module_path() {
  local candidate conf
  for candidate in /usr/lib/nginx/modules/ngx_nchan_module.so /usr/share/nginx/modules/ngx_nchan_module.so; do
    if [[ -f "$candidate" ]]; then
      echo "$candidate"
      return 0
    fi
  done
  # Otherwise whatever Debian's modules-available snippet names, relative to nginx's prefix.
  for conf in /usr/share/nginx/modules-available/mod-nchan.conf /etc/nginx/modules-enabled/*nchan*.conf; do
    [[ -f "$conf" ]] || continue
    candidate=$(sed -n 's/^[[:space:]]*load_module[[:space:]]\+\([^;]*\);.*/\1/p' "$conf" | head -n 1)
    [[ "$candidate" == /* ]] || candidate="/usr/share/nginx/$candidate"
    if [[ -f "$candidate" ]]; then
      readlink -f "$candidate"
      return 0
    fi
  done
  return 1
}

# Installs nginx and the nchan module when missing (a no-op when both are there).
ensure_nchan() {
  local sudo=()
  if ! command -v nginx >/dev/null 2>&1 || ! nchan_module_path >/dev/null; then
    if [[ "$(id -u)" -ne 0 ]]; then
      if ! command -v sudo >/dev/null 2>&1; then
        _srv_say "ensure_nchan: need root or sudo to install nginx libnginx-mod-nchan"
        return 1
      fi
      sudo=(sudo)
    fi
    _srv_say "ensure_nchan: installing nginx libnginx-mod-nchan"
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-nchan >/dev/null; then
      # Stale or missing package lists: refresh once and retry.
      "${sudo[@]}" apt-get update -qq || return 1
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-nchan >/dev/null || return 1
    fi
    if ! nchan_module_path >/dev/null; then
      _srv_say "ensure_nchan: installed, but ngx_nchan_module.so is nowhere to be found"
      return 1
    fi
  fi
  # nginx creates its compiled-in temp path at start and nchan uses it; make sure it exists.
  if [[ ! -d /var/lib/nginx/body ]]; then
    "${sudo[@]}" mkdir -p /var/lib/nginx/body || return 1
  fi
}

# start_nchan PORT: nginx with bench/nchan/nginx.conf.template rendered into a fresh prefix
# directory, NCHAN_WORKERS workers, never the system configuration.
start_nchan() {
  local port=${1:?usage: start_nchan PORT}
  local workers=${NCHAN_WORKERS:-2} module conf pidfile_pid
  if ! [[ "$workers" =~ ^[1-9][0-9]*$ ]]; then
    _srv_say "start_nchan: NCHAN_WORKERS must be a positive number, not '$workers'"
    return 1
  fi
  ensure_nchan || return 1
  module=$(nchan_module_path) || return 1
  _srv_begin nchan "$port" || return 1
  SERVER_ERROR_LOG="$SERVER_DIR/error.log"
  conf="$SERVER_DIR/nginx.conf"
  mkdir -p "$SERVER_DIR/tmp"
  sed -e "s|@PREFIX@|$SERVER_DIR|g" -e "s|@PORT@|$port|g" -e "s|@H2C_PORT@|$((port + 1))|g" -e "s|@WORKERS@|$workers|g" \
    -e "s|@NCHAN_MODULE@|$module|g" "$SRV_NCHAN_TEMPLATE" >"$conf" || return 1
  # -e: the error log from the first line (before the configuration's error_log is read).
  if ! nginx -t -q -p "$SERVER_DIR" -c "$conf" -e "$SERVER_ERROR_LOG" >"$SERVER_LOG" 2>&1; then
    _srv_say "start_nchan: nginx rejected $conf:"
    cat "$SERVER_LOG" >&2
    rm -rf "$SERVER_DIR"
    SERVER_DIR=
    return 1
  fi
  : >"$SERVER_LOG"
  _srv_launch nginx -p "$SERVER_DIR" -c "$conf" -e "$SERVER_ERROR_LOG"
  SUB_URL_TEMPLATE="http://127.0.0.1:$port/sub/{topic}"
  H2C_SUB_URL_TEMPLATE="http://127.0.0.1:$((port + 1))/sub/{topic}"
  PUB_URL_TEMPLATE="http://127.0.0.1:$port/pub/{topic}"
  PUB_FORMAT=raw
  _srv_wait_ready "http://127.0.0.1:$port/ready" || return 1
  # The master writes its pid file once it runs; it must be the process started here.
  pidfile_pid=$(cat "$SERVER_DIR/nginx.pid" 2>/dev/null || true)
  if [[ "$pidfile_pid" != "$SERVER_PID" ]]; then
    _srv_say "start_nchan: nginx.pid holds '$pidfile_pid', expected the master $SERVER_PID"
    stop_server
    return 1
  fi
  _srv_say "nchan (nginx master $SERVER_PID, $workers workers) listening on 127.0.0.1:$port"
}

# ----------------------------------------------------------------------------------------------
# ASP.NET Core baseline

# start_baseline PORT: bench/Herald.Baseline's Release build.
start_baseline() {
  local port=${1:?usage: start_baseline PORT}
  if [[ ! -f "$SRV_BASELINE_DLL" ]]; then
    _srv_say "start_baseline: $SRV_BASELINE_DLL is missing; run build_all"
    return 1
  fi
  _srv_begin baseline "$port" || return 1
  # HTTP/1.1 on PORT and cleartext HTTP/2 (h2c) on PORT+1, from Kestrel's endpoint configuration.
  _srv_launch dotnet "$SRV_BASELINE_DLL" --Kestrel:Endpoints:Http1:Url="http://127.0.0.1:$port" \
    --Kestrel:Endpoints:H2c:Url="http://127.0.0.1:$((port + 1))" --Kestrel:Endpoints:H2c:Protocols=Http2
  SUB_URL_TEMPLATE="http://127.0.0.1:$port/subscribe?topic={topic}"
  H2C_SUB_URL_TEMPLATE="http://127.0.0.1:$((port + 1))/subscribe?topic={topic}"
  PUB_URL_TEMPLATE="http://127.0.0.1:$port/publish?topic={topic}"
  PUB_FORMAT=raw
  # It maps nothing at /, so the 404 there means Kestrel is up.
  _srv_wait_ready "http://127.0.0.1:$port/" || return 1
  _srv_say "baseline (pid $SERVER_PID) listening on 127.0.0.1:$port"
}

# ----------------------------------------------------------------------------------------------
# Herald

# A fresh HMAC secret for the run: 32 random bytes, URL-safe base64 (43 characters).
_srv_new_key() {
  head -c 32 /dev/urandom | base64 | tr -d '=\n' | tr '+/' '-_'
}

# start_herald PORT [serve flags...]: `herald serve` with anonymous subscribers, HERALD_KEY as
# the key and a fresh data directory; extra flags go to serve after these (and win).
start_herald() {
  local port=${1:?usage: start_herald PORT [serve flags...]}
  shift
  if [[ ! -f "$SRV_HERALD_DLL" ]]; then
    _srv_say "start_herald: $SRV_HERALD_DLL is missing; run build_all"
    return 1
  fi
  if [[ -z "${HERALD_KEY:-}" ]]; then
    HERALD_KEY=$(_srv_new_key)
  fi
  export HERALD_KEY
  _srv_begin herald "$port" || return 1
  # The publisher token, minted before the start so it costs the server nothing.
  if ! PUB_TOKEN=$(dotnet "$SRV_HERALD_DLL" token --key "$HERALD_KEY" --publish '*' --exp never 2>"$SERVER_LOG"); then
    _srv_say "start_herald: herald token failed:"
    cat "$SERVER_LOG" >&2
    rm -rf "$SERVER_DIR"
    SERVER_DIR=
    return 1
  fi
  export PUB_TOKEN
  mkdir -p "$SERVER_DIR/data"
  _srv_launch dotnet "$SRV_HERALD_DLL" serve --address 127.0.0.1 --port "$port" \
    --key "$HERALD_KEY" --anonymous --data-dir "$SERVER_DIR/data" \
    --max-subscribers-per-ip 0 --publish-rate-per-token 0 --publish-rate-per-ip 0 "$@"
  SUB_URL_TEMPLATE="http://127.0.0.1:$port/.well-known/mercure?topic={topic}"
  PUB_URL_TEMPLATE="http://127.0.0.1:$port/.well-known/mercure"
  PUB_FORMAT=mercure
  _srv_wait_ready "http://127.0.0.1:$port/" "herald: hub listening on" || return 1
  _srv_say "herald (pid $SERVER_PID) listening on 127.0.0.1:$port"
}

# ----------------------------------------------------------------------------------------------
# Redis (for herald serve --redis)

# start_redis PORT: Debian's redis-server on 127.0.0.1:PORT with a fresh directory for its data,
# no RDB snapshots, and the append-only file synced as REDIS_APPENDFSYNC says (default always:
# like Herald's SQLite history with --durability Full, nothing acknowledged is lost in a crash,
# so the two are compared at the same guarantee). Sets REDIS_URL (redis://127.0.0.1:PORT) besides
# the SERVER_* variables.
start_redis() {
  local port=${1:?usage: start_redis PORT}
  local fsync=${REDIS_APPENDFSYNC:-always}
  if [[ ! -x /usr/bin/redis-server ]]; then
    _srv_say "start_redis: /usr/bin/redis-server is missing (apt-get install -y redis-server)"
    return 1
  fi
  case $fsync in
    always | everysec | no) ;;
    *)
      _srv_say "start_redis: REDIS_APPENDFSYNC must be always, everysec or no, not '$fsync'"
      return 1
      ;;
  esac
  _srv_begin redis "$port" || return 1
  mkdir -p "$SERVER_DIR/data"
  # The default maxclients (10,000) is more than the nodes need: each holds two connections.
  _srv_launch /usr/bin/redis-server --port "$port" --bind 127.0.0.1 --dir "$SERVER_DIR/data"     --save '' --appendonly yes --appendfsync "$fsync" --protected-mode no --daemonize no --loglevel notice
  REDIS_URL="redis://127.0.0.1:$port"
  export REDIS_URL
  _srv_wait_for "127.0.0.1:$port" _srv_redis_ready "$port" || return 1
  _srv_say "redis-server (pid $SERVER_PID, appendfsync $fsync) listening on 127.0.0.1:$port"
}

_srv_redis_ready() {
  [[ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]
}

# set_aside_server: the current server keeps running but is no longer current, so another can
# start beside it (a cluster's Redis and nodes). Copy the SERVER_* variables you need first;
# stop_all stops it and removes its directory.
set_aside_server() {
  SERVER_PID='' SERVER_NAME='' SERVER_PORT='' SERVER_DIR='' SERVER_LOG='' SERVER_ERROR_LOG=''
  SUB_URL_TEMPLATE='' PUB_URL_TEMPLATE='' PUB_FORMAT='' PUB_TOKEN=''
}

# ----------------------------------------------------------------------------------------------
# Stopping

# Stops one process tree: SIGTERM to the root, up to SERVER_STOP_TIMEOUT seconds for it to go,
# then SIGKILL; then the descendants it left (nginx workers), SIGTERM and SIGKILL likewise.
_srv_stop_tree() {
  local pid=$1 timeout=${SERVER_STOP_TIMEOUT:-10} deadline p left
  local -a tree
  mapfile -t tree < <(_srv_descendants "$pid")
  if _srv_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + timeout))
    while _srv_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if _srv_alive "$pid"; then
      _srv_say "pid $pid still running ${timeout}s after SIGTERM; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # Reaps it when it is this shell's child (no-op otherwise).
  wait "$pid" 2>/dev/null || true
  # What the root leaves behind: normally nothing, since nginx's master waits for its workers.
  left=()
  for p in "${tree[@]}"; do _srv_alive "$p" && left+=("$p"); done
  if ((${#left[@]} > 0)); then
    kill -TERM "${left[@]}" 2>/dev/null || true
    deadline=$((SECONDS + 3))
    while ((SECONDS < deadline)); do
      local any=0
      for p in "${left[@]}"; do _srv_alive "$p" && any=1; done
      ((any)) || break
      sleep 0.1
    done
    for p in "${left[@]}"; do
      if _srv_alive "$p"; then
        _srv_say "pid $p (child of $pid) still running; SIGKILL"
        kill -KILL "$p" 2>/dev/null || true
      fi
    done
  fi
  # SIGKILL is not refused, but wait a moment for it to land.
  deadline=$((SECONDS + 5))
  while ((SECONDS < deadline)); do
    local any=0
    _srv_alive "$pid" && any=1
    for p in "${tree[@]}"; do _srv_alive "$p" && any=1; done
    ((any)) || return 0
    sleep 0.1
  done
  _srv_say "pid $pid or one of its children survived SIGKILL"
  return 1
}

_srv_forget() {
  local pid=$1 entry kept=()
  for entry in "${_SRV_STARTED[@]}"; do
    [[ "${entry%% *}" == "$pid" ]] || kept+=("$entry")
  done
  _SRV_STARTED=("${kept[@]}")
}

# Stops the current server (the last one started) and removes its temp directory. nginx and
# Herald end at once on SIGTERM; the baseline's open SSE responses hold its shutdown, so with
# subscribers still connected it is SIGKILLed after SERVER_STOP_TIMEOUT.
stop_server() {
  local status=0
  if [[ -n "${SERVER_PID:-}" ]]; then
    _srv_stop_tree "$SERVER_PID" || status=1
    _srv_forget "$SERVER_PID"
  fi
  if [[ -n "${SERVER_DIR:-}" && -d "$SERVER_DIR" && "${SERVER_KEEP_DIR:-0}" != 1 ]]; then
    rm -rf "$SERVER_DIR"
  fi
  set_aside_server
  return "$status"
}

# Stops every server this shell started and has not stopped, the last started first (a
# cluster's nodes before their Redis); for `trap stop_all EXIT`.
stop_all() {
  local status=0 entry pid dir i
  stop_server || status=1
  for ((i = ${#_SRV_STARTED[@]} - 1; i >= 0; i--)); do
    entry=${_SRV_STARTED[i]}
    pid=${entry%% *}
    dir=${entry#* }
    _srv_stop_tree "$pid" || status=1
    if [[ -d "$dir" && "${SERVER_KEEP_DIR:-0}" != 1 ]]; then rm -rf "$dir"; fi
  done
  _SRV_STARTED=()
  return "$status"
}
