#!/usr/bin/env bash
# Time from `dotnet run --project Jarvis.AppHost --no-build` (already built) to every project Healthy, against a
# baseline measured in the same run: one service started alone until its /health first answers 200.
# Usage: bench/apphost-startup.sh [runs]   (default 5). Prints the medians in seconds and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
configuration=Release

dotnet build Jarvis.sln -c "$configuration" -nologo -v quiet >/dev/null

now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

baseline_once() {
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local start; start=$(now)
  ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet "Jarvis.Voice/bin/$configuration/net10.0/Jarvis.Voice.dll" >/dev/null 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.02; done
  local end; end=$(now)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo "$end - $start" | bc -l
}

apphost_once() {
  local log; log=$(mktemp)
  local start; start=$(now)
  # env(1), because a shell assignment cannot name a variable with a '-' in it.
  env AppHost__RandomizePorts=true AppHost__PersistGeneratedParameters=false AppHost__LocalOllamaUrl=http://127.0.0.1:1 \
    Parameters__jarvis-api-key=bench Parameters__qdrant-Key=bench \
    dotnet run --project Jarvis.AppHost -c "$configuration" --no-build >"$log" 2>&1 &
  local pid=$!
  # The status table is printed once everything has settled; wait for all three projects Healthy in it.
  until [ "$(grep -cE '^  (api|memory|voice) +Running +Healthy' "$log")" -ge 3 ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.02
  done
  local end; end=$(now)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  rm -f "$log"
  echo "$end - $start" | bc -l
}

baseline=(); apphost=()
for ((i = 0; i < runs; i++)); do
  baseline+=("$(baseline_once)")
  apphost+=("$(apphost_once)")
done

b=$(printf '%s\n' "${baseline[@]}" | median)
a=$(printf '%s\n' "${apphost[@]}" | median)
printf 'one service to healthy (baseline): median %.2f s over %d runs\n' "$b" "$runs"
printf 'app host to all projects healthy:  median %.2f s over %d runs\n' "$a" "$runs"
printf 'ratio: %.2fx the baseline\n' "$(echo "$a / $b" | bc -l)"
