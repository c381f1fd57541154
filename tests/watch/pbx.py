"""A PBX played by a script, for `callqa watch` tests and its benchmark.

It writes what an Asterisk contact center writes while calls happen: recordings
progressively (a WAV header that says 0 data bytes first, the audio in pieces while the file
stays open, the real sizes written into the header when the call ends, as MixMonitor does),
one queue_log line per queue event (ENTERQUEUE when the caller enters, CONNECT when an agent
answers, COMPLETEAGENT/COMPLETECALLER or ABANDON at the end) and one Master.csv row per call
when it ends, in either order with the recording. It can rotate the logs (Master.csv renamed
and a new one created; queue_log copied and truncated, as logrotate's copytruncate does)
between calls, and write malformed lines that a batch ingest rejects too.

The recordings' audio comes from existing WAV files (the sample day's), copied byte for
byte: the finished file equals its source.
"""
import os
import random
import struct
import time

QUEUES = ["support", "orders"]
AGENTS = ["PJSIP/1001", "PJSIP/1002", "PJSIP/1003", "PJSIP/1004"]


def wav_parts(path):
    """(header bytes up to the data, offsets of the size fields, payload after the header)."""
    b = open(path, "rb").read()
    assert b[:4] == b"RIFF" and b[8:12] == b"WAVE", path
    i = 12
    fact_at = None
    while i + 8 <= len(b):
        cid = b[i:i + 4]
        size = struct.unpack("<I", b[i + 4:i + 8])[0]
        if cid == b"fact":
            fact_at = i + 8
        if cid == b"data":
            return b[:i + 8], i + 4, fact_at, b[i + 8:]
        i += 8 + size + (size & 1)
    raise ValueError(f"{path}: no data chunk")


def looped(path, seconds, out_dir):
    """A copy of a WAV file whose audio is its own audio repeated to `seconds` (whole blocks),
    sizes set to match: calls of a realistic length from short samples."""
    b = open(path, "rb").read()
    header, data_size_at, fact_at, payload = wav_parts(path)
    fmt = b.index(b"fmt ") + 8
    byte_rate, block = struct.unpack("<IH", b[fmt + 8:fmt + 14])
    usable = len(payload) // block * block
    n = int(byte_rate * seconds) // block * block
    data = (payload[:usable] * (n // usable + 1))[:n]
    h = bytearray(header)
    h[4:8] = struct.pack("<I", len(header) - 8 + n)
    h[data_size_at:data_size_at + 4] = struct.pack("<I", n)
    if fact_at is not None:
        old_frames = struct.unpack("<I", b[fact_at:fact_at + 4])[0]
        h[fact_at:fact_at + 4] = struct.pack("<I", old_frames * n // len(payload))
    out = os.path.join(out_dir, os.path.basename(path))
    with open(out, "wb") as f:
        f.write(bytes(h) + data)
    return out


def trimmed(path, seconds, out_dir):
    """A copy of a WAV file with only its first `seconds` of audio (whole blocks), its sizes
    (RIFF, data, fact) set to match: short recordings keep a test's analysis cheap."""
    b = open(path, "rb").read()
    header, data_size_at, fact_at, payload = wav_parts(path)
    fmt = b.index(b"fmt ") + 8
    channels, rate = struct.unpack("<HI", b[fmt + 2:fmt + 8])
    byte_rate, block = struct.unpack("<IH", b[fmt + 8:fmt + 14])
    n = min(len(payload), int(byte_rate * seconds) // block * block)
    h = bytearray(header)
    h[4:8] = struct.pack("<I", len(header) - 8 + n)
    h[data_size_at:data_size_at + 4] = struct.pack("<I", n)
    if fact_at is not None:
        old_frames = struct.unpack("<I", b[fact_at:fact_at + 4])[0]
        h[fact_at:fact_at + 4] = struct.pack("<I", old_frames * n // len(payload))
    out = os.path.join(out_dir, os.path.basename(path))
    with open(out, "wb") as f:
        f.write(bytes(h) + payload[:n])
    return out


class Call:
    def __init__(self, n, uid, start_epoch, queue, agent, answered, source, wait_s, talk_s, caller):
        self.n, self.uid, self.start, self.queue, self.agent = n, uid, start_epoch, queue, agent
        self.answered, self.source, self.wait_s, self.talk_s, self.caller = answered, source, wait_s, talk_s, caller

    def cdr_row(self, disposition=None):
        t0 = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.start))
        ta = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.start + self.wait_s)) if self.answered else ""
        te = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(self.start + self.wait_s + self.talk_s))
        dur = int(self.wait_s + self.talk_s)
        bill = int(self.talk_s) if self.answered else 0
        disp = disposition or ("ANSWERED" if self.answered else "NO ANSWER")
        dst_ch = f"{self.agent}-0000{self.n:04x}" if self.answered else ""
        fields = ["", self.caller, "5000", "from-pstn", f'"" <{self.caller}>', f"PJSIP/trunk-{self.n:08x}", dst_ch,
                  "Queue", f"{self.queue},t", t0, ta, te, str(dur), str(bill), disp, "DOCUMENTATION", self.uid, ""]
        return ",".join('"%s"' % f.replace('"', '""') if not f.isdigit() else f for f in fields) + "\n"

    def queue_lines(self):
        """(offset after start, line) of the call's queue_log events."""
        q, a, uid = self.queue, self.agent, self.uid
        t = int(self.start)
        lines = [(0.0, f"{t}|{uid}|{q}|NONE|ENTERQUEUE||{self.caller}|1\n")]
        if self.answered:
            lines.append((0.2, f"{t + int(self.wait_s)}|{uid}|{q}|{a}|CONNECT|{int(self.wait_s)}|{uid}|2\n"))
            lines.append((None, f"{t + int(self.wait_s + self.talk_s)}|{uid}|{q}|{a}|COMPLETEAGENT|{int(self.wait_s)}|{int(self.talk_s)}|1\n"))
        else:
            lines.append((None, f"{t + int(self.wait_s)}|{uid}|{q}|NONE|ABANDON|1|1|{int(self.wait_s)}\n"))
        return lines


class PBX:
    def __init__(self, folder, sources, seed=1, recordings_sub="monitor/2026/12/08"):
        self.folder = folder
        self.sources = sources
        self.rng = random.Random(seed)
        self.rec_dir = os.path.join(folder, recordings_sub)
        self.cdr = os.path.join(folder, "Master.csv")
        self.qlog = os.path.join(folder, "queue_log")
        self.completed = {}   # uid -> wall time the recording was finished (closed)
        self.rotations = 0
        open(self.cdr, "a").close()
        open(self.qlog, "a").close()

    def append(self, path, text):
        with open(path, "a") as f:
            f.write(text)
            f.flush()

    def rotate(self):
        """Master.csv renamed to Master.csv.1 and a new one created; queue_log copied to
        queue_log.1 and truncated (copytruncate)."""
        self.rotations += 1
        os.rename(self.cdr, self.cdr + ".1")
        open(self.cdr, "w").close()
        with open(self.qlog, "rb") as f:
            data = f.read()
        with open(self.qlog + ".1", "wb") as f:
            f.write(data)
        with open(self.qlog, "r+b") as f:
            f.truncate(0)

    def make_calls(self, count, start_epoch, unanswered_every=7):
        calls = []
        for n in range(count):
            uid = f"{int(start_epoch) + n * 40}.{n + 1}"
            answered = (n % unanswered_every) != 3
            src = self.sources[n % len(self.sources)]
            wait = self.rng.choice([3, 8, 15, 25, 45])
            caller = f"+4930{5550000 + n * 7919 % 100000:07d}"
            calls.append(Call(n, uid, start_epoch + n * 40, QUEUES[n % 2], AGENTS[n % len(AGENTS)], answered, src, wait, 60 + n % 5 * 30, caller))
        return calls

    def schedule(self, calls, spacing_s, write_s, pieces, rotate_after=None, bad_lines_at=None):
        """Events (wall offset, action) for the calls: call n starts at n * spacing_s; its
        recording is written over write_s in `pieces`; the record lines come just before or
        just after the recording is finished (alternating)."""
        events = []
        # The logs are rotated in a quiet moment: calls after it start a little later.
        gap = write_s + 2.0 if rotate_after is not None else 0.0
        for c in calls:
            t0 = c.n * spacing_s + (gap if rotate_after is not None and c.n > rotate_after else 0.0)
            ql = c.queue_lines()
            events.append((t0, "queue", c, ql[0][1]))
            c.pieces = pieces
            if c.answered:
                events.append((t0 + 0.1, "queue", c, ql[1][1]))
                events.append((t0 + 0.15, "rec_open", c, None))
                for k in range(pieces):
                    events.append((t0 + 0.2 + write_s * (k + 1) / pieces, "rec_piece", c, k))
                end = t0 + 0.25 + write_s
                events.append((end, "rec_close", c, None))
                before = c.n % 3 == 0   # record lines before the recording is finished
                tl = end - 0.2 if before else end + 0.3 + self.rng.random() * 0.5
                events.append((tl, "queue", c, ql[-1][1]))
                events.append((tl + 0.05, "cdr", c, c.cdr_row()))
            else:
                events.append((t0 + 0.3, "queue", c, ql[-1][1]))
                events.append((t0 + 0.35, "cdr", c, c.cdr_row()))
        if rotate_after is not None:
            # Between calls: after the last event of call `rotate_after`, before the next call starts.
            last = max(t for t, _, c, _ in events if c.n <= rotate_after)
            nxt = min(t for t, _, c, _ in events if c.n > rotate_after)
            assert last < nxt, "calls overlap at the rotation"
            events.append(((last + nxt) / 2, "rotate", None, None))
        for at in bad_lines_at or []:
            events.append((at, "bad", None, None))
        events.sort(key=lambda e: e[0])
        return events

    def play(self, events, on_event=None, clock=time.monotonic):
        start = clock()
        open_files = {}
        for at, kind, c, arg in events:
            delay = start + at - clock()
            if delay > 0:
                time.sleep(delay)
            if kind == "queue":
                self.append(self.qlog, arg)
            elif kind == "cdr":
                self.append(self.cdr, arg)
            elif kind == "rec_open":
                header, data_size_at, fact_at, payload = wav_parts(c.source)
                os.makedirs(self.rec_dir, exist_ok=True)
                path = os.path.join(self.rec_dir, f"q-{c.queue}-{c.uid}.wav")
                h = bytearray(header)
                h[4:8] = b"\0\0\0\0"
                h[data_size_at:data_size_at + 4] = b"\0\0\0\0"
                if fact_at is not None:
                    h[fact_at:fact_at + 4] = b"\0\0\0\0"
                f = open(path, "wb")
                f.write(h)
                f.flush()
                open_files[c.uid] = (f, header, payload, path)
            elif kind == "rec_piece":
                f, header, payload, path = open_files[c.uid]
                lo = len(payload) * arg // c.pieces
                hi = len(payload) * (arg + 1) // c.pieces
                f.write(payload[lo:hi])
                f.flush()
            elif kind == "rec_close":
                f, header, payload, path = open_files.pop(c.uid)
                f.seek(0)
                f.write(header)
                f.close()
                self.completed[c.uid] = time.time()
            elif kind == "rotate":
                self.rotate()
            elif kind == "bad":
                self.append(self.cdr, '"","+4930","5000","from-pstn","x","PJSIP/t","","Queue","support","2026-12-08 09:00:00","","2026-12-08 09:00:09",9,0,"MAYBE","DOCUMENTATION","9999999.9",""\n')
                self.append(self.qlog, "notatime|9999999.8|support|NONE|ENTERQUEUE||+4930|1\n")
            if on_event:
                on_event(at, kind, c)
        for f, *_ in open_files.values():
            f.close()
