#!/usr/bin/env bash
# TTS and STT latency and real-time factor of Jarvis.Voice (issue 7) for a 3-second English utterance (flite's slt
# voice, pocketsphinx en-us), cold (the first request of a fresh service) and warm (median of 10), with time to first
# byte, the transcript and its word error rate, against the bare engines run as processes with the same arguments in
# the same run, with the ratios. Installs the Debian engine packages if they are missing.
# Usage: bench/voice.sh
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(flite espeak-ng pocketsphinx pocketsphinx-en-us sox)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
dotnet build Jarvis.sln -c Release -nologo -v quiet >/dev/null
dotnet run -c Release --no-build --project bench/Jarvis.Voice.Benchmarks -- "$@"
