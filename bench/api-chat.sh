#!/usr/bin/env bash
# Load test of a non-LLM chat turn (the offline responder's greeting) of the built Jarvis.Api on loopback, driven by
# wrk (Debian's, installed if missing) so the load generator is not the bottleneck: 2 threads, 32 connections, the same
# JSON POST to a bare Kestrel endpoint (the baseline), to /api/chat with memory unreachable (turns skip it: the Api
# alone), the same with telemetry on (OTLP export of spans, metrics and logs, JSON console logs at Information), and
# with a live Jarvis.Memory (the turn's message and reply recorded durably, concurrent turns sharing a request and a
# commit), and with a stand-in for Memory that answers but stores nothing (the hop alone: the ceiling of any store on
# these cores). Each target is warmed up first (15 s
# by default: until tiered JIT and the GC have settled a fresh process runs at a fifth of its speed), then measured.
# Prints req/s, p50 and p99 of each, the ratios to the baseline, the cost of telemetry and the live-memory ratio, all
# from one run.
# (`dotnet run --project bench/Jarvis.Api.Benchmarks` alone measures in process with its own client, REST and one WebSocket.)
# Usage: bench/api-chat.sh [seconds per target] [warm-up seconds]   (default 10 and 15)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
warmup="${2:-15}"

if ! command -v wrk >/dev/null || ! command -v bc >/dev/null; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk bc >/dev/null
fi

dotnet build Jarvis.sln -c Release -nologo -v quiet >/dev/null
work=$(mktemp -d)
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet run -c Release --no-build --project bench/Jarvis.Api.Benchmarks -- --serve "$work/urls" >"$work/server.log" 2>&1 &
server=$!
until [ -s "$work/urls" ]; do kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }; sleep 0.2; done

cat >"$work/chat.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"message":"hello","userId":"bench"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "bench-key"
LUA

# run NAME URL: warm up, then measure; prints "NAME req/s p50_ms p99_ms".
run() {
  wrk -t2 -c32 -d"${warmup}s" -s "$work/chat.lua" "$2api/chat" >/dev/null
  local out; out=$(wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/chat.lua" "$2api/chat")
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ { print $NF }')
  [ -z "$non2xx" ] || { echo "$1: $non2xx responses were not 2xx" >&2; echo "$out" >&2; exit 1; }
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
  ms() { echo "$out" | awk -v q="$1" '$1 == q { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; print v }'; }
  echo "$1 $rps $(ms 50%) $(ms 99%)"
}

bare=$(run bare "$(awk '$1 == "bare" { print $2 }' "$work/urls")")
api=$(run api "$(awk '$1 == "api" { print $2 }' "$work/urls")")
telemetry=$(run api-telemetry "$(awk '$1 == "api-telemetry" { print $2 }' "$work/urls")")
sampled=$(run api-sampled "$(awk '$1 == "api-sampled" { print $2 }' "$work/urls")")
live=$(run api-memory "$(awk '$1 == "api-memory" { print $2 }' "$work/urls")")
hop=$(run api-memory-hop "$(awk '$1 == "api-memory-hop" { print $2 }' "$work/urls")")

echo "POST /api/chat, wrk -t2 -c32, ${warmup} s warm-up then ${seconds} s per target, $(nproc) cores"
read -r _ bare_rps _ _ <<<"$bare"
for line in "$bare" "$api" "$telemetry" "$sampled" "$live" "$hop"; do
  read -r name rps p50 p99 <<<"$line"
  printf '  %-46s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  %5.3fx bare throughput\n' \
    "$(case $name in bare) echo 'bare Kestrel';; api) echo 'Jarvis.Api, memory unreachable';; api-telemetry) echo 'Jarvis.Api, memory unreachable, telemetry on';; api-sampled) echo '  the same, 10 % of traces sampled';; api-memory) echo 'Jarvis.Api + live memory';; *) echo '  the same, a Memory that stores nothing';; esac)" \
    "$rps" "$p50" "$p99" "$(echo "$rps / $bare_rps" | bc -l)"
done
read -r _ off_rps off_p50 _ <<<"$api"
cost() {
  read -r _ on_rps on_p50 _ <<<"$2"
  printf '  telemetry cost, %-22s %5.1f %% of throughput, %+.3f ms p50, %+.1f us of server time per request (1/throughput)\n' \
    "$1:" "$(echo "(1 - $on_rps / $off_rps) * 100" | bc -l)" "$(echo "$on_p50 - $off_p50" | bc -l)" \
    "$(echo "(1 / $on_rps - 1 / $off_rps) * 1000000" | bc -l)"
}
cost "every trace" "$telemetry"
cost "10 % of traces" "$sampled"
read -r _ live_rps _ _ <<<"$live"
read -r _ hop_rps _ _ <<<"$hop"
printf '  live memory: %.3fx the memory-unreachable turn (goal 0.5x); the hop to a Memory that stores nothing: %.3fx\n' \
  "$(echo "$live_rps / $off_rps" | bc -l)" "$(echo "$hop_rps / $off_rps" | bc -l)"
