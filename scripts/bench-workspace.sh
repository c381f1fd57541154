#!/usr/bin/env bash
# `make bench-workspace`: load on the workspace (`callqa serve`) with wrk over loopback, on the
# synthetic database of `make bench-store` (default 1,000,000 calls, 300,000 surveys; made
# here when missing), logged in as a qa account: the overview (/), the calls page (/calls),
# a call page (/calls/ID) and the first audio bytes (/calls/ID/audio, Range: bytes=0-1023).
# Each route is loaded twice: with one URL over and over ("same URL"), and with a list of
# URLs picked at random per request ("varied": other periods, filters, sorts, pages, calls,
# byte ranges and channels), so that no figure is only the cost of answering one request
# again. Both idle, then while `callqa ingest` writes record-only calls into the same
# database in a loop. Prints p50 / p95 / p99 and requests per second per route and mode.
# Aim: p95 under 300 ms on 2 cores. Writes bench-out/workspace.json.
#
# Every run starts from the same database: the first run keeps a copy of it as made
# (`store-N.pristine.sqlite`, with the bench account and recording) and later runs restore
# it (BENCH_RESTORE=0: use the database as it is), so the calls the loaded run ingests do not
# pile up from run to run.
#
# BENCH_CALLS / BENCH_SURVEYS: database size. WRK_THREADS (2), WRK_CONNECTIONS (32),
# WRK_DURATION (10s), WRK_TIMEOUT (10s: slower answers count as errors).
# CALLQA_BIN / STOREBENCH_BIN: use these binaries, skip the build.
# INGEST_BATCH (5000): calls per ingest round during the loaded run.
# BENCH_MODES ("same varied"): which URL modes to run; "varied-uncached" is added when the
# callqa under test has a page cache (a second server with --page-cache 0).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${BENCH_DIR:-bench-out}
calls=${BENCH_CALLS:-1000000}
surveys=${BENCH_SURVEYS:-300000}
threads=${WRK_THREADS:-2}
conns=${WRK_CONNECTIONS:-32}
duration=${WRK_DURATION:-10s}
batch=${INGEST_BATCH:-5000}
modes=${BENCH_MODES:-same varied}
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
pristine="$out/store-$calls.pristine.sqlite"
if [ "${BENCH_RESTORE:-1}" = 1 ] && [ -f "$pristine" ]; then
    echo "restoring $db from $pristine"
    rm -f "$db-wal" "$db-shm"
    cp "$pristine" "$db"
fi
if [ ! -f "$db" ]; then
    "$STOREBENCH_BIN" generate "$db" --calls "$calls" --surveys "$surveys"
fi

# The qa account (kept between runs; its password is reset each run only when missing).
password="bench-workspace-$calls"
if ! printf '%s\n' "$password" | "$CALLQA_BIN" users add benchqa --role qa --password-stdin --db "$db" >/dev/null 2>&1; then
    echo "(account benchqa exists already)"
fi

# One call with a real recording (the generated calls have none that exists on disk): c-001
# of SampleAudio, copied, ingested under the id bench-audio. This ingest also builds the
# report aggregates of a freshly generated database.
audio_dir="$out/workspace-audio"
mkdir -p "$audio_dir"
cp SampleAudio/c-001-ulaw.wav "$audio_dir/bench-audio.wav"
cat > "$audio_dir/manifest.csv" <<'CSV'
call_id,recording,agent_id,agent_name,team,queue,direction,started_at,wait_s,answered,talk_s,hold_s,acw_s
bench-audio,bench-audio.wav,ag1,Agent 1,Red,support,inbound,2026-11-24T09:02:10+01:00,8,true,43.7,0,30
CSV
"$CALLQA_BIN" ingest "$audio_dir/manifest.csv" --db "$db" --audio-root "$audio_dir" >/dev/null
if [ "${BENCH_RESTORE:-1}" = 1 ] && [ ! -f "$pristine" ]; then
    echo "keeping a copy of the database as made: $pristine"
    cp "$db" "$pristine"
fi
call_id=g$((calls / 2))   # the generator's calls are g0 … g(N-1)

# The server on a free port (the first start of a newer callqa migrates the database first),
# and, when this callqa keeps page results (`--page-cache`), a second one on the same
# database that keeps none: the varied URLs are loaded on both, so the figures show what the
# cache saves and what a request costs without it. Sessions live in the database: one login
# serves both.
serve_pids=()
ingest_pid=
cleanup() {
    [ -n "$ingest_pid" ] && kill "$ingest_pid" 2>/dev/null || true
    for p in "${serve_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
start_server() {  # log file, extra options…; prints the base URL
    local log=$1
    shift
    "$CALLQA_BIN" serve --db "$db" --port 0 "$@" >"$log" 2>&1 &
    local pid=$!
    serve_pids+=("$pid")
    local url=
    for _ in $(seq 1 3000); do
        url=$(sed -n 's|^callqa workspace: \(http://[^ ]*\)/ .*|\1|p' "$log")
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
        sleep 0.2
    done
    [ -n "$url" ] || { echo "bench-workspace: the server printed no port" >&2; cat "$log" >&2; exit 1; }
    base_url=$url
}
start_server "$out/workspace-serve.log"
base=$base_url
uncached=
if "$CALLQA_BIN" serve --help 2>/dev/null | grep -q -- '--page-cache'; then
    start_server "$out/workspace-serve-uncached.log" --page-cache 0
    uncached=$base_url
    modes="$modes varied-uncached"
fi
echo "serving $db at $base ($("$CALLQA_BIN" --version 2>/dev/null || echo callqa))${uncached:+, and without page cache at $uncached}"

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
# The decoded recording's length in bytes, both channels and one: the varied ranges lie inside it.
wav_bytes=$(curl -s -o /dev/null -D - -H "$cookie" -H 'Range: bytes=0-0' "$base/calls/bench-audio/audio" | tr -d '\r' | sed -n 's|^[Cc]ontent-[Rr]ange: bytes 0-0/||p')
mono_bytes=$(curl -s -o /dev/null -D - -H "$cookie" -H 'Range: bytes=0-0' "$base/calls/bench-audio/audio?channel=left" | tr -d '\r' | sed -n 's|^[Cc]ontent-[Rr]ange: bytes 0-0/||p')
[ -n "$wav_bytes" ] && [ -n "$mono_bytes" ] || { echo "bench-workspace: no Content-Range from the audio route" >&2; exit 1; }

# The wrk scripts: the percentiles at the end; for the varied mode, a URL (and for audio a
# byte range and channel) picked per request from a fixed list, with a fixed seed per thread.
report_lua='
done = function(summary, latency, requests)
    local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format("WRK %d %.1f %.1f %.1f %.1f %d %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors, summary.errors.timeout))
end'
printf '%s\n' "$report_lua" >"$out/workspace-wrk.lua"
python3 - "$out" "$calls" "$report_lua" "$wav_bytes" "$mono_bytes" <<'PY'
import random, sys
out, n, report = sys.argv[1], int(sys.argv[2]), sys.argv[3]
size = {"both": int(sys.argv[4]), "left": int(sys.argv[5]), "right": int(sys.argv[5])}
r = random.Random(23)
months = [f"2026-{m:02d}" for m in range(1, 13)]
def day():
    return f"{r.choice(months)}-{r.randint(1, 28):02d}"
def period():
    k = r.random()
    if k < 0.45: return f"period=month&date={r.choice(months)}-15"
    if k < 0.70: return f"period=week&date={day()}"
    if k < 0.85: return f"period=day&date={day()}"
    if k < 0.95:
        a, b = sorted(r.sample(range(1, 13), 2))
        return f"period=custom&from=2026-{a:02d}-01&to=2026-{b:02d}-28"
    return "period=all"
teams = ["Blue", "Red", "Green", "Gold", "Teal", "Plum", "Sand", "Rose"]
queues = ["orders", "support", "billing", "sales"]
overview = sorted({f"/?{period()}" for _ in range(200)})[:48]
calls = []
for _ in range(64):
    p = period()
    k = r.random()
    if k < 0.30: q = ""                                                  # first page, newest first
    elif k < 0.50: q = f"&sort={r.choice(['score', 'dead_air', 'handle', 'agent', 'interruptions'])}&order={r.choice(['asc', 'desc'])}"
    elif k < 0.80: q = "&" + r.choice([f"agent=ag{r.randint(0, 199)}", f"team={r.choice(teams)}", f"queue={r.choice(queues)}",
                                       "critical=1", "provisional=1", "detractor=1", "min_score=50&max_score=80", "dead_air=12",
                                       "interruptions=3", "direction=outbound", "card=bench", "health=low_snr"])
    else:                                                                # a later page: keyset cursor inside the year
        q = f"&after={1767225600 + r.randint(1, 364) * 86400}&after_id=g{r.randint(0, n - 1)}"
    calls.append(f"/calls?{p}{q}")
pages = [f"/calls/g{r.randint(0, n - 1)}" for _ in range(200)]
ranges = []
for _ in range(64):
    ch = r.choice(["both", "left", "right"])
    a = r.randint(0, size[ch] - 1024)
    ranges.append((f"bytes={a}-{a + 1023}", ch))
def lua(name, requests):
    """requests: (path, Range header or None) pairs."""
    with open(f"{out}/workspace-{name}.txt", "w") as f:
        f.write("".join(f"{p}{'  Range: ' + h if h else ''}\n" for p, h in requests))
    entries = ",\n".join(f'{{"{p}", "{h or ""}"}}' for p, h in requests)
    with open(f"{out}/workspace-varied-{name}.lua", "w") as f:
        f.write(f"""
local list = {{
{entries}
}}
local threads = 0
setup = function(thread) threads = threads + 1; thread:set("tid", threads) end
init = function(args) math.randomseed(1000 + tid) end
request = function()
    local e = list[math.random(#list)]
    if e[2] == "" then return wrk.format("GET", e[1]) end
    -- Headers given to wrk.format replace wrk.headers (the cookie): copy them, add the range.
    local h = {{}}
    for k, v in pairs(wrk.headers) do h[k] = v end
    h["Range"] = e[2]
    return wrk.format("GET", e[1], h)
end
""" + report + "\n")
lua("overview", [(p, None) for p in overview])
lua("calls", [(p, None) for p in calls])
lua("call", [(p, None) for p in pages])
lua("audio", [(f"/calls/bench-audio/audio?channel={c}", h) for h, c in ranges])
print(f"varied URLs: {len(overview)} overview periods, {len(calls)} calls-list queries, {len(pages)} call pages, {len(ranges)} audio ranges "
      f"(lists in {out}/workspace-*.txt)")
PY

results="$out/workspace-results.txt"
single() {  # path: one request alone, in ms
    { curl -s -o /dev/null -m 300 -w '%{time_total}' -H "$cookie" -H 'Range: bytes=0-1023' "$base$1" || echo 300; } | awk '{ printf "%.1f", $1 * 1000 }'
}
drain() {  # server: wait until requests wrk left queued in it are answered (a cheap page answers fast again)
    for _ in $(seq 1 120); do
        t=$(curl -s -o /dev/null -m 300 -w '%{time_total}' -H "$cookie" "$1/calls/$call_id" || echo 999)
        awk -v t="$t" 'BEGIN { exit !(t < 0.5) }' && return
        sleep 1
    done
}
run_table() {  # label mode
    local label=$1 mode=$2
    echo
    case $mode in
    same) echo "== $label, same URL: wrk -t$threads -c$conns -d$duration --latency (alone: one request, no other load from wrk)" ;;
    varied) echo "== $label, varied URLs (picked per request from the lists above): wrk -t$threads -c$conns -d$duration" ;;
    *) echo "== $label, varied URLs on the server that keeps no page results (--page-cache 0): wrk -t$threads -c$conns -d$duration" ;;
    esac
    printf '%-44s %9s %9s %9s %9s %9s %8s %8s %8s\n' route "alone ms" "p50 ms" "p95 ms" "p99 ms" "req/s" requests errors timeouts
    for route in "overview|/|overview" "calls page|/calls|calls" "call page|/calls/$call_id|call" "audio first 1 KiB|/calls/bench-audio/audio|audio"; do
        IFS='|' read -r name path key <<<"$route"
        local extra=() script="$out/workspace-wrk.lua" alone="-" shown="$path"
        [ "$key" = audio ] && extra=(-H 'Range: bytes=0-1023')
        local target=$base
        if [ "$mode" != same ]; then
            script="$out/workspace-varied-$key.lua"
            extra=()
            shown="(varied)"
            [ "$key" = audio ] && name="audio 1 KiB ranges"
            [ "$mode" = varied-uncached ] && { target=$uncached; shown="(varied, no cache)"; }
        fi
        drain "$target"
        [ "$mode" = same ] && alone=$(single "$path")
        local line
        line=$(wrk -t"$threads" -c"$conns" -d"$duration" --latency --timeout "${WRK_TIMEOUT:-10s}" -s "$script" -H "$cookie" "${extra[@]}" "$target$path" | grep '^WRK ' || true)
        if [ -z "$line" ]; then echo "$name: wrk failed" >&2; continue; fi
        read -r _ n rps p50 p95 p99 errs tmo <<<"$line"
        printf '%-44s %9s %9s %9s %9s %9s %8s %8s %8s\n' "$name $shown" "$alone" "$p50" "$p95" "$p99" "$rps" "$n" "$errs" "$tmo"
        echo "$label|$mode|$name|$path|$n|$rps|$p50|$p95|$p99|$errs|$tmo|$alone" >>"$results"
        drain "$target"
    done
}
: >"$results"
echo "load average before the idle runs: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in $modes; do run_table "idle" "$mode"; done

# The same while `callqa ingest` writes: rounds of $batch new record-only calls.
python3 - "$out" "$batch" "$(date +%s)" <<'PY'
import sys
out, n, stamp = sys.argv[1], int(sys.argv[2]), sys.argv[3]   # new call ids each run: real inserts
for r in range(60):
    with open(f"{out}/workspace-ingest-{r}.csv", "w") as f:
        f.write("call_id,agent_id,started_at,wait_s,answered\n")
        for i in range(n):
            f.write(f"w{stamp}-{r}-{i},ag{i % 50},2026-11-{1 + i % 28:02d}T{9 + i % 10:02d}:{i % 60:02d}:00+01:00,{i % 40},true\n")
PY
mkdir -p "$out/none"
rounds="$out/workspace-ingest-rounds.txt"
: >"$rounds"
(
    for r in $(seq 0 59); do
        start=$(date +%s.%N)
        "$CALLQA_BIN" ingest "$out/workspace-ingest-$r.csv" --db "$db" --audio-root "$out/none" >/dev/null 2>&1 || true
        echo "$start $(date +%s.%N)" >>"$rounds"
    done
) &
ingest_pid=$!
sleep 1
echo
echo "load average before the runs during ingest: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in $modes; do run_table "while ingest writes ($batch record-only calls per round)" "$mode"; done
kill "$ingest_pid" 2>/dev/null || true
wait "$ingest_pid" 2>/dev/null || true
ingest_pid=
python3 - "$out" "$batch" <<'PY'
import json, sys
out, batch = sys.argv[1], int(sys.argv[2])
rows = []
for line in open(f"{out}/workspace-results.txt"):
    label, mode, name, path, n, rps, p50, p95, p99, errs, tmo, alone = line.rstrip("\n").split("|")
    rows.append({"run": "idle" if label == "idle" else "ingest", "mode": mode, "route": name, "path": path, "requests": int(n),
                 "rps": float(rps), "p50_ms": float(p50), "p95_ms": float(p95), "p99_ms": float(p99), "errors": int(errs),
                 "timeouts": int(tmo), "alone_ms": None if alone == "-" else float(alone)})
spans = [tuple(map(float, l.split())) for l in open(f"{out}/workspace-ingest-rounds.txt") if l.strip()]
took = [b - a for a, b in spans]
if took:
    print(f"\ningest during the loaded runs: {len(took)} rounds of {batch} calls, {min(took):.1f}–{max(took):.1f} s each")
over = [r for r in rows if r["p95_ms"] >= 300 or r["requests"] == 0 or r["timeouts"] > 0 or r["errors"] > 0]
print("p95 < 300 ms on every route, idle and during ingest, same and varied URLs" if not over else
      "p95 >= 300 ms (or errors, or answers slower than the wrk timeout, which the percentiles leave out): "
      + ", ".join(f"{r['route']} ({r['run']}, {r['mode']}) {r['p95_ms']:.0f} ms, {r['errors']} errors, {r['timeouts']} timeouts" for r in over))
json.dump({"routes": rows, "ingest_round_s": took, "ingest_batch": batch}, open(f"{out}/workspace.json", "w"), indent=1)
PY
echo "wrote $out/workspace.json"
