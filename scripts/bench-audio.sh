#!/usr/bin/env bash
# Speed and memory of the analysis (issue: `make bench-audio`).
# Builds one-hour 8 kHz stereo µ-law and PCM16 calls (and 2-minute / 2-hour µ-law calls for
# memory) from SampleAudio by repetition, then prints × realtime on one core (decode-only vs
# full analysis) and the peak RSS of `callqa analyze` per file.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_DIR:-bench-out}
mkdir -p "$out"
swift build -c release --product callqa >/dev/null
swift build -c release --product callqa-bench >/dev/null
src=SampleAudio/c-004-pcm16.wav
# Built again when any of them is missing (a removed 2-hour call, say), from the sample call.
if [ ! -f "$out/1h-pcm16.wav" ] || [ ! -f "$out/1h-ulaw.wav" ] || [ ! -f "$out/2min-ulaw.wav" ] || [ ! -f "$out/2h-ulaw.wav" ]; then
    len=$(soxi -D "$src")
    reps=$(python3 -c "import math; print(math.ceil(3600/$len)-1)")
    sox "$src" "$out/tmp.wav" repeat "$reps"
    sox "$out/tmp.wav" -e signed-integer -b 16 "$out/1h-pcm16.wav" trim 0 3600
    sox "$out/1h-pcm16.wav" -e u-law "$out/1h-ulaw.wav"
    sox "$out/1h-ulaw.wav" "$out/2min-ulaw.wav" trim 0 120
    sox "$out/1h-ulaw.wav" "$out/1h-ulaw.wav" "$out/2h-ulaw.wav"
    rm -f "$out/tmp.wav"
fi
echo "== throughput, one core (best of 5) on $(nproc) core(s): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
taskset -c 0 .build/release/callqa-bench "$out/1h-ulaw.wav" "$out/1h-pcm16.wav" | tee "$out/audio.txt"

# Beside a reference measured in the same run (the issue's bar: no less than an earlier
# version's throughput): BENCH_REFERENCE names that version's callqa-bench binary, or
# BENCH_REFERENCE_REV a git revision whose callqa-bench is built once into
# $out/reference-<rev>/ (a git worktree there; a first build takes minutes). Both binaries
# run alternately BENCH_ROUNDS times (default 3) on one core; every round's figure is kept.
ref=${BENCH_REFERENCE:-}
if [ -z "$ref" ] && [ -n "${BENCH_REFERENCE_REV:-}" ]; then
    rev=$(git rev-parse --short "$BENCH_REFERENCE_REV")
    tree=$(cd "$out" && pwd)/reference-$rev
    if [ ! -x "$tree/.build/release/callqa-bench" ]; then
        # (`git worktree prune` first: `make clean` removes bench-out, not the registration.)
        [ -d "$tree" ] || { git worktree prune && git worktree add --detach "$tree" "$rev" >/dev/null; }
        (cd "$tree" && swift build -c release --product callqa-bench >/dev/null)
    fi
    ref="$tree/.build/release/callqa-bench"
fi
: > "$out/audio-reference.txt"
if [ -n "$ref" ]; then
    rounds=${BENCH_ROUNDS:-3}
    echo
    echo "== analysis beside the reference ($ref), alternated $rounds times, one core"
    for r in $(seq "$rounds"); do
        for who in current reference; do
            bin=.build/release/callqa-bench
            [ "$who" = reference ] && bin=$ref
            taskset -c 0 "$bin" "$out/1h-ulaw.wav" "$out/1h-pcm16.wav" | tail -n +2 | sed "s/^/$who /" >> "$out/audio-reference.txt"
        done
    done
    python3 - "$out" <<'PY'
import statistics, sys
out = sys.argv[1]
runs = {}
for line in open(f"{out}/audio-reference.txt"):
    p = line.split()
    if len(p) >= 5:
        runs.setdefault(p[1], {}).setdefault(p[0], []).append(float(p[4]))
print(f"{'file':16s} {'analysis ×rt (current)':>24s} {'analysis ×rt (reference)':>26s} {'median ratio':>13s}")
for f, r in runs.items():
    c, ref = r.get("current", []), r.get("reference", [])
    if not c or not ref:
        continue
    span = lambda v: f"{min(v):,.0f}–{max(v):,.0f}"
    print(f"{f:16s} {span(c):>24s} {span(ref):>26s} {statistics.median(c) / statistics.median(ref):13.3f}")
PY
fi
# With the site's hold music (`--hold-music`; Debian's asterisk-moh-opsound-wav, five pieces,
# or BENCH_HOLD_MUSIC): the landmark search costs an FFT per 32 ms of each channel.
moh=${BENCH_HOLD_MUSIC:-/usr/share/asterisk/moh}
: > "$out/audio-hold-music.txt"
if [ -d "$moh" ] || [ -f "$moh" ]; then
    echo
    echo "== analysis with the hold-music library $moh, one core (best of 5)"
    BENCH_HOLD_MUSIC=$moh taskset -c 0 .build/release/callqa-bench "$out/1h-ulaw.wav" | tee "$out/audio-hold-music.txt"
    for f in 1h-ulaw 2h-ulaw; do
        rss=$( { /usr/bin/time -f "%M" .build/release/callqa analyze --jobs 1 --format json --hold-music "$moh" "$out/$f.wav" >/dev/null; } 2>&1 | tail -1)
        printf "%-12s %8.1f MB peak RSS with the library\n" "$f" "$(echo "$rss/1024" | bc -l)" | tee -a "$out/audio-hold-music.txt"
    done
fi

echo
echo "== peak RSS of 'callqa analyze' (one file, one job)"
: > "$out/audio-rss.txt"
for f in 2min-ulaw 1h-ulaw 2h-ulaw 1h-pcm16; do
    rss=$( { /usr/bin/time -f "%M" .build/release/callqa analyze --jobs 1 --format json "$out/$f.wav" >/dev/null; } 2>&1 | tail -1)
    printf "%-12s %8.1f MB\n" "$f" "$(echo "$rss/1024" | bc -l)" | tee -a "$out/audio-rss.txt"
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows = []
for line in open(f"{out}/audio.txt").read().splitlines()[1:]:
    p = line.split()
    if len(p) >= 5:
        rows.append({"file": p[0], "audio_s": float(p[1]), "decode_realtime": float(p[2]), "analysis_realtime": float(p[3])})
rss = {l.split()[0]: float(l.split()[1]) for l in open(f"{out}/audio-rss.txt") if l.strip()}
reference = {}
for line in open(f"{out}/audio-reference.txt"):
    p = line.split()
    if len(p) >= 5:
        reference.setdefault(p[1], {}).setdefault(p[0], []).append(float(p[4]))
result = {"throughput": rows, "peak_rss_mb": rss}
if reference:
    result["analysis_realtime_rounds"] = reference
json.dump(result, open(f"{out}/audio.json", "w"), indent=1)
PY
