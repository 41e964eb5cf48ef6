#!/usr/bin/env bash
# The load, fault and fuzz suite (issue 16): builds in Release, then runs the tests of Jarvis.Tests/Reliability with
# the load lasting the given time (JARVIS_RELIABILITY_SECONDS; CI runs them at their 30 s default), and prints the
# figures they report. Everything is on loopback, bounded, and stops by itself; the real Jarvis.Api and Jarvis.Memory
# run as child processes, Ollama is the tests' fake (specs/ollama-api.md). The tests:
#   - load: mixed REST (JSON and server-sent events), WebSocket and OpenAI-compatible (plain and streaming) turns from
#     12 clients against the Api with a live Memory: errors (5xx, failed connections, cut replies), 429s, p50/p95/p99
#     per channel, the Api's RSS in the first and second half after the warm-up (asserted within ±10 %);
#   - 1,000 idle WebSockets: the Api's extra RSS (goal ≤ 60 MB), every socket still answering a ping;
#   - faults: Memory SIGKILLed under load right after an acknowledged turn (replies say memory is unavailable, the Api
#     uses it again within 10 s of its restart, 0 acknowledged turns lost); SIGTERM to the Api under load (0 replies
#     cut, every socket told `shutdown` and closed with 1001, exit 0); Ollama failing mid-answer ({"error"} line, reset
#     connection: clean errors on every channel), slow (whole replies) and stalled (stop or leaving frees the turn and
#     its stream); and the fuzz and secret-leak tests beside them.
# Latencies are reported, never asserted. Run it on an idle machine: other load moves the latencies, not the verdicts.
# Usage: bench/reliability.sh [seconds]   (default 300, the published figures; the whole run takes about 5 min more)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"

report=$(mktemp)
trap 'rm -f "$report" "$report.log"' EXIT
dotnet build Jarvis.sln -c Release -nologo -v quiet >"$report.log" 2>&1 || { cat "$report.log" >&2; exit 1; }

status=0
started=$(date +%s)
JARVIS_RELIABILITY_SECONDS="$seconds" JARVIS_RELIABILITY_REPORT="$report" \
  dotnet test Jarvis.Tests -c Release --no-build --filter "FullyQualifiedName~Jarvis.Tests.Reliability" >"$report.log" 2>&1 || status=$?

echo "Reliability suite, load ${seconds} s, $(nproc) cores, $(date -u +%Y-%m-%d)"
cat "$report"
grep -E "^\s*(Failed|Passed|Skipped)!|^\s*Failed [A-Za-z]|Error Message:" -A3 "$report.log" | grep -v "^--$" || true
echo "whole run $(( $(date +%s) - started )) s, exit status $status"
exit "$status"
