#!/usr/bin/env bash
# The app host's dashboard (issue 6): ingest throughput of its OTLP/HTTP receiver in spans per second (pre-built protobuf
# export requests of 100 traces x 10 spans from two resources, 4 concurrent clients), in memory and with SQLite storage,
# against parsing the same bodies in-process alone; then the median time for a headless Debian chromium to render the
# traces page, and of its GET /api/telemetry/traces call, with 10,000 traces stored against a fresh dashboard with 10,
# with the ratios. Installs chromium if it is missing (Playwright never downloads a browser here).
# Usage: bench/dashboard.sh [spans]   (default 200,000)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dpkg -s chromium >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
dotnet build Jarvis.sln -c Release -nologo -v quiet >/dev/null
dotnet run -c Release --no-build --project bench/Jarvis.Dashboard.Benchmarks -- "$@"
