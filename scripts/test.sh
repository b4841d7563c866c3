#!/usr/bin/env bash
# Runs every test of the solution on a fresh Debian machine: installs what the tests need when it
# is missing (idempotently), restores, builds, and runs `dotnet test`. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "scripts/test.sh: the .NET SDK 10 is required (dotnet not found on PATH)." >&2
  exit 1
fi

# The conformance vectors live beside the repository, in ../shared.
if [ ! -f ../shared/conformance/sse-vectors.json ]; then
  echo "scripts/test.sh: ../shared/conformance/sse-vectors.json is missing (shared/ must sit beside the repository)." >&2
  exit 1
fi

# System packages the tests drive for real: Debian's Chromium for the browser tests (Playwright
# cannot download its own browser here) and redis-server for the cluster tests (each starts its
# own on a free loopback port). Installed only when missing, so a second run is a no-op.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
# nginx: the herald doctor tests put one in front of the hub, buffering and not (NginxServer).
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/test.sh: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "scripts/test.sh: need root (or sudo) to install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet restore Herald.slnx
dotnet build Herald.slnx --no-restore
set +e
dotnet test Herald.slnx --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test projects, e.g. "tests: 321 passed, 0 failed, 0 skipped".
awk '/^(Passed|Failed)! +- Failed:/ {
       gsub(/,/, ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
