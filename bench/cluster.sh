#!/usr/bin/env bash
# bench/cluster.sh [SCENARIO...]: Herald as a cluster over Redis (issue 8), three `herald serve
# --redis` nodes sharing one stream, and one node with the default SQLite history beside it for
# comparison; everything started fresh for every run.
#
#   bash bench/cluster.sh            # every scenario: S S1 P P1 D D1
#   bash bench/cluster.sh S          # some of them
#
# Scenarios (herald bench does the load; subscriber i on node i mod 3, every event published to
# node 1, which appends it to Redis; every node follows the stream and delivers to its own):
#   S   3 nodes x 18,000 HTTP/1.1 subscribers (S_SUBSCRIBERS, default 54000, in all), 1 topic,
#       60 events at 1/s
#   S1  one node with the default SQLite history and a node's share of S (S_SUBSCRIBERS / 3)
#   P   publish throughput: P_LANES publisher lanes (topics; default 16), each sending as fast as
#       its answers come (an open-loop lane behind schedule sends at once, so at 2,000/s a lane
#       is a closed loop of one request at a time), to 3 x 16 subscribers: one per topic per node
#   D   delivery throughput: 3 x 1,000 subscribers over 4 topics (4 and 3 share no factor, so
#       each topic has subscribers on every node), D_RATE events/s per topic (default 100)
#   P1, D1  P and D against one node with the default SQLite history (--durability Full)
#
# Redis: a fresh redis-server per run on 127.0.0.1 with appendonly yes and appendfsync
# REDIS_APPENDFSYNC (default always: a publish is acknowledged only once it is on disk, the
# guarantee SQLite gives with --durability Full, so P against P1 compares like with like; set
# everysec for Redis's usual setting, which can lose the last second in a crash).
#
# Capacity (see docs/benchmarks.md): a node holds 18,000 subscribers under the 20,000-descriptor
# cap (--max-subscribers 19500); herald bench puts at most 15,000 sockets in a worker, each
# worker binding its own loopback source address, so ephemeral ports are no limit.
#
# Results: one JSON file per run and summary.md in $BENCH_OUT (default
# bench/results/cluster-<UTC time>). Leaves nothing running.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/lib/servers.sh
source bench/lib/servers.sh
trap stop_all EXIT

SCENARIOS=("$@")
[[ ${#SCENARIOS[@]} -gt 0 ]] || SCENARIOS=(S S1 P P1 D D1)
OUT=${BENCH_OUT:-bench/results/cluster-$(date -u +%Y%m%dT%H%M%SZ)}
S_SUBSCRIBERS=${S_SUBSCRIBERS:-54000}
P_LANES=${P_LANES:-16}
D_RATE=${D_RATE:-100}
REDIS_PORT=18290
NODE_PORTS=(18291 18292 18293)
mkdir -p "$OUT"

# The workers inherit this shell's limit: up to 15,000 sockets each.
ulimit -n "$(ulimit -Hn)"

say() { echo "cluster.sh: $*" >&2; }

say "building (Release)"
build_all
HERALD=(dotnet "$ROOT/src/Herald.Server/bin/Release/net10.0/herald.dll")

# Every node keeps its subscriptions for the whole run (the default lifetime, 10 minutes, recycles
# connections in production) and takes more than the 18,000 its descriptor limit gives by default.
NODE_ARGS=(--max-lifetime 7200 --max-subscribers 19500)

# What the last start_cluster or start_single started.
SUB_URLS=()
PUB_URL=
PIDS=()
TOKEN=

# start_cluster: redis-server, then 3 nodes on it with one key prefix (one hub).
start_cluster() {
  local port
  SUB_URLS=() PIDS=() PUB_URL=
  start_redis "$REDIS_PORT"
  local redis_pid=$SERVER_PID
  set_aside_server
  for port in "${NODE_PORTS[@]}"; do
    start_herald "$port" --redis "$REDIS_URL" --redis-prefix bench "${NODE_ARGS[@]}"
    SUB_URLS+=("$SUB_URL_TEMPLATE")
    PIDS+=("$SERVER_PID")
    [[ -n "$PUB_URL" ]] || PUB_URL=$PUB_URL_TEMPLATE TOKEN=$PUB_TOKEN
    set_aside_server
  done
  PIDS+=("$redis_pid")
  say "cluster: nodes ${PIDS[*]:0:3} on ports ${NODE_PORTS[*]}, redis-server ${PIDS[3]} on $REDIS_PORT"
}

# start_single: one node with the default SQLite history (durability Full).
start_single() {
  start_herald "${NODE_PORTS[0]}" "${NODE_ARGS[@]}"
  SUB_URLS=("$SUB_URL_TEMPLATE")
  PUB_URL=$PUB_URL_TEMPLATE
  TOKEN=$PUB_TOKEN
  PIDS=("$SERVER_PID")
  set_aside_server
}

# bench LABEL JSON [herald bench flags...]: one run against what was started last, publishing to
# its first node, measuring every process (nodes, then redis-server).
bench() {
  local label=$1 json=$2 url pid
  shift 2
  local args=()
  for url in "${SUB_URLS[@]}"; do args+=(--subscribe-url "$url"); done
  for pid in "${PIDS[@]}"; do args+=(--server-pid "$pid"); done
  "${HERALD[@]}" bench "${args[@]}" --publish-url "$PUB_URL" --token "$TOKEN" --label "$label" \
    ${json:+--json "$json"} "$@"
}

# warm: a short unmeasured run, so every node's JIT has compiled the hot paths.
warm() {
  bench "warm-up" "" --subscribers 300 --topics 4 --events 300 --rate 300 --idle 0 --drain 5 >/dev/null 2>&1 || true
}

# run SCENARIO cluster|single [herald bench flags...]: fresh servers, warm-up, the measured run,
# everything stopped. Returns herald bench's exit code.
run() {
  local scenario=$1 shape=$2 code=0
  shift 2
  "start_$shape"
  warm
  # The label says which history the run had.
  local label="$scenario single (SQLite Full)"
  [[ $shape == single ]] || label="$scenario cluster (appendfsync ${REDIS_APPENDFSYNC:-always})"
  say "$label: $* (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "$scenario $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/load.txt"
  bench "$label" "$OUT/$scenario.json" "$@" || code=$?
  stop_all
  return "$code"
}

for scenario in "${SCENARIOS[@]}"; do
  case $scenario in
    S) run S cluster --subscribers "$S_SUBSCRIBERS" --events 60 --rate 1 --connect-timeout 300 --idle 5 --drain 30 || true ;;
    S1) run S1 single --subscribers $((S_SUBSCRIBERS / 3)) --events 60 --rate 1 --connect-timeout 300 --idle 5 --drain 30 || true ;;
    P) run P cluster --subscribers $((3 * P_LANES)) --topics "$P_LANES" --events 2000 --rate 2000 --drain 30 || true ;;
    P1) run P1 single --subscribers $((3 * P_LANES)) --topics "$P_LANES" --events 2000 --rate 2000 --drain 30 || true ;;
    D) run D cluster --subscribers 3000 --topics 4 --events $((D_RATE * 20)) --rate "$D_RATE" --drain 30 || true ;;
    D1) run D1 single --subscribers 3000 --topics 4 --events $((D_RATE * 20)) --rate "$D_RATE" --drain 30 || true ;;
    *)
      say "unknown scenario '$scenario' (S, S1, P, P1, D or D1)"
      exit 2
      ;;
  esac
done

{
  echo "# herald bench: Herald as a cluster over Redis"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) at $(git rev-parse --short HEAD) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), .NET $(dotnet --version), $(redis-server --version | cut -d' ' -f1-3) with appendfsync ${REDIS_APPENDFSYNC:-always}."
  echo
  shopt -s nullglob
  files=("$OUT"/*.json)
  if [[ ${#files[@]} -gt 0 ]]; then
    "${HERALD[@]}" bench report "${files[@]}"
  fi
  echo
  echo "Load average (1, 5, 15 min) before each measured run:"
  echo
  while read -r name load; do echo "- $name: $load"; done <"$OUT/load.txt"
} >"$OUT/summary.md"
cat "$OUT/summary.md"
say "results in $OUT"
