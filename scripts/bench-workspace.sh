#!/usr/bin/env bash
# `make bench-workspace`: load on the workspace (`callqa serve`) with wrk over loopback, on the
# synthetic database of `make bench-store` (default 1,000,000 calls, 300,000 surveys; made
# here when missing), logged in as a qa account: the overview (/), the calls page (/calls),
# a call page (/calls/ID) and the first audio bytes (/calls/ID/audio, Range: bytes=0-1023).
# Prints p50 / p95 / p99 and requests per second per route, once idle and once while
# `callqa ingest` writes record-only calls into the same database in a loop. Aim: p95 under
# 300 ms on 2 cores. Writes bench-out/workspace.json.
#
# BENCH_CALLS / BENCH_SURVEYS: database size. WRK_THREADS (2), WRK_CONNECTIONS (32),
# WRK_DURATION (10s), WRK_TIMEOUT (10s: slower answers count as errors).
# CALLQA_BIN / STOREBENCH_BIN: use these binaries, skip the build.
# INGEST_BATCH (5000): calls per ingest round during the loaded run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_DIR:-bench-out}
calls=${BENCH_CALLS:-1000000}
surveys=${BENCH_SURVEYS:-300000}
threads=${WRK_THREADS:-2}
conns=${WRK_CONNECTIONS:-32}
duration=${WRK_DURATION:-10s}
batch=${INGEST_BATCH:-5000}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -z "${CALLQA_BIN:-}" ]; then
    swift build -c release --product callqa >/dev/null
    CALLQA_BIN=$PWD/.build/release/callqa
fi
if [ -z "${STOREBENCH_BIN:-}" ]; then
    swift build -c release --product callqa-storebench >/dev/null
    STOREBENCH_BIN=$PWD/.build/release/callqa-storebench
fi
if ! command -v wrk >/dev/null; then   # Debian package wrk, as scripts/setup.sh installs its own
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq wrk >/dev/null
fi

db="$out/store-$calls.sqlite"
if [ ! -f "$db" ]; then
    "$STOREBENCH_BIN" generate "$db" --calls "$calls" --surveys "$surveys"
fi

# The qa account (kept between runs; its password is reset each run only when missing).
password="bench-workspace-$calls"
if ! printf '%s\n' "$password" | "$CALLQA_BIN" users add benchqa --role qa --password-stdin --db "$db" >/dev/null 2>&1; then
    echo "(account benchqa exists already)"
fi

# One call with a real recording (the generated calls have none that exists on disk): c-001
# of SampleAudio, copied, ingested under the id bench-audio.
audio_dir="$out/workspace-audio"
mkdir -p "$audio_dir"
cp SampleAudio/c-001-ulaw.wav "$audio_dir/bench-audio.wav"
cat > "$audio_dir/manifest.csv" <<'CSV'
call_id,recording,agent_id,agent_name,team,queue,direction,started_at,wait_s,answered,talk_s,hold_s,acw_s
bench-audio,bench-audio.wav,ag1,Agent 1,Red,support,inbound,2026-11-24T09:02:10+01:00,8,true,43.7,0,30
CSV
"$CALLQA_BIN" ingest "$audio_dir/manifest.csv" --db "$db" --audio-root "$audio_dir" >/dev/null
call_id=g$((calls / 2))   # the generator's calls are g0 … g(N-1)

# The server on a free port.
log="$out/workspace-serve.log"
"$CALLQA_BIN" serve --db "$db" --port 0 >"$log" 2>&1 &
serve_pid=$!
ingest_pid=
cleanup() {
    [ -n "$ingest_pid" ] && kill "$ingest_pid" 2>/dev/null || true
    kill "$serve_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT
base=
for _ in $(seq 1 300); do
    base=$(sed -n 's|^callqa workspace: \(http://[^ ]*\)/ .*|\1|p' "$log")
    [ -n "$base" ] && break
    kill -0 "$serve_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$base" ] || { echo "bench-workspace: the server printed no port" >&2; cat "$log" >&2; exit 1; }
echo "serving $db at $base"

# Log in: the login form's cookie and CSRF field, then the session cookie.
jar="$out/workspace-cookies.txt"
rm -f "$jar"
csrf=$(curl -sf -c "$jar" "$base/login" | sed -n 's|.*name="csrf" value="\([^"]*\)".*|\1|p' | head -1)
curl -sf -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "name=benchqa" \
    --data-urlencode "password=$password" "$base/login"
session=$(awk '$6 == "callqa_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "bench-workspace: login failed" >&2; exit 1; }
cookie="Cookie: callqa_session=$session"
for path in / /calls "/calls/$call_id" /calls/bench-audio/audio; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "$cookie" -H 'Range: bytes=0-1023' "$base$path")
    echo "GET $path -> $code"
done

lua="$out/workspace-wrk.lua"
cat > "$lua" <<'LUA'
done = function(summary, latency, requests)
    local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format("WRK %d %.1f %.1f %.1f %.1f %d %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors, summary.errors.timeout))
end
LUA

results="$out/workspace-results.txt"
single() {  # path: one request alone, in ms
    curl -s -o /dev/null -m 300 -w '%{time_total}' -H "$cookie" -H 'Range: bytes=0-1023' "$base$1" | awk '{ printf "%.1f", $1 * 1000 }'
}
drain() {  # wait until requests wrk left queued in the server are answered (a cheap page answers fast again)
    for _ in $(seq 1 120); do
        t=$(curl -s -o /dev/null -m 300 -w '%{time_total}' -H "$cookie" "$base/calls/$call_id")
        awk -v t="$t" 'BEGIN { exit !(t < 0.5) }' && return
        sleep 1
    done
}
run_table() {  # label
    local label=$1
    echo
    echo "== $label: wrk -t$threads -c$conns -d$duration --latency (alone: one request, no other load from wrk)"
    printf '%-46s %9s %9s %9s %9s %9s %8s %8s\n' route "alone ms" "p50 ms" "p95 ms" "p99 ms" "req/s" requests timeouts
    for route in "overview|/" "calls page|/calls" "call page|/calls/$call_id" "audio first 1 KiB|/calls/bench-audio/audio"; do
        local name=${route%%|*} path=${route#*|} extra=()
        [ "$name" = "audio first 1 KiB" ] && extra=(-H 'Range: bytes=0-1023')
        local line alone
        drain
        alone=$(single "$path")
        line=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency --timeout "${WRK_TIMEOUT:-10s}" -s "$lua" -H "$cookie" "${extra[@]}" "$base$path" | grep '^WRK ' || true)
        if [ -z "$line" ]; then echo "$name: wrk failed" >&2; continue; fi
        read -r _ n rps p50 p95 p99 errs tmo <<<"$line"
        printf '%-46s %9s %9s %9s %9s %9s %8s %8s\n' "$name ($path)" "$alone" "$p50" "$p95" "$p99" "$rps" "$n" "$tmo"
        echo "$label|$name|$path|$n|$rps|$p50|$p95|$p99|$errs|$tmo|$alone" >>"$results"
    done
    drain
}
: >"$results"
run_table "idle"

# The same while `callqa ingest` writes: rounds of $batch new record-only calls.
python3 - "$out" "$batch" "$(date +%s)" <<'PY'
import sys
out, n, stamp = sys.argv[1], int(sys.argv[2]), sys.argv[3]   # new call ids each run: real inserts
for r in range(40):
    with open(f"{out}/workspace-ingest-{r}.csv", "w") as f:
        f.write("call_id,agent_id,started_at,wait_s,answered\n")
        for i in range(n):
            f.write(f"w{stamp}-{r}-{i},ag{i % 50},2026-11-{1 + i % 28:02d}T{9 + i % 10:02d}:{i % 60:02d}:00+01:00,{i % 40},true\n")
PY
mkdir -p "$out/none"
rounds="$out/workspace-ingest-rounds.txt"
: >"$rounds"
(
    for r in $(seq 0 39); do
        start=$(date +%s.%N)
        "$CALLQA_BIN" ingest "$out/workspace-ingest-$r.csv" --db "$db" --audio-root "$out/none" >/dev/null 2>&1 || true
        echo "$start $(date +%s.%N)" >>"$rounds"
    done
) &
ingest_pid=$!
sleep 1
run_table "while ingest writes ($batch record-only calls per round)"
kill "$ingest_pid" 2>/dev/null || true
wait "$ingest_pid" 2>/dev/null || true
ingest_pid=
python3 - "$out" "$batch" <<'PY'
import json, sys
out, batch = sys.argv[1], int(sys.argv[2])
rows = []
for line in open(f"{out}/workspace-results.txt"):
    label, name, path, n, rps, p50, p95, p99, errs, tmo, alone = line.rstrip("\n").split("|")
    rows.append({"run": label, "route": name, "path": path, "requests": int(n), "rps": float(rps),
                 "p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99), "errors": int(errs),
                 "timeouts": int(tmo), "alone_ms": float(alone)})
spans = [tuple(map(float, l.split())) for l in open(f"{out}/workspace-ingest-rounds.txt") if l.strip()]
took = [b - a for a, b in spans]
if took:
    print(f"\ningest during the loaded run: {len(took)} rounds of {batch} calls, {min(took):.1f}–{max(took):.1f} s each")
over = [r for r in rows if r["p95_ms"] >= 300 or r["requests"] == 0 or r["timeouts"] > 0]
print("p95 < 300 ms on every route" if not over else
      "p95 >= 300 ms (or answers slower than the wrk timeout, which the percentiles leave out): "
      + ", ".join(f"{r['route']} ({r['run']}) {r['p95_ms']:.0f} ms, {r['timeouts']} timeouts" for r in over))
json.dump({"routes": rows, "ingest_round_s": took, "ingest_batch": batch}, open(f"{out}/workspace.json", "w"), indent=1)
PY
echo "wrote $out/workspace.json"
