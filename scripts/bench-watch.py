#!/usr/bin/env python3
"""`make bench-watch`: latency of `callqa watch` from a recording's completion to its score
in the database, at a 1,000-seat center's peak hour (about 10,000 calls an hour: 3 a second).

A PBX played by tests/watch/pbx.py starts 3 calls a second. Each answered call's recording
(CALL_AUDIO_S of audio, default 180 s: the sample day's recordings repeated) is written
progressively over WRITE_S (default 90 s) in 12 pieces, the file open all along (so about
3 × WRITE_S recordings are open at once), its header saying 0 data bytes until the end; one
call in seven is abandoned (no recording). The queue_log and Master.csv lines come within
half a second of the recording's end, before or after it. `callqa watch` (release build)
follows it all with one scorecard and two alert rules.

Latency = the moment the database first shows the call's score (a reader polls the scores
table every 50 ms) − the moment the PBX closed the finished recording. Reported: p50, p95,
max over every answered call, with the settle time (--settle-s, which every recording waits
by design), the watcher's CPU (cores used on average) and peak memory.

Environment: CALLQA_BIN (else builds release), RATE (3), DURATION_S (150: how long calls are
started), WRITE_S, CALL_AUDIO_S, SETTLE_S (a space-separated list, default "10 2").
"""
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "watch"))
import pbx  # noqa: E402

CARD = """version: 1
id: bench-auto
name: Bench card
target: 90
applies_to:
  queue: [support, orders]
sections:
  - id: conversation
    criteria:
      - id: no_long_silence
        text: No silence longer than 10 s
        auto:
          metric: audio.longest_silence_s
          bands:
            - { at_most: 5, credit: 1 }
            - { at_most: 10, credit: 0.5 }
            - { credit: 0 }
      - id: lets_customer_speak
        text: Agent talks at most 70 % of the time
        auto: { metric: audio.agent.talk_ratio, at_most: 0.7 }
      - id: answered_fast
        text: Answered within 30 s
        critical: true
        auto: { metric: call.wait_s, at_most: 30 }
"""

SETTINGS = """alerts:
  rules:
    - id: dead-air
      metric: audio.longest_silence_s
      at_least: 30
    - id: critical
      critical_failed: any
"""


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def cpu_seconds(pid):
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def peak_rss_mb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None


def run(exe, work, settle_s, rate, duration_s, write_s, audio_s):
    if os.path.exists(work):
        shutil.rmtree(work)
    folder = os.path.join(work, "pbx")
    os.makedirs(folder)
    cards = os.path.join(work, "cards")
    os.makedirs(cards)
    open(os.path.join(cards, "bench.yaml"), "w").write(CARD)
    settings = os.path.join(work, "callqa.yaml")
    open(settings, "w").write(SETTINGS)
    src_dir = os.path.join(work, "sources")
    os.makedirs(src_dir)
    sources = [pbx.looped(os.path.join(ROOT, "SampleAudio", n), audio_s, src_dir) for n in
               ["c-001-ulaw.wav", "c-002-alaw.wav", "c-003-ulaw.wav", "c-005-alaw.wav", "c-007-ulaw.wav", "c-004-pcm16.wav"]]
    db = os.path.join(work, "watch.sqlite")
    env = dict(os.environ, CALLQA_HASH_KEY="bench-watch-key-0123456789abcdef")
    log_path = os.path.join(work, "watch.log")
    log = open(log_path, "wb")
    proc = subprocess.Popen([exe, "watch", folder, "--db", db, "--scorecards", cards, "--config", settings,
                             "--settle-s", str(settle_s), "--log-level", "notice"], stdout=subprocess.DEVNULL, stderr=log, env=env)
    # The database exists once the watcher has started.
    for _ in range(200):
        if os.path.exists(db):
            break
        time.sleep(0.05)
    time.sleep(1)

    phone = pbx.PBX(folder, sources, seed=7)
    count = int(rate * duration_s)
    calls = phone.make_calls(count, start_epoch=1765184400)
    events = phone.schedule(calls, spacing_s=1 / rate, write_s=write_s, pieces=12)
    answered = {c.uid for c in calls if c.answered}
    first_seen = {}
    stop = threading.Event()

    def poll():
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        last = 0
        while not stop.is_set():
            try:
                for rowid, call_id in con.execute("SELECT rowid, call_id FROM scores WHERE rowid > ? ORDER BY rowid", (last,)):
                    last = rowid
                    first_seen.setdefault(call_id, time.time())
            except sqlite3.OperationalError:
                pass
            time.sleep(0.05)
        con.close()

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
    print(f"settle {settle_s} s: {count} calls at {rate}/s for {duration_s} s, recordings of {audio_s} s written over {write_s} s "
          f"(~{int(rate * write_s)} open at once), {len(answered)} answered", flush=True)
    phone.play(events)
    deadline = time.time() + 120 + settle_s
    while time.time() < deadline and not answered.issubset(first_seen):
        time.sleep(0.2)
    wall = time.monotonic() - t0
    cpu1 = cpu_seconds(proc.pid)
    rss = peak_rss_mb(proc.pid)
    stop.set()
    poller.join()
    proc.send_signal(signal.SIGTERM)
    rc = proc.wait(timeout=60)
    log.close()
    lat = [first_seen[u] - phone.completed[u] for u in answered if u in first_seen and u in phone.completed]
    missing = len(answered - set(first_seen))
    result = {
        "settle_s": settle_s, "rate_per_s": rate, "calls": count, "answered": len(answered), "scored": len(lat), "not_scored": missing,
        "recording_audio_s": audio_s, "write_s": write_s,
        "latency_p50_s": round(percentile(lat, 0.5), 3), "latency_p95_s": round(percentile(lat, 0.95), 3),
        "latency_max_s": round(max(lat), 3) if lat else None, "latency_min_s": round(min(lat), 3) if lat else None,
        "latency_minus_settle_p50_s": round(percentile(lat, 0.5) - settle_s, 3),
        "latency_minus_settle_p95_s": round(percentile(lat, 0.95) - settle_s, 3),
        "watch_cpu_cores": round((cpu1 - cpu0) / wall, 2) if cpu0 is not None and cpu1 is not None else None,
        "watch_peak_rss_mb": round(rss, 1) if rss else None, "exit_status": rc,
        "load_average": os.getloadavg(),
    }
    print(json.dumps(result), flush=True)
    return result


def main():
    exe = os.environ.get("CALLQA_BIN") or os.path.join(ROOT, ".build/release/callqa")
    rate = float(os.environ.get("RATE", "3"))
    duration_s = float(os.environ.get("DURATION_S", "150"))
    write_s = float(os.environ.get("WRITE_S", "90"))
    audio_s = float(os.environ.get("CALL_AUDIO_S", "180"))
    settles = [float(x) for x in os.environ.get("SETTLE_S", "10 2").split()]
    out = os.path.join(ROOT, "bench-out", "watch")
    results = []
    for s in settles:
        results.append(run(exe, os.path.join(out, f"settle-{s:g}"), s, rate, duration_s, write_s, audio_s))
        # The recordings are large: only the summary and the log stay.
        shutil.rmtree(os.path.join(out, f"settle-{s:g}", "pbx"), ignore_errors=True)
    print()
    print("settle_s  calls/s  answered  scored  p50_s   p95_s   max_s   p50-settle  p95-settle  watch_cores  peak_MB")
    for r in results:
        print(f"{r['settle_s']:>8g}  {r['rate_per_s']:>7g}  {r['answered']:>8}  {r['scored']:>6}  {r['latency_p50_s']:>6.2f}  "
              f"{r['latency_p95_s']:>6.2f}  {r['latency_max_s']:>6.2f}  {r['latency_minus_settle_p50_s']:>10.2f}  "
              f"{r['latency_minus_settle_p95_s']:>10.2f}  {r['watch_cpu_cores']!s:>11}  {r['watch_peak_rss_mb']!s:>7}")
    json.dump(results, open(os.path.join(out, "summary.json"), "w"), indent=1)
    print(f"\nsummary: {os.path.join(out, 'summary.json')}")
    return 0 if all(r["not_scored"] == 0 and r["exit_status"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
