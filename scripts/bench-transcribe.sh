#!/usr/bin/env bash
# Speed and memory of transcription (`make bench-transcribe`): English two-party calls of
# about 3 minutes (flite voices, mu-law stereo; generated once into bench-out/transcribe-calls
# by scripts/accuracy/transcripts.py), ingested, then `callqa transcribe` with each model, on one
# core (taskset, 1 job × 1 thread) and on every core (N jobs × 1 thread), timed with
# /usr/bin/time: × realtime per core = recording seconds / CPU seconds, peak RSS; the same for
# the acoustic analysis alone (ingest) for the ratio; and the cores a 1,000-seat day (8,000
# hours of recordings) would need. Writes bench-out/transcribe.json.
#
#   CALLQA_BIN=path   time this binary (skips the build)
#   BENCH_CALLS=n     calls (default 6)
#   BENCH_CALL_S=s    about how long each call is (default 180)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_DIR:-bench-out}
mkdir -p "$out"
if [ -n "${CALLQA_BIN:-}" ]; then bin=$CALLQA_BIN; else swift build -c release --product callqa >/dev/null; bin=.build/release/callqa; fi
models=${CALLQA_MODEL_DIR:-/usr/local/share/callqa/models}
calls=${BENCH_CALLS:-6}
seconds=${BENCH_CALL_S:-180}
dir="$out/transcribe-calls"
if [ "$(cat "$dir/.n" 2>/dev/null)" != "$calls $seconds" ]; then
    rm -rf "$dir"
    python3 -c "import sys; sys.path.insert(0, 'scripts/accuracy'); import transcripts as t; t.build_long('$dir', $calls, $seconds, 99)"
    echo "$calls $seconds" > "$dir/.n"
fi
cores=$(nproc)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "== transcription on $cores core(s): $cpu"
results="$out/transcribe-runs.txt"
: > "$results"
timed() { # label, command…
    local label=$1; shift
    local tf; tf=$(mktemp)
    /usr/bin/time -f "%e %U %S %M" -o "$tf" "$@" > "$out/last.json"
    read -r wall user sys rss < "$tf"
    rm -f "$tf"
    echo "$label $wall $user $sys $rss" >> "$results"
}
db="$out/transcribe.sqlite"
rm -f "$db" "$db-wal" "$db-shm"
timed "analysis-1core" taskset -c 0 "$bin" ingest "$dir/manifest.csv" --db "$db" --jobs 1 --format json
for model in ggml-base-q8_0.bin ggml-tiny.en-q8_0.bin; do
    timed "$model-1core" taskset -c 0 "$bin" transcribe --db "$db" --model "$models/$model" --jobs 1 --threads 1 --force --format json --language en
    cp "$out/last.json" "$out/transcribe-$model-1core.json"
    timed "$model-${cores}jobs" "$bin" transcribe --db "$db" --model "$models/$model" --jobs "$cores" --threads 1 --force --format json --language en
    cp "$out/last.json" "$out/transcribe-$model-${cores}jobs.json"
done
python3 - "$out" "$cores" "$cpu" <<'PY'
import json, sys
out, cores, cpu = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = {}
for line in open(f"{out}/transcribe-runs.txt"):
    label, wall, user, sys_, rss = line.split()
    runs[label] = {"wall_s": float(wall), "cpu_s": float(user) + float(sys_), "peak_rss_mb": round(int(rss) / 1024, 1)}
any_json = json.load(open(f"{out}/transcribe-ggml-base-q8_0.bin-1core.json"))
audio_s, speech_s = any_json["audio_s"], any_json["speech_s"]
rows = []
for label, r in runs.items():
    r["realtime_per_core"] = round(audio_s / r["cpu_s"], 2)
    r["realtime_wall"] = round(audio_s / r["wall_s"], 2)
    if label != "analysis-1core":
        # 8,000 hours a day on machines like this one, per core, busy around the clock.
        r["cores_for_8000_h_per_day"] = round(8000 / (24 * r["realtime_per_core"]), 1)
        r["cores_for_8000_h_in_12_h"] = round(8000 / (12 * r["realtime_per_core"]), 1)
    rows.append((label, r))
base = runs.get("ggml-base-q8_0.bin-1core")
ratio = round(runs["analysis-1core"]["realtime_per_core"] / base["realtime_per_core"]) if base else None
json.dump({"cpu": cpu, "cores": cores, "recordings_s": audio_s, "speech_s": speech_s, "runs": runs,
           "transcription_cost_vs_analysis": ratio}, open(f"{out}/transcribe.json", "w"), indent=1)
print(f"{len(open(f'{out}/transcribe-calls/manifest.csv').readlines()) - 1} calls, {audio_s / 60:.1f} min of recordings "
      f"({speech_s / 60:.1f} min of speech given to the recogniser, both parties)")
print(f"{'run':<34}{'wall s':>8}{'CPU s':>8}{'×rt/core':>10}{'peak MB':>9}{'cores 8000h/24h':>17}{'in 12 h':>9}")
for label, r in rows:
    print(f"{label:<34}{r['wall_s']:>8.1f}{r['cpu_s']:>8.1f}{r['realtime_per_core']:>10.1f}{r['peak_rss_mb']:>9.1f}"
          f"{r.get('cores_for_8000_h_per_day', ''):>17}{r.get('cores_for_8000_h_in_12_h', ''):>9}")
if ratio:
    print(f"transcription with base q8_0 costs about {ratio}× the acoustic analysis (CPU per recording second)")
PY
