#!/usr/bin/env bash
# bench/soak.sh: a long run of `herald serve` (SQLite history, the default) under steady load and
# reconnect churn, sampling the hub's memory, with a verdict on whether it stays flat. Not in CI.
#
#   bash bench/soak.sh                    # the hour
#   SOAK_MINUTES=3 bash bench/soak.sh     # a short run, to check the script
#
# Load, for SOAK_MINUTES in all:
#   - rounds of `herald bench`: SOAK_SUBSCRIBERS HTTP/1.1 subscribers (default 2000) over 4
#     topics, SOAK_RATE events/s per topic (default 5) for SOAK_ROUND_SECONDS (default 60); every
#     subscriber disconnects at the end of its round and the next round connects them again, so
#     the hub opens and closes a few thousand subscriptions a minute. A round that loses,
#     duplicates or reorders an event fails the soak.
#   - churn beside the rounds: SOAK_CHURN subscribers (default 50) on another topic, each
#     connecting with curl for 1 to 5 seconds and leaving, over and over.
# Sampling: every SOAK_SAMPLE_SECONDS (default 10) the hub's RSS, threads and open descriptors
# from /proc into memory.csv (elapsed_s,rss_kib,threads,fds).
# Verdict: a least-squares line through the RSS samples after the first SOAK_WARMUP_PERCENT of
# the run (default 25: startup, JIT and pools filling up are not a leak); flat when the line
# rises by less than SOAK_MAX_GROWTH_PERCENT (default 10) of the mean RSS over that stretch.
# Exit 0 flat and every round clean, 1 otherwise, 2 when the run could not be carried out.
#
# Results in $BENCH_OUT (default bench/results/soak-<UTC time>): memory.csv, rounds/*.json,
# verdict.txt. Leaves nothing running.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/lib/servers.sh
source bench/lib/servers.sh

SOAK_MINUTES=${SOAK_MINUTES:-60}
SOAK_SUBSCRIBERS=${SOAK_SUBSCRIBERS:-2000}
SOAK_RATE=${SOAK_RATE:-5}
SOAK_ROUND_SECONDS=${SOAK_ROUND_SECONDS:-60}
SOAK_CHURN=${SOAK_CHURN:-50}
SOAK_SAMPLE_SECONDS=${SOAK_SAMPLE_SECONDS:-10}
SOAK_WARMUP_PERCENT=${SOAK_WARMUP_PERCENT:-25}
SOAK_MAX_GROWTH_PERCENT=${SOAK_MAX_GROWTH_PERCENT:-10}
SOAK_PORT=${SOAK_PORT:-18390}
OUT=${BENCH_OUT:-bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT/rounds"

say() { echo "soak.sh: $*" >&2; }

BACKGROUND=()
cleanup() {
  local pid
  for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BACKGROUND[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_all
}
trap cleanup EXIT

ulimit -n "$(ulimit -Hn)"
say "building (Release)"
build_all || exit 2
HERALD=(dotnet "$ROOT/src/Herald.Server/bin/Release/net10.0/herald.dll")

start_herald "$SOAK_PORT" || exit 2
HUB_PID=$SERVER_PID
HUB_URL="http://127.0.0.1:$SOAK_PORT/.well-known/mercure"
END=$((SECONDS + SOAK_MINUTES * 60))
BEGIN=$SECONDS

# The sampler: the hub's own process (herald serve runs as one dotnet process).
sample() {
  echo "elapsed_s,rss_kib,threads,fds"
  while kill -0 "$HUB_PID" 2>/dev/null; do
    local rss threads fds
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$HUB_PID/status" 2>/dev/null) || break
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$HUB_PID/status" 2>/dev/null) || break
    fds=$(find "/proc/$HUB_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    echo "$((SECONDS - BEGIN)),$rss,$threads,$fds"
    sleep "$SOAK_SAMPLE_SECONDS"
  done
}
sample >"$OUT/memory.csv" &
BACKGROUND+=($!)

# The churn: each of SOAK_CHURN loops connects, stays 1-5 s, leaves, and again until the end.
churn() {
  while ((SECONDS < END)); do
    curl -sN --max-time $((1 + RANDOM % 5)) -H 'Accept: text/event-stream' \
      "$HUB_URL?topic=https%3A%2F%2Fsoak.herald.invalid%2Fchurn" >/dev/null 2>&1 || true
  done
}
for ((i = 0; i < SOAK_CHURN; i++)); do
  churn &
  BACKGROUND+=($!)
done

# The rounds, until the time is up (the last round is shortened to fit).
round=0
failed=0
while ((SECONDS + 15 < END)); do
  round=$((round + 1))
  seconds=$((END - SECONDS - 10))
  ((seconds > SOAK_ROUND_SECONDS)) && seconds=$SOAK_ROUND_SECONDS
  say "round $round: $SOAK_SUBSCRIBERS subscribers, $SOAK_RATE events/s per topic for ${seconds}s"
  if ! "${HERALD[@]}" bench --subscribe-url "$SUB_URL_TEMPLATE" --publish-url "$PUB_URL_TEMPLATE" \
    --token "$PUB_TOKEN" --subscribers "$SOAK_SUBSCRIBERS" --topics 4 --rate "$SOAK_RATE" \
    --events $((SOAK_RATE * seconds)) --idle 1 --drain 5 --workers 1 --server-pid "$HUB_PID" \
    --label "round-$round" --json "$OUT/rounds/round-$round.json" >"$OUT/rounds/round-$round.txt" 2>&1; then
    say "round $round failed (see $OUT/rounds/round-$round.txt)"
    failed=$((failed + 1))
  fi
  kill -0 "$HUB_PID" 2>/dev/null || { say "the hub died"; exit 1; }
done

# One last sample after the load, then the verdict.
sleep "$SOAK_SAMPLE_SECONDS"
verdict=$(awk -F, -v warm="$SOAK_WARMUP_PERCENT" -v max="$SOAK_MAX_GROWTH_PERCENT" '
  NR > 1 { t[NR] = $1; r[NR] = $2; last = $1; n = NR }
  END {
    from = last * warm / 100
    for (i = 2; i <= n; i++) if (t[i] >= from) { k++; sx += t[i]; sy += r[i]; sxx += t[i] * t[i]; sxy += t[i] * r[i]; if (!first) first = t[i] }
    if (k < 3) { print "UNDECIDED: fewer than 3 samples after the warm-up"; exit }
    slope = (k * sxy - sx * sy) / (k * sxx - sx * sx)   # KiB per second
    mean = sy / k
    rise = slope * (last - first)
    pct = 100 * rise / mean
    printf "%s: RSS mean %.1f MiB over %d samples from %ds to %ds, slope %+.1f KiB/min, fitted rise %+.1f MiB (%+.1f%%, limit %d%%)\n",
      (pct < max ? "FLAT" : "GROWING"), mean / 1024, k, first, last, slope * 60, rise / 1024, pct, max
  }' "$OUT/memory.csv")
"${HERALD[@]}" bench report "$OUT"/rounds/*.json >"$OUT/rounds.md" 2>/dev/null || true
{
  echo "$verdict"
  echo "rounds: $round, failed: $failed; churn subscribers: $SOAK_CHURN; duration: $SOAK_MINUTES min"
} | tee "$OUT/verdict.txt"
[[ $verdict == FLAT* && $failed -eq 0 ]]
