#!/usr/bin/env python3
"""`callqa watch` against a PBX played by a script, killed and restarted at random moments.

The PBX (tests/watch/pbx.py) writes recordings progressively (header saying 0 data bytes
first, audio in pieces while the file stays open, the sizes at the end), appends queue_log
and Master.csv lines in either order with the recording, rotates both logs once between
calls (Master.csv renamed, queue_log copied and truncated) and writes one malformed line to
each. Meanwhile `callqa watch` is SIGKILLed ten times at random moments and restarted each
time. Then it is stopped with SIGTERM (it must exit 0), and its database is compared with a
batch `callqa ingest` + `callqa score` of the same files:

  * every table of the schema, row for row (as sorted sets), except the bookkeeping that
    legitimately differs: ingest_runs (one run per process), watch_sources, watch_lines,
    watch_state and alerts (watch's own state; alerts are checked on their own);
  * in every compared table, these columns are left out, and only these: wall-clock times of
    the writes (calls.ingested_at, analyses.analysed_at, scores.scored_at,
    scorecards.first_used_at, agents.updated_at);
  * calls.source_file is compared with a rotated file's suffix removed (watch records the
    name a line had when it was read, Master.csv; the batch reads it later as Master.csv.1);
  * ingest_errors: only rejected rows (stage 'record', the malformed lines: each exactly
    once, same file/line/field/message), without run_id, error_id and occurred_at; the
    recording errors of a run depend on what was there when (a call stored after its wait
    and updated when the recording came has one in watch, none in the batch).

Every call must be stored once, complete (answered calls analysed), and scored; every alert
the rules raise is stored once and reached the webhook and the command at least once.
Prints `N passed, 0 failed`. Seed: WATCH_TEST_SEED (default 25); binary: CALLQA_BIN.
"""
import http.server
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import pbx  # noqa: E402

CALLS = 30
SPACING_S = 0.9
WRITE_S = 1.2
KILLS = 10
EXCLUDED_TABLES = {"ingest_runs", "watch_sources", "watch_lines", "watch_state", "alerts", "sqlite_sequence"}
TIME_COLUMNS = {"calls": {"ingested_at"}, "analyses": {"analysed_at"}, "scores": {"scored_at"},
                "scorecards": {"first_used_at"}, "agents": {"updated_at"}}

CARD = """version: 1
id: watch-auto
name: Watch test card
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
      - id: answered_fast
        text: Answered within 30 s
        critical: true
        auto: { metric: call.wait_s, at_most: 30 }
"""

checks = []


def check(ok, what):
    checks.append((bool(ok), what))
    print(("ok    " if ok else "FAIL  ") + what, flush=True)


class Hook(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


def rows(db, table, columns):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    finally:
        con.close()


def tables(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            out[name] = [r[1] for r in con.execute(f"PRAGMA table_info({name})")]
        return out
    finally:
        con.close()


def normalized(table, cols, r):
    """A row as compared: a rotated file's name without its suffix (in source_file and in
    messages), floating-point values to 12 significant digits (sums over the same rows
    added in another order differ in the last bits)."""
    r = list(r)
    for i, c in enumerate(cols):
        if isinstance(r[i], str):
            if c == "source_file" and r[i].endswith(".1"):
                r[i] = r[i][:-2]
            if c == "message":
                r[i] = r[i].replace("Master.csv.1:", "Master.csv:").replace("queue_log.1:", "queue_log:")
        elif isinstance(r[i], float):
            r[i] = float(f"{r[i]:.12g}")
    return tuple(r)


def compare(watch_db, batch_db):
    tw, tb = tables(watch_db), tables(batch_db)
    check(set(tw) == set(tb), "both databases have the same tables")
    differing = []
    for t in sorted(set(tw) - EXCLUDED_TABLES):
        cols = [c for c in tw[t] if c not in TIME_COLUMNS.get(t, set())]
        where = ""
        if t == "ingest_errors":
            cols = ["stage", "source_file", "line", "call_id", "field", "message"]
            where = " WHERE stage = 'record'"
        a = sorted((normalized(t, cols, r) for r in rows(watch_db, t + where, cols)), key=repr)
        b = sorted((normalized(t, cols, r) for r in rows(batch_db, t + where, cols)), key=repr)
        if a != b:
            only_w = [r for r in a if r not in b][:3]
            only_b = [r for r in b if r not in a][:3]
            differing.append(f"{t}: {len(a)} vs {len(b)} rows; only in watch {only_w}; only in batch {only_b}")
    for d in differing:
        print("  differs: " + d)
    compared = sorted(set(tw) - EXCLUDED_TABLES)
    check(not differing, f"the watched database equals the batch ingest + score of the same files ({len(compared)} tables compared)")


def main():
    seed = int(os.environ.get("WATCH_TEST_SEED", "25"))
    rng = random.Random(seed)
    exe = os.environ.get("CALLQA_BIN") or os.path.join(ROOT, ".build/debug/callqa")
    if not os.access(exe, os.X_OK):
        print(f"callqa not built at {exe} (swift build, or set CALLQA_BIN)")
        return 2
    work = tempfile.mkdtemp(prefix="callqa-watch-test-")
    folder = os.path.join(work, "pbx")
    os.makedirs(folder)
    cards = os.path.join(work, "cards")
    os.makedirs(cards)
    open(os.path.join(cards, "watch-auto.yaml"), "w").write(CARD)
    env = dict(os.environ, CALLQA_HASH_KEY="watch-test-key-0123456789abcdef")
    # A webhook receiver on loopback and a command that appends each alert to a file.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    command_out = os.path.join(work, "alerts-command.jsonl")
    settings = os.path.join(work, "callqa.yaml")
    open(settings, "w").write(f"""alerts:
  rules:
    - id: long-silence
      metric: audio.longest_silence_s
      at_least: 3
    - id: critical
      critical_failed: any
  command: [/bin/sh, -c, 'cat >> "$0"; echo >> "$0"', {command_out}]
  webhook: http://127.0.0.1:{server.server_address[1]}/callqa
  timeout_s: 5
""")
    watch_db = os.path.join(work, "watch.sqlite")
    log = open(os.path.join(work, "watch.log"), "ab")
    args = [exe, "watch", folder, "--db", watch_db, "--scorecards", cards, "--config", settings,
            "--settle-s", "1", "--rescan-s", "2", "--wait-s", "6", "--aggregates-s", "2", "--jobs", "2"]

    def start():
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log, env=env)

    # The sample day's recordings, cut to their first 12 s (whole blocks) to keep the analysis
    # of a debug build within the test's time.
    source_dir = os.path.join(work, "sources")
    os.makedirs(source_dir)
    sources = [pbx.trimmed(os.path.join(ROOT, "SampleAudio", n), 12, source_dir) for n in
               ["c-001-ulaw.wav", "c-004-pcm16.wav", "c-002-alaw.wav", "c-008-gsm.wav", "c-006-pcm16.wav", "c-005-alaw.wav"]]
    phone = pbx.PBX(folder, sources, seed=seed)
    calls = phone.make_calls(CALLS, start_epoch=1765184400)
    events = phone.schedule(calls, spacing_s=SPACING_S, write_s=WRITE_S, pieces=6, rotate_after=CALLS // 2,
                            bad_lines_at=[CALLS * SPACING_S / 3])
    duration = events[-1][0]
    kill_at = sorted(rng.uniform(0.3, duration) for _ in range(KILLS))
    print(f"seed {seed}: {CALLS} calls over {duration:.1f} s, SIGKILL at {', '.join(f'{t:.1f}' for t in kill_at)} s; work folder {work}")
    proc = start()
    player = threading.Thread(target=phone.play, args=(events,))
    t0 = time.monotonic()
    player.start()
    kills = 0
    for at in kill_at:
        delay = t0 + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        time.sleep(rng.uniform(0, 0.3))
        proc = start()
    player.join()
    print(f"PBX done after {time.monotonic() - t0:.1f} s", flush=True)
    check(kills == KILLS, f"watch was SIGKILLed and restarted {kills} times while the PBX played")

    answered = [c for c in calls if c.answered]

    def settled():
        """Every call stored and scored, and no alert waiting to be sent."""
        try:
            stored = rows(watch_db, "calls", ["call_id", "recording_status"])
            scored = rows(watch_db, "scores WHERE is_current = 1", ["call_id"])
            waiting = rows(watch_db, "alerts WHERE notify_status = 'pending'", ["alert_id"])
        except sqlite3.OperationalError:
            return False
        return (len(stored) == CALLS and sum(1 for _, s in stored if s == "analysed") == len(answered)
                and len(scored) == len(answered) and not waiting)

    deadline = time.monotonic() + 90
    streak = 0
    while time.monotonic() < deadline and streak < 3:
        streak = streak + 1 if settled() else 0
        time.sleep(0.5)
    print(f"every call stored and scored, every alert sent, {time.monotonic() - t0:.1f} s after the PBX started", flush=True)
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = None
    check(rc == 0, f"SIGTERM: watch finished and exited with status 0 (got {rc})")
    log.close()

    stored = rows(watch_db, "calls", ["call_id", "recording_status", "answered"])
    ids = [r[0] for r in stored]
    check(len(ids) == len(set(ids)) == CALLS, f"every call stored once ({len(set(ids))} of {CALLS})")
    check(all(s == "analysed" for _, s, a in stored if a == 1) and sum(1 for r in stored if r[2] == 1) == len(answered),
          f"every answered call stored with its analysed recording ({len(answered)})")
    scored = rows(watch_db, "scores WHERE is_current = 1", ["call_id", "status"])
    check(len(scored) == len(answered) and all(s == "complete" for _, s in scored), f"every answered call scored, complete ({len(scored)})")
    wav_ok = all(open(os.path.join(phone.rec_dir, f"q-{c.queue}-{c.uid}.wav"), "rb").read() == open(c.source, "rb").read() for c in answered)
    check(wav_ok, "the finished recordings equal their sources byte for byte")

    # Alerts: once per call and rule; each sent; each reached the webhook and the command.
    alerts = rows(watch_db, "alerts", ["alert_id", "call_id", "rule_id", "notify_status"])
    keys = [(c, r) for _, c, r, _ in alerts]
    check(len(alerts) > 0 and len(keys) == len(set(keys)), f"alerts stored once per call and rule ({len(alerts)})")
    critical = {c.uid for c in answered if c.wait_s > 30}
    check({c for c, r in keys if r == "critical"} == critical, f"the critical-criterion alert is on exactly the calls answered after 30 s ({len(critical)})")
    check(all(s == "sent" for *_, s in alerts), "every alert's notification is marked sent")
    hooked = {(p["call_id"], p["rule"]) for p in Hook.received}
    check(hooked == set(keys), f"the webhook received every alert ({len(Hook.received)} POSTs for {len(alerts)} alerts)")
    check(all(set(p) <= {"alert_id", "call_id", "rule", "reason", "raised_at", "call_started_at"} and "+4930" not in json.dumps(p) for p in Hook.received),
          "webhook payloads carry ids, rule and reason only: no caller number, no agent")
    commanded = {(j["call_id"], j["rule"]) for j in (json.loads(l) for l in open(command_out) if l.strip())} if os.path.exists(command_out) else set()
    check(commanded == set(keys), "the command received every alert")

    # The same files, in one batch.
    batch_db = os.path.join(work, "batch.sqlite")
    inputs = [os.path.join(folder, n) for n in ["Master.csv.1", "Master.csv", "queue_log.1", "queue_log"]]
    r = subprocess.run([exe, "ingest", *inputs, "--db", batch_db, "--format", "json"], env=env, capture_output=True, text=True)
    check(r.returncode == 1, f"batch ingest of the same files rejects the malformed lines (exit status {r.returncode})")
    r = subprocess.run([exe, "score", "--db", batch_db, "--scorecards", cards], env=env, capture_output=True, text=True)
    check(r.returncode == 0, f"batch score (exit status {r.returncode})")
    errors = rows(watch_db, "ingest_errors WHERE stage = 'record'", ["source_file", "line", "message"])
    check(len(errors) == 2, f"the two malformed lines are recorded once each despite the kills ({len(errors)})")
    print(f"batch ingest and score done {time.monotonic() - t0:.1f} s after the PBX started", flush=True)
    compare(watch_db, batch_db)

    failed = sum(1 for ok, _ in checks if not ok)
    if failed == 0:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work folder kept: {work} (watch.log has the watcher's log)")
    print(f"{len(checks) - failed} passed, {failed} failed")
    server.shutdown()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
