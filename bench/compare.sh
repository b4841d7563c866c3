#!/usr/bin/env bash
# bench/compare.sh [SCENARIO...]: Herald against nginx + nchan and the ASP.NET Core baseline
# (bench/Herald.Baseline), side by side on this machine, each server started fresh for every run.
#
#   bash bench/compare.sh            # every scenario: A B C D E
#   bash bench/compare.sh A B        # some of them
#
# Scenarios (herald bench does the load; see docs/benchmarks.md for the method):
#   A  1,000 subscribers, 200 events at 100/s
#   B  10,000 subscribers, 100 events at 20/s (200,000 deliveries/s offered)
#   C  the most HTTP/1.1 subscribers each server holds with no loss at 2 events/s (steps of
#      C_STEPS), and the memory per idle subscriber
#   D  100,000 subscribers as HTTP/2 streams (h2c) on one server, 1 event/s to all
#   E  LLM-like: 500 topics with one subscriber each, 50 tokens/s per topic, 20-byte tokens;
#      Herald twice: one POST per token (herald), and streaming publish (herald-stream: one
#      token stream per topic, a chunked POST to /.well-known/herald/streams/{id} for all its
#      tokens, read at that URL). nchan and the baseline have no streaming publish.
#
# Results: one JSON file per run and summary.md (the table) in $BENCH_OUT (default
# bench/results/<UTC time>). Installs nginx and nchan when missing; leaves nothing running.
# Settings: HERALD_SERVE_ARGS (extra flags for herald serve, e.g. "--in-memory"),
# C_STEPS (default "5000 10000 15000 18000 19500 25000 30000 38000"), D_SUBSCRIBERS (default 100000).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/lib/servers.sh
source bench/lib/servers.sh
trap stop_all EXIT

SCENARIOS=("$@")
[[ ${#SCENARIOS[@]} -gt 0 ]] || SCENARIOS=(A B C D E)
OUT=${BENCH_OUT:-bench/results/$(date -u +%Y%m%dT%H%M%SZ)}
C_STEPS=${C_STEPS:-"5000 10000 15000 18000 19500 25000 30000 38000"}
D_SUBSCRIBERS=${D_SUBSCRIBERS:-100000}
read -r -a HERALD_ARGS <<< "${HERALD_SERVE_ARGS:-}"
PORT=18180
H2C_PORT=18181
mkdir -p "$OUT"

say() { echo "compare.sh: $*" >&2; }

ensure_nchan
say "building (Release)"
build_all
HERALD=(dotnet "$ROOT/src/Herald.Server/bin/Release/net10.0/herald.dll")

# start SERVER: a fresh server on $PORT, and h2c on $H2C_PORT ($PORT + 1). Herald keeps
# subscriptions open for the whole run (its default lifetime, 10 minutes, is meant to recycle
# connections in production, not to end a benchmark's). herald-stream is Herald published to
# by token streams and read at each stream's URL.
start() {
  case $1 in
    herald | herald-stream)
      start_herald "$PORT" --h2c-port "$H2C_PORT" --max-lifetime 7200 "${HERALD_ARGS[@]}"
      H2C_SUB_URL_TEMPLATE="http://127.0.0.1:$H2C_PORT/.well-known/mercure?topic={topic}"
      if [[ $1 == herald-stream ]]; then
        SUB_URL_TEMPLATE="http://127.0.0.1:$PORT/.well-known/herald/streams/{stream}"
        PUB_URL_TEMPLATE=$SUB_URL_TEMPLATE
        PUB_FORMAT=stream
      fi
      ;;
    nchan) start_nchan "$PORT" ;;
    baseline) start_baseline "$PORT" ;;
  esac
}

# bench LABEL JSON [herald bench flags...]: one run against the server started last.
bench() {
  local label=$1 json=$2
  shift 2
  local token=()
  [[ -z "${PUB_TOKEN:-}" ]] || token=(--token "$PUB_TOKEN")
  "${HERALD[@]}" bench --subscribe-url "$SUB_URL_TEMPLATE" --publish-url "$PUB_URL_TEMPLATE" \
    --publish-format "$PUB_FORMAT" "${token[@]}" --server-pid "$SERVER_PID" --label "$label" \
    ${json:+--json "$json"} "$@"
}

# warm SERVER: a short unmeasured run first, so the .NET servers' JIT has compiled the hot
# paths before the measured one (nchan gets the same, for fairness).
warm() {
  bench "warm-up" "" --subscribers 200 --events 300 --rate 300 --idle 0 --drain 5 > /dev/null 2>&1 || true
}

# run SCENARIO SERVER [herald bench flags...]: fresh server, warm-up, the measured run, stop.
# Returns herald bench's exit code (0 clean, 1 loss or refused connections, 2 failed).
run() {
  local scenario=$1 server=$2
  shift 2
  local code=0
  start "$server"
  warm
  say "$scenario $server: $*"
  bench "$scenario $server" "$OUT/$scenario-$server.json" "$@" || code=$?
  stop_server
  return "$code"
}

for scenario in "${SCENARIOS[@]}"; do
  case $scenario in
    A)
      for server in herald nchan baseline; do
        run A "$server" --subscribers 1000 --events 200 --rate 100 || true
      done
      ;;
    B)
      for server in herald nchan baseline; do
        run B "$server" --subscribers 10000 --events 100 --rate 20 || true
      done
      ;;
    C)
      for server in herald nchan baseline; do
        held=0
        for n in $C_STEPS; do
          if run "C$n" "$server" --subscribers "$n" --events 20 --rate 2 --idle 5; then
            held=$n
          else
            break
          fi
        done
        echo "$server $held" >> "$OUT/C-held.txt"
      done
      ;;
    D)
      for server in herald nchan baseline; do
        start "$server"
        warm
        say "D $server: $D_SUBSCRIBERS HTTP/2 streams"
        SUB_URL_TEMPLATE=$H2C_SUB_URL_TEMPLATE \
          bench "D $server" "$OUT/D-$server.json" --http 2 --subscribers "$D_SUBSCRIBERS" --events 10 --rate 1 \
          --connect-batch 50 --connect-timeout 600 --idle 5 --drain 30 || true
        stop_server
      done
      ;;
    E)
      for server in herald herald-stream nchan baseline; do
        run E "$server" --subscribers 500 --topics 500 --events 500 --rate 50 --payload 20 || true
      done
      ;;
    *)
      say "unknown scenario '$scenario' (A, B, C, D or E)"
      exit 2
      ;;
  esac
done

{
  echo "# herald bench: Herald, nchan and the ASP.NET Core baseline"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), .NET $(dotnet --version), $(nginx -v 2>&1 | sed 's/.*: //') with nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null)."
  echo "Herald serve flags: --h2c-port --max-lifetime 7200 ${HERALD_SERVE_ARGS:-(defaults: durable SQLite history)}."
  echo
  shopt -s nullglob
  files=("$OUT"/*.json)
  if [[ ${#files[@]} -gt 0 ]]; then
    "${HERALD[@]}" bench report "${files[@]}"
  fi
  if [[ -f "$OUT/C-held.txt" ]]; then
    echo
    echo "C, the most subscribers held with no loss at 2 events/s (steps: $C_STEPS):"
    echo
    while read -r server held; do echo "- $server: $held"; done < "$OUT/C-held.txt"
  fi
} > "$OUT/summary.md"
cat "$OUT/summary.md"
say "results in $OUT"
