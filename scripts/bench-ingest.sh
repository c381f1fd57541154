#!/usr/bin/env bash
# `make bench-ingest`: × realtime of `callqa ingest` on a generated batch (BENCH_BATCH calls,
# default 100, of 1-6 minutes, mixed codecs: µ-law, A-law, PCM16, GSM mono, FLAC) with 1 and
# 2 jobs, beside libsndfile's decode-only floor and the peers run on the same files in the
# same run: webrtcvad (PyPI webrtcvad-wheels, mode 3, 30 ms frames), ffmpeg silencedetect, and
# sox's silence effect. Peak RSS of each. Writes bench-out/ingest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_DIR:-bench-out}
n=${BENCH_BATCH:-100}
batch="$out/batch-$n"
mkdir -p "$batch"
swift build -c release --product callqa >/dev/null
swift build -c release --product callqa-bench >/dev/null
python3 -c "import webrtcvad" 2>/dev/null || pip install -q webrtcvad-wheels
command -v ffmpeg >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq ffmpeg >/dev/null; }
if [ ! -f "$batch/manifest.csv" ]; then
    python3 - "$batch" "$n" <<'PY'
import os, random, subprocess, sys
batch, n = sys.argv[1], int(sys.argv[2])
r = random.Random(9)
src = sorted(f for f in os.listdir("SampleAudio") if f.endswith(".wav") and "gsm" not in f)
codecs = [("ulaw", ["-e", "u-law"], "wav"), ("alaw", ["-e", "a-law"], "wav"), ("pcm16", ["-e", "signed-integer", "-b", "16"], "wav"),
          ("gsm", ["-c", "1", "-e", "gsm-full-rate"], "wav"), ("flac", ["-b", "16"], "flac")]
with open(os.path.join(batch, "manifest.csv"), "w") as m:
    m.write("call_id,recording,agent_id,started_at,wait_s,answered\n")
    for i in range(n):
        minutes = r.uniform(1, 6)
        parts = [os.path.join("SampleAudio", r.choice(src)) for _ in range(int(minutes * 60 / 30) + 1)]
        name, enc, ext = codecs[i % len(codecs)]
        path = os.path.join(batch, f"b{i:04d}-{name}.{ext}")
        subprocess.run(["sox", *parts, *enc, path, "trim", "0", f"{minutes * 60:.1f}"], check=True)
        m.write(f"b{i:04d},{os.path.basename(path)},a{i % 10},2026-11-24T{8 + i % 10:02d}:{i % 60:02d}:00+01:00,5,true\n")
PY
fi
audio=$(python3 -c "
import subprocess, glob
print(sum(float(subprocess.run(['soxi', '-D', f], capture_output=True, text=True).stdout) for f in glob.glob('$batch/*.wav') + glob.glob('$batch/*.flac')))")
files=$(ls "$batch"/*.wav "$batch"/*.flac)
run() {  # label command...
    local label=$1; shift
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -o "$out/time.txt" -f "%M" "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    python3 -c "s=$end-$start; print(f'{\"$label\":<40} {s:8.1f} s  {$audio/s:8.0f}× realtime  peak RSS {$(tail -1 "$out/time.txt")/1024:7.1f} MB')" | tee -a "$out/ingest.txt"
}
: > "$out/ingest.txt"
echo "== batch: $n calls, $(python3 -c "print(f'{$audio/3600:.1f}')") h of audio, $(nproc) core(s)"
run "libsndfile float decode only (1 core)" taskset -c 0 .build/release/callqa-bench --decode-only $files
for jobs in 1 2; do
    rm -f "$out/bench-ingest.sqlite"*
    run "callqa ingest --jobs $jobs" .build/release/callqa ingest "$batch/manifest.csv" --db "$out/bench-ingest.sqlite" --jobs "$jobs"
done
run "callqa ingest again (unchanged, skipped)" .build/release/callqa ingest "$batch/manifest.csv" --db "$out/bench-ingest.sqlite"
run "webrtcvad mode 3 (1 core, sox decode)" taskset -c 0 python3 scripts/peer-webrtcvad.py $files
run "ffmpeg silencedetect (1 core)" taskset -c 0 sh -c 'for f in "$@"; do ffmpeg -nostdin -v error -threads 1 -i "$f" -af silencedetect=n=-40dB:d=0.5 -f null - ; done' sh $files
run "sox silence effect (1 core)" taskset -c 0 sh -c 'for f in "$@"; do sox "$f" -n silence 1 0.1 1% -1 0.5 1% ; done' sh $files
python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
rows = []
for line in open(f"{out}/ingest.txt"):
    m = re.match(r"(.+?)\s+([\d.]+) s\s+(\d+)× realtime\s+peak RSS\s+([\d.]+) MB", line)
    if m:
        rows.append({"run": m.group(1).strip(), "seconds": float(m.group(2)), "realtime": int(m.group(3)), "peak_rss_mb": float(m.group(4))})
json.dump(rows, open(f"{out}/ingest.json", "w"), indent=1)
PY
