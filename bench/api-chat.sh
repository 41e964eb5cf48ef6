#!/usr/bin/env bash
# Requests per second and latency percentiles of a non-LLM chat turn (the offline responder's greeting) of Jarvis.Api
# on loopback, over REST and over a WebSocket, against a bare Kestrel endpoint in the same run, with the ratio.
# Usage: bench/api-chat.sh [requests]   (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Jarvis.sln -c Release -nologo -v quiet >/dev/null
dotnet run -c Release --no-build --project bench/Jarvis.Api.Benchmarks -- "$@"
