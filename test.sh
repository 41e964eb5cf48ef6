#!/usr/bin/env bash
# Runs every Jarvis test. Installs what the tests need first, so it works on a fresh machine with the .NET SDK.
# Ends with one line: "N passed, N failed[, N skipped]", summed from the test results; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"

# OS packages the tests use (Debian/Ubuntu): chromium for the browser tests of the Aspire dashboard; flite, espeak-ng,
# pocketsphinx (+ en-us model) and sox for the voice engines; prometheus (promtool and a server) for the /metrics tests;
# python3 to start the app host with SIGINT restored.
packages=(python3 chromium flite espeak-ng pocketsphinx pocketsphinx-en-us sox prometheus)
if [ ${#packages[@]} -gt 0 ]; then
  missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

results="${TEST_RESULTS_DIR:-$PWD/TestResults}"
rm -rf "$results"
configuration="${CONFIGURATION:-Release}"
# The browser tests' screenshots of each dashboard page are artifacts of the run, beside its results.
export JARVIS_SCREENSHOTS="$results/screenshots"

dotnet build Jarvis.sln -c "$configuration" -nologo -v quiet
build_status=$?
if [ $build_status -ne 0 ]; then
  echo "0 passed, 1 failed"
  exit $build_status
fi

dotnet test Jarvis.sln -c "$configuration" --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
test_status=$?

passed=0; failed=0; skipped=0; found=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  found=1
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + $(value notExecuted)))
done

if [ $found -eq 0 ] || { [ $test_status -ne 0 ] && [ $failed -eq 0 ]; }; then
  # The runner failed without reporting a failed test (a crash, a hang): count it as a failure.
  failed=$((failed + 1))
fi

summary="$passed passed, $failed failed"
[ $skipped -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ $failed -eq 0 ] && [ $test_status -eq 0 ]
