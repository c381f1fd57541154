#!/usr/bin/env bash
# Every output a user sees, written to one folder, so that two builds can be compared byte
# for byte (`diff -r`): a restructuring must not change any of them.
#
#   bash scripts/snapshot-outputs.sh BIN OUT [AUDIO_DIR...]
#
# BIN: a callqa binary. OUT: the folder to write (replaced). AUDIO_DIR: more folders whose
# recordings `analyze --format json --segments` measures (e.g. the accuracy harness's
# accuracy-out/tuning and accuracy-out/heldout); SampleAudio is always measured.
# The work happens in one fixed folder (/tmp/callqa-snapshot-work), so paths printed in the
# outputs are the same for both builds; the HTML "generated" time is blanked.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "$1"); out=$2; shift 2
work=/tmp/callqa-snapshot-work
# One snapshot at a time on a machine: they share the work folder (so paths match).
exec 9>/tmp/callqa-snapshot.lock
flock 9
rm -rf "$work" "$out" && mkdir -p "$work" "$out"
cp -r SampleAudio "$work/day" && cp -r Scorecards "$work/Scorecards"
db="$work/qa.sqlite"
q() { # name, then the command's arguments: stdout, stderr and the exit status
    local name=$1; shift
    (cd "$work" && "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err"; echo $? >"$out/$name.rc")
}
for dir in SampleAudio "$@"; do
    tag=$(basename "$dir")
    find "$dir" -maxdepth 1 -type f \( -name '*.wav' -o -name '*.mp3' -o -name '*.flac' -o -name '*.ogg' \) | sort >"$work/list"
    xargs -a "$work/list" -d '\n' "$bin" analyze --format json --segments >"$out/analyze-$tag.jsonl" 2>"$out/analyze-$tag.err"
    xargs -a "$work/list" -d '\n' "$bin" analyze >"$out/analyze-$tag.txt" 2>&1
done
q run run day --db "$db" --scorecards Scorecards --out report
q run-again run day --db "$db" --scorecards Scorecards --out report
q lint scorecard lint Scorecards
q score score --db "$db" --scorecards Scorecards
for f in table csv json html; do
    q "agents.$f" report agents --db "$db" --format "$f"
    q "agents-a1.$f" report agents --db "$db" --format "$f" --agent a1
    q "agent-a1.$f" report agent a1 --db "$db" --format "$f"
    q "agent-a2.$f" report agent a2 --db "$db" --format "$f"
    q "call-c-003.$f" report call c-003 --db "$db" --format "$f"
    q "call-c-001.$f" report call c-001 --db "$db" --format "$f"
    q "kpi.$f" report kpi --db "$db" --format "$f"
    q "kpi-by.$f" report kpi --db "$db" --format "$f" --by queue --by hour
    q "kpi-tz.$f" report kpi --db "$db" --format "$f" --tz Europe/Berlin --by day
    q "kpi-agent.$f" report kpi --db "$db" --format "$f" --agent a1
    q "nps.$f" report nps --db "$db" --format "$f"
    q "nps-by.$f" report nps --db "$db" --format "$f" --by agent --by queue
    q "nps-team.$f" report nps --db "$db" --format "$f" --team Blue
done
q explain explain c-003 --db "$db"
q unknown-agent report agent zz --db "$db"
q empty-period report agents --db "$db" --from 2020-01-01 --to 2020-01-02
q split report agents --db "$db" --split-dir split
q template evaluations template --db "$db" --scorecard order-confirmation
cp -r "$work/report" "$out/report"; cp -r "$work/split" "$out/split" 2>/dev/null
# The time a page was generated is the only thing that may differ.
find "$out" -type f \( -name '*.html' -o -name '*.out' \) -exec sed -i -E \
    's/(generated[^0-9]{0,40})[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9:]{5})/\1GENERATED/gI; s/at [0-9]+× realtime/at N× realtime/g' {} +
echo "snapshot: $(find "$out" -type f | wc -l) files in $out"
