#!/usr/bin/env python3
"""Peer for `make bench-ingest`: webrtcvad (mode 3, 30 ms frames) on every channel of every
file, decoding with sox to 16-bit PCM; prints the speech share per file."""
import subprocess
import sys

import webrtcvad

vad = webrtcvad.Vad(3)
for path in sys.argv[1:]:
    ch = int(subprocess.run(["soxi", "-c", path], capture_output=True, text=True).stdout)
    for c in range(1, ch + 1):
        raw = subprocess.run(["sox", path, "-t", "raw", "-r", "8000", "-e", "signed-integer", "-b", "16", "-c", "1", "-",
                              "remix", str(c)], capture_output=True, check=True).stdout
        step = 480
        frames = speech = 0
        for i in range(0, len(raw) - step + 1, step):
            frames += 1
            speech += vad.is_speech(raw[i:i + step], 8000)
        print(path, c, speech / max(1, frames))
