#!/usr/bin/env bash
# A voice turn's latency, on loopback with the built Jarvis.Voice (flite, pocketsphinx) and Jarvis.Api (no LLM: the
# offline responder; memory unreachable, so turns skip it). The utterance is a 3-second recording flite speaks once;
# its answer is the offline responder's several-sentence reply. Measured, alternating, N times each (default 10,
# after 2 warm-up rounds):
#   - POST /api/voice with Accept: text/event-stream: time to the first `audio` event (speech can start) and to `done`;
#   - the sequence a client would make without it: POST /api/stt, then POST /api/tts of the same reply, in turn.
# Prints the medians and the ratio first audio / sequence (goal: at most 0.6).
# Usage: bench/voice-turn.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-10}"

for tool in python3 flite pocketsphinx_continuous; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run ./test.sh once, or apt-get install python3 flite pocketsphinx pocketsphinx-en-us" >&2; exit 1; }
done

dotnet build Jarvis.sln -c Release -nologo -v quiet >/dev/null
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
voice_port=$(port)
api_port=$(port)

(cd Jarvis.Voice && ASPNETCORE_ENVIRONMENT=Production exec dotnet bin/Release/net10.0/Jarvis.Voice.dll --urls "http://127.0.0.1:$voice_port") >"$work/voice.log" 2>&1 &
pids+=($!)
(cd Jarvis.Api && ASPNETCORE_ENVIRONMENT=Production Jarvis__ApiKey=bench-key Jarvis__VoiceUrl="http://127.0.0.1:$voice_port" \
  Jarvis__MemoryUrl=http://127.0.0.1:1 Jarvis__ChatRequestsPerMinute=100000 \
  exec dotnet bin/Release/net10.0/Jarvis.Api.dll --urls "http://127.0.0.1:$api_port") >"$work/api.log" 2>&1 &
pids+=($!)

python3 - "$voice_port" "$api_port" "$rounds" <<'PY'
import http.client, json, statistics, struct, sys, time

voice_port, api_port, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
KEY = {"X-API-Key": "bench-key"}

def wait(port, path):
    deadline = time.time() + 60
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5); c.request("GET", path)
            if c.getresponse().status == 200: return
        except OSError: pass
        if time.time() > deadline: sys.exit(f"port {port} did not answer {path}")
        time.sleep(0.3)

def post(port, path, body, headers):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("POST", path, body=body, headers=headers)
    r = c.getresponse(); data = r.read()
    if r.status != 200: sys.exit(f"POST {path}: {r.status} {data[:300]!r}")
    return data

wait(voice_port, "/health"); wait(api_port, "/alive")
utterance = "tell me a long story about a dragon in the mountains"
wav = bytearray(post(voice_port, "/api/tts", json.dumps({"text": utterance, "language": "en"}), {"Content-Type": "application/json"}))
struct.pack_into("<I", wav, 4, len(wav) - 8); struct.pack_into("<I", wav, 40, len(wav) - 44)
seconds = (len(wav) - 44) / struct.unpack_from("<i", wav, 28)[0]
wav = bytes(wav)

def voice_turn():
    started = time.perf_counter(); first = None; reply = None; pieces = 0
    c = http.client.HTTPConnection("127.0.0.1", api_port, timeout=60)
    c.request("POST", "/api/voice?language=en", body=wav, headers={**KEY, "Content-Type": "audio/wav", "Accept": "text/event-stream"})
    r = c.getresponse()
    if r.status != 200: sys.exit(f"POST /api/voice: {r.status} {r.read()[:300]!r}")
    event = None
    for line in r:
        line = line.decode().rstrip("\n")
        if line.startswith("event: "): event = line[7:]
        elif line.startswith("data: ") and event == "audio":
            pieces += 1
            if first is None: first = time.perf_counter() - started
        elif line.startswith("data: ") and event == "done": reply = json.loads(line[6:])["reply"]; break
    if first is None: sys.exit("the voice turn sent no audio")
    return first, time.perf_counter() - started, (reply, pieces)

def sequence(reply):
    started = time.perf_counter()
    post(voice_port, "/api/stt?language=en", wav, {"Content-Type": "audio/wav"})
    heard = time.perf_counter() - started
    post(voice_port, "/api/tts", json.dumps({"text": reply, "language": "en"}), {"Content-Type": "application/json"})
    return heard, time.perf_counter() - started

_, _, (reply, pieces) = voice_turn()
for _ in range(2): voice_turn(); sequence(reply)
firsts, totals, stts, sequences = [], [], [], []
for _ in range(rounds):
    f, t, _ = voice_turn(); firsts.append(f); totals.append(t)
    heard, whole = sequence(reply); stts.append(heard); sequences.append(whole)

ms = lambda xs: statistics.median(xs) * 1000
print(f"Voice turn, {seconds:.1f} s utterance, offline responder reply of {len(reply)} characters spoken in {pieces} pieces, {rounds} rounds, median:")
print(f"  POST /api/voice (events)   first audio {ms(firsts):7.0f} ms   done {ms(totals):7.0f} ms")
print(f"  /api/stt then /api/tts     {ms(sequences):7.0f} ms   (of which /api/stt {ms(stts):.0f} ms)")
print(f"  first audio / sequence     {statistics.median(firsts) / statistics.median(sequences):.2f}x   (goal <= 0.6x)")
PY
