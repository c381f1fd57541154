#!/usr/bin/env bash
# `make bench-store`: a synthetic year (default 1,000,000 calls, 300,000 surveys) in a callqa
# database, report latency over a month and the year, database size per million calls, and
# NPS / evaluations import throughput on 1,000,000-row files with peak memory.
# BENCH_CALLS / BENCH_SURVEYS / BENCH_IMPORT_ROWS change the sizes. Writes bench-out/store.json.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_DIR:-bench-out}
calls=${BENCH_CALLS:-1000000}
surveys=${BENCH_SURVEYS:-300000}
rows=${BENCH_IMPORT_ROWS:-1000000}
mkdir -p "$out"
swift build -c release --product callqa >/dev/null
swift build -c release --product callqa-storebench >/dev/null
db="$out/store-$calls.sqlite"
if [ ! -f "$db" ]; then
    .build/release/callqa-storebench generate "$db" --calls "$calls" --surveys "$surveys"
fi
.build/release/callqa-storebench time "$db" --json "$out/store-latency.json"
echo
echo "== import throughput ($rows rows, one transaction each)"
python3 - "$out" "$rows" <<'PY'
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
r = random.Random(1)
with open(f"{out}/calls-import.csv", "w") as f:
    f.write("call_id,agent_id,started_at,wait_s,answered\n")
    for i in range(n):
        f.write(f"k{i},a{i % 50},2026-11-{1 + i % 28:02d}T{9 + i % 10:02d}:{i % 60:02d}:00+01:00,{i % 40},true\n")
with open(f"{out}/surveys-1m.csv", "w") as f:
    f.write("survey_id,call_id,score,answered_at,comment\n")
    for i in range(n):
        f.write(f"s{i},k{i % (n // 2)},{r.randint(0, 10)},2026-11-{1 + i % 28:02d}T18:00:00+01:00,comment {i}\n")
crit = ["greeting", "identity"]
with open(f"{out}/evaluations-1m.csv", "w") as f:
    f.write("call_id,scorecard,criterion,answer,evaluator,evaluated_at,comment\n")
    for i in range(n):
        f.write(f"k{i // 2},bench,{crit[i % 2]},{r.choice(['yes','no','partial','n/a'])},QA {i % 9},2026-11-{1 + i % 28:02d}T18:00:00+01:00,\n")
with open(f"{out}/bench-card.yaml", "w") as f:
    f.write("version: 1\nid: bench\nname: Bench\nsections:\n  - id: s\n    criteria:\n"
            "      - { id: greeting, text: Greeting, manual: yes_no }\n      - { id: identity, text: Identity, manual: yes_no }\n")
PY
idb="$out/import.sqlite"
rm -f "$idb" "$idb"-wal "$idb"-shm "$out"/ingest-only.sqlite*
mkdir -p "$out/none"
: > "$out/imports.txt"
.build/release/callqa ingest "$out/calls-import.csv" --db "$idb" --audio-root "$out/none" >/dev/null 2>&1 || true
measure() {  # name, rows, command...
    local name=$1 n=$2; shift 2
    local start end rss
    start=$(date +%s.%N)
    /usr/bin/time -o "$out/time.txt" -f "%M" "$@" >/dev/null 2>&1 || true
    rss=$(tail -1 "$out/time.txt")
    end=$(date +%s.%N)
    python3 -c "import sys; s=$end-$start; print(f'{\"$name\":<22} {$n:>9} rows  {s:7.1f} s  {$n/s:9.0f} rows/s  peak RSS {$rss/1024:6.1f} MB')" | tee -a "$out/imports.txt"
}
measure "ingest (records only)" "$rows" .build/release/callqa ingest "$out/calls-import.csv" --db "$out/ingest-only.sqlite" --audio-root "$out/none"
measure "nps import" "$rows" .build/release/callqa nps import "$out/surveys-1m.csv" --db "$idb"
measure "nps re-import" "$rows" .build/release/callqa nps import "$out/surveys-1m.csv" --db "$idb"
measure "evaluations import" "$rows" .build/release/callqa evaluations import "$out/evaluations-1m.csv" --db "$idb" --scorecards "$out/bench-card.yaml"
measure "evaluations re-import" "$rows" .build/release/callqa evaluations import "$out/evaluations-1m.csv" --db "$idb" --scorecards "$out/bench-card.yaml"
python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
imports = []
for line in open(f"{out}/imports.txt"):
    m = re.match(r"(.+?)\s+(\d+) rows\s+([\d.]+) s\s+(\d+) rows/s\s+peak RSS\s+([\d.]+) MB", line)
    if m:
        imports.append({"run": m.group(1).strip(), "rows": int(m.group(2)), "seconds": float(m.group(3)),
                        "rows_per_s": int(m.group(4)), "peak_rss_mb": float(m.group(5))})
latency = json.load(open(f"{out}/store-latency.json"))
json.dump({"latency": latency, "imports": imports}, open(f"{out}/store.json", "w"), indent=1)
PY
echo "wrote $out/store.json"
