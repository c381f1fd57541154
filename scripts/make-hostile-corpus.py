#!/usr/bin/env python3
"""Write the hostile-input corpus (Tests/Corpus/hostile): broken and malicious audio, CSV,
YAML, survey and path cases, and cases.tsv telling the test how each must end.

Each case: a command (analyze, ingest, lint, nps), the file, the exit status it must give
(0 or 1; never a crash, a hang or a stack trace) and a text its output must contain.
Regenerate with `python3 scripts/make-hostile-corpus.py`; the test is
Tests/StoreTests/HostileCorpusTests.swift. Python standard library only.
"""
import math
import os
import random
import struct
import subprocess
import sys
import wave

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join("Tests", "Corpus", "hostile")
rng = random.Random(8)
cases = []


def case(command, path, status, expect):
    cases.append((command, path, str(status), expect))


def wav_bytes(channels, rate, frames, sampwidth=2, gen=None):
    import io
    b = io.BytesIO()
    w = wave.open(b, "wb")
    w.setnchannels(channels)
    w.setsampwidth(sampwidth)
    w.setframerate(rate)
    data = bytearray()
    for i in range(frames):
        for c in range(channels):
            v = gen(i, c) if gen else 0
            data += struct.pack("<h", max(-32768, min(32767, int(v))))
    w.writeframes(bytes(data))
    w.close()
    return bytearray(b.getvalue())


def speechlike(i, c):
    t = i / 8000.0
    env = 1.0 if (int(t * 2) + c) % 2 == 0 else 0.0
    return env * 6000 * math.sin(2 * math.pi * (180 + 40 * math.sin(2 * math.pi * 4 * t)) * t) + rng.gauss(0, 60)


def write(rel, data):
    p = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    return rel


def float_wav(samples, channels=2, rate=8000):
    data = b"".join(struct.pack("<f", s) for s in samples)
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * 4 * channels, 4 * channels, 32)
    return b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt \
        + b"data" + struct.pack("<I", len(data)) + data


def main():
    os.makedirs(OUT, exist_ok=True)
    good = wav_bytes(2, 8000, 8000 * 6, gen=speechlike)
    # --- audio
    case("analyze", write("audio/empty.wav", b""), 1, "error")
    case("analyze", write("audio/header-only.wav", bytes(good[:44])), 0, "\"duration_s\":0")
    trunc = bytes(good[: len(good) // 2])
    case("analyze", write("audio/truncated-mid-data.wav", trunc), 0, "truncated")
    case("analyze", write("audio/wav-named.mp3", bytes(good)), 0, "\"channels\":2")
    case("analyze", write("audio/random-bytes.wav", bytes(rng.getrandbits(8) for _ in range(20000))), 1, "error")
    lying = bytearray(good)
    struct.pack_into("<I", lying, 40, 50_000_000)
    case("analyze", write("audio/lying-data-size.wav", bytes(lying)), 0, "truncated")
    zero = bytearray(good)
    struct.pack_into("<I", zero, 24, 0)
    struct.pack_into("<I", zero, 28, 0)
    case("analyze", write("audio/zero-sample-rate.wav", bytes(zero)), 1, "error")
    case("analyze", write("audio/eight-channels.wav", bytes(wav_bytes(8, 8000, 800))), 1, "8 channels")
    clipped = wav_bytes(2, 8000, 8000 * 4, gen=lambda i, c: 32767 if (i // 20) % 2 == 0 else -32768)
    case("analyze", write("audio/all-clipped.wav", bytes(clipped)), 0, "clipping")
    samples = []
    for i in range(8000 * 3):
        v = 0.3 * math.sin(2 * math.pi * 200 * i / 8000)
        samples += [v, v * 0.5]
    samples[100] = float("nan")
    samples[5001] = float("inf")
    samples[7000] = float("-inf")
    case("analyze", write("audio/nan-inf.wav", float_wav(samples)), 0, "non_finite_samples")
    # One hour of digital silence, as FLAC (a few KB), through sox when available.
    flac = os.path.join(OUT, "audio/silence-1h.flac")
    if subprocess.run(["sox", "-D", "-n", "-r", "8000", "-c", "2", "-b", "16", flac, "trim", "0", "3600"]).returncode == 0:
        case("analyze", "audio/silence-1h.flac", 0, "agent_channel_silent")
    # --- CSV manifests (recording column empty: the records themselves are under test)
    hdr = "call_id,recording,agent_id,started_at,wait_s,answered\n"
    row = "c{},,a1,2026-11-24T09:0{}:00+01:00,5,true\n"
    case("ingest", write("csv/wrong-delimiter.csv", (hdr + row.format(1, 1)).replace(",", "|").encode()), 1, "semicolon")
    case("ingest", write("csv/bom-crlf.csv", b"\xef\xbb\xbf" + (hdr + row.format(1, 1) + row.format(2, 2)).replace("\n", "\r\n").encode()), 0, "calls in input        2")
    case("ingest", write("csv/semicolon.csv", (hdr + row.format(1, 1)).replace(",", ";").encode()), 0, "calls in input        1")
    case("ingest", write("csv/quoted-commas-newlines.csv",
                         (hdr.strip() + ",note\n" + 'c1,,a1,2026-11-24T09:01:00+01:00,5,true,"a, b\nand ""c"""\n').encode()), 0, "calls in input        1")
    case("ingest", write("csv/missing-columns.csv", b"call_id,agent_id\nc1,a1\n"), 1, "started_at")
    case("ingest", write("csv/missing-fields.csv", (hdr + "c1,,a1\n" + row.format(2, 2)).encode()), 1, "expected 6 fields")
    case("ingest", write("csv/extra-columns.csv", (hdr.strip() + ",campaign,region\n" + row.format(1, 1).strip() + ",spring,north\n").encode()), 0, "calls in input        1")
    case("ingest", write("csv/one-megabyte-field.csv", (hdr + "c1,,a1,2026-11-24T09:01:00+01:00,5,true\nc2,,\"" + "x" * 1_100_000 + "\",2026-11-24T09:02:00+01:00,5,true\n").encode()), 1, "longer than")
    case("ingest", write("csv/invalid-utf8.csv", hdr.encode() + b"c1,,a\xff\xfe1,2026-11-24T09:01:00+01:00,5,true\n" + row.format(2, 2).encode()), 1, "UTF-8")
    case("ingest", write("csv/duplicate-header.csv", b"call_id,started_at,call_id\nc1,2026-11-24T09:01:00+01:00,c1\n"), 1, "appears twice")
    case("ingest", write("csv/bad-values.csv", (hdr + "c1,,a1,yesterday,5,true\nc2,,a1,2026-11-24T09:01:00+01:00,-3,true\nc3,,a1,2026-11-24T09:01:00+01:00,5,perhaps\n").encode()), 1, "expected seconds")
    case("ingest", write("csv/unterminated-quote.csv", (hdr + 'c1,,"a1,2026-11-24T09:01:00+01:00,5,true\n').encode()), 1, "never closed")
    case("ingest", write("csv/binary.csv", bytes(rng.getrandbits(8) for _ in range(4000))), 1, "error")
    # --- YAML cards
    case("lint", write("yaml/syntax-error.yaml", b"version: 1\nid: x\nname: [unclosed\nsections: []\n"), 1, "YAML syntax")
    case("lint", write("yaml/wrong-types.yaml", b"version: one\nid: [x]\nname: X\ntarget: high\nsections: {a: 1}\n"), 1, "expected a number")
    bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 10):
        bomb += f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]\n"
    case("lint", write("yaml/billion-laughs.yaml", bomb.encode()), 1, "unknown key")
    lines = ["version: 1", "id: x", "name: X", "sections:", "  - id: s", "    criteria:", "      - id: c", "        text: T",
             "        manual: yes_no", "        na_when: &n0 [{metric: call.hold_s, at_most: 1}, {metric: call.hold_s, at_most: 2}]"]
    for i in range(1, 12):
        lines.append(f"      - {{id: c{i}, text: T, manual: yes_no, na_when: &n{i} [*n{i-1}, *n{i-1}, *n{i-1}]}}")
    case("lint", write("yaml/alias-expansion.yaml", ("\n".join(lines) + "\n").encode()), 1, "expected a mapping")
    case("lint", write("yaml/huge-number.yaml", b"version: 1\nid: x\nname: X\ntarget: 1e999\nsections:\n  - id: s\n    criteria:\n      - {id: c, text: T, weight: 123456789012345678901234567890, manual: yes_no}\n"), 1, "expected a number between")
    case("lint", write("yaml/deep-nesting.yaml", ("version: 1\nid: x\nname: X\nsections:\n  - id: s\n    criteria:\n      - id: c\n        text: T\n        manual: yes_no\n        na_when: " + "[" * 500 + "]" * 500 + "\n").encode()), 1, "na_when: expected a mapping")
    case("lint", write("yaml/not-a-mapping.yaml", b"- just\n- a list\n"), 1, "expected a mapping")
    # --- surveys (run after ingesting csv/surveys-calls.csv)
    write("surveys/calls.csv", (hdr + "s1,,a1,2026-11-24T09:01:00+01:00,5,true\ns2,,a1,2026-11-24T09:02:00+01:00,5,true\n").encode())
    case("nps", write("surveys/rejected-rows.csv", b"survey_id,call_id,score,answered_at,comment\n"
                      b"v1,s1,ten,2026-11-24T09:10:00+01:00,\nv2,s1,11,2026-11-24T09:10:00+01:00,\nv3,s1,-1,2026-11-24T09:10:00+01:00,\n"
                      b"v4,s1,7.5,2026-11-24T09:10:00+01:00,\nv5,s1,8,24/11/2026,\nv6,s1,9,2026-11-24T09:10:00+01:00,ok\n"
                      b"v6,s2,3,2026-11-24T09:10:00+01:00,dup id\nv6,s1,9,2026-11-24T09:10:00+01:00,ok\n"), 1, "duplicate survey_id")
    case("nps", write("surveys/injection.csv", "survey_id,call_id,score,answered_at,comment\n"
                      "i1,s1,0,2026-11-24T09:10:00+01:00,\"'); DROP TABLE calls; --\"\n"
                      "i2,s2,10,2026-11-24T09:11:00+01:00,\"<script>alert(1)</script> =HYPERLINK(\"\"http://x\"\") \u001b[31mred\"\n".encode()), 0, "2 imported")
    # --- paths (manifest rows pointing outside the audio root)
    os.makedirs(os.path.join(OUT, "paths/root"), exist_ok=True)
    write("paths/root/ok.wav", bytes(good))
    link = os.path.join(OUT, "paths/root/link-out.wav")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink("../../audio/all-clipped.wav", link)
    ctl = "c5,\"bad\nname.wav\",a1,2026-11-24T09:05:00+01:00,5,true\n"
    case("ingest", write("paths/root/manifest.csv", (hdr + "c1,../../audio/all-clipped.wav,a1,2026-11-24T09:01:00+01:00,5,true\n"
                                                      "c2,/etc/passwd,a1,2026-11-24T09:02:00+01:00,5,true\n"
                                                      "c3,link-out.wav,a1,2026-11-24T09:03:00+01:00,5,true\n"
                                                      "c4,ok.wav,a1,2026-11-24T09:04:00+01:00,5,true\n" + ctl
                                                      + "c6,\"tab\tand\u0007bell.wav\",a1,2026-11-24T09:06:00+01:00,5,true\n").encode()),
         1, "outside the audio root")
    # --- round 2 (issue 21). FIFOs, memory limits, concurrency and the database file need the
    # file system at test time: Tests/StoreTests/HostileRound2Tests.swift, DatabaseFileTests.swift
    # and CustomerPrivacyTests.swift make those cases.
    huge = bytearray(wav_bytes(2, 8000, 4000))
    struct.pack_into("<I", huge, 24, 2_147_483_647)
    case("analyze", write("audio/huge-sample-rate.wav", bytes(huge)), 1, "outside the supported range 4000–192000 Hz")
    one_hz = bytearray(wav_bytes(2, 8000, 4000))
    struct.pack_into("<I", one_hz, 24, 1)
    case("analyze", write("audio/one-hertz.wav", bytes(one_hz)), 1, "outside the supported range")
    absurd = []
    for i in range(8000 * 2):
        v = 5e19 if (i // 40) % 2 == 0 else -5e19
        absurd += [v, v * 0.5]
    case("analyze", write("audio/float-5e19.wav", float_wav(absurd)), 0, '"out_of_range_samples"')
    case("ingest", write("csv/hex-seconds.csv", (hdr + "x1,,a1,2026-11-24T09:01:00+01:00,0x10,true\n"
                                                  "x2,,a1,2026-11-24T09:02:00+01:00,0x1p3,true\n").encode()), 1, 'got "0x1p3"')
    case("ingest", write("csv/date-only-start.csv", (hdr + "d1,,a1,2026-11-24,5,true\n").encode()), 1, "a date without a time of day")
    case("ingest", write("csv/escape-sequences.csv", (hdr + "e1,,a\u001b[31m1,2026-11-24T09:01:00+01:00,-3\u001b[2J,true\n").encode()),
         1, "\\u{1B}[2J")
    case("ingest", write("csv/withheld-callers.csv", ("call_id,agent_id,started_at,wait_s,answered,caller\n"
                                                      "a1,a1,2026-11-24T09:01:00+01:00,5,true,anonymous\n"
                                                      "a2,a1,2026-11-24T09:02:00+01:00,5,true,Anonymous\n"
                                                      "a3,a1,2026-11-24T09:03:00+01:00,5,true,0000\n"
                                                      "a4,a1,2026-11-24T09:04:00+01:00,5,true,restricted\n").encode()), 0, "calls in input        4")
    long_id = "9" * 5000
    case("ingest", write("asterisk/queue_log-bad-ids", ("1764000000|q1|support|NONE|ENTERQUEUE||+4930111|1\n"
                                                        "1764000000|bad\u001b[2Jid|support|NONE|ENTERQUEUE||+4930111|1\n"
                                                        f"1764000000|{long_id}|support|NONE|ENTERQUEUE||+4930111|1\n").encode()),
         1, "call id must be one line of at most 200 characters")
    case("ingest", write("asterisk/Master-outbound.csv", ('"","1001","+4915112345678","from-internal","""Agent"" <1001>","PJSIP/1001-00000001",'
                                                         '"PJSIP/trunk-00000002","Dial","PJSIP/+4915112345678@trunk","2026-11-24 13:00:00",'
                                                         '"2026-11-24 13:00:10","2026-11-24 13:02:00",120,110,"ANSWERED","DOCUMENTATION",'
                                                         '"1764000000.9","cb 015112345678"\n').encode()), 0, "calls in input        1")
    rows = hdr + row.format(1, 1).replace("c1,", "u1,") + row.format(2, 2).replace("c2,", "u2,")
    case("ingest", write("csv/utf16-excel-unicode-text.csv", b"\xff\xfe" + rows.encode("utf-16-le")), 0, "UTF-16 text")
    case("ingest", write("csv/cr-only-line-ends.csv", rows.replace("u1,", "m1,").replace("u2,", "m2,").replace("\n", "\r").encode()), 0, "CR only")
    case("ingest", write("csv/german-excel-export.csv", ("call_id;agent_id;started_at;wait_s;answered\n"
                                                        "g1;a1;24.11.2026 09:18;5;true\n"
                                                        "g2;a1;2026-11-24T09:18:00+01:00;43,7;true\n").encode()), 1, "decimal comma")
    with open(os.path.join(OUT, "cases.tsv"), "w") as f:
        f.write("# command\tfile (relative to this folder)\texit status\ttext the output must contain\n")
        for c in cases:
            f.write("\t".join(c) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
