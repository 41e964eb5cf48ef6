#!/usr/bin/env bash
# Time from `dotnet run --no-build` of the app host until its services answer /health, for Jarvis.AppHost (api, memory
# and voice, without containers) against a bare Aspire app host with one empty web project (bench/apphost-baseline),
# alternating in the same run on the same machine. Both are built in Release first.
# Usage: bench/apphost-startup.sh [runs]   (default 5). Prints the medians in seconds and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
configuration=Release

dotnet build Jarvis.AppHost -c "$configuration" -nologo -v quiet >/dev/null
dotnet build bench/apphost-baseline/Baseline.AppHost -c "$configuration" -nologo -v quiet >/dev/null

now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# once PROJECT URL...: seconds from `dotnet run` until every URL answers 200.
once() {
  local project=$1; shift
  local log; log=$(mktemp)
  local start; start=$(now)
  dotnet run --project "$project" -c "$configuration" --no-build -- --Jarvis:Containers=never --Parameters:jarvis-api-key=bench >"$log" 2>&1 &
  local pid=$!
  for url in "$@"; do
    until curl -sf -o /dev/null "$url"; do
      kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
      sleep 0.05
    done
  done
  local end; end=$(now)
  # SIGTERM, because a background job ignores SIGINT; the app host then stops DCP and every service.
  pkill -TERM -P "$pid" 2>/dev/null || true; kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  while pgrep -f "dcp start-apiserver" >/dev/null; do sleep 0.2; done
  rm -f "$log"
  echo "$end - $start" | bc -l
}

baseline=(); apphost=()
for ((i = 0; i < runs; i++)); do
  baseline+=("$(once bench/apphost-baseline/Baseline.AppHost http://localhost:5090/)")
  apphost+=("$(once Jarvis.AppHost http://localhost:5080/health http://localhost:5081/health http://localhost:5082/health)")
done

b=$(printf '%s\n' "${baseline[@]}" | median)
a=$(printf '%s\n' "${apphost[@]}" | median)
printf 'bare Aspire app host, one empty web project, to healthy: median %.2f s over %d runs\n' "$b" "$runs"
printf 'Jarvis.AppHost to api, memory and voice healthy:        median %.2f s over %d runs\n' "$a" "$runs"
printf 'ratio: %.2fx the baseline (goal: at most 1.5x)\n' "$(echo "$a / $b" | bc -l)"
