#!/usr/bin/env python3
"""Can callqa learn a site's music on hold from the site's own recordings?

A measurement for a next step of the music-on-hold judgement (README, "learning the site's hold
music from its own calls"), not part of the harness's table. A contact center plays a handful of
pieces on hold, in call after call; conversation never repeats itself sample for sample. So the
stretches that step 6 already judges hold in some calls (no library given) are pieces of the
site's music, and given back as a hold-music library (`--hold-music DIR`) they may find the same
music where step 6 took it for talk in other calls.

For every call of the LEARN sets and each of its channels, the utterances `vadtrace --utterances`
reports with the verdict `hold` (the detector's own judgement as a whole, not a chained piece nor
the music side of a split) of at least MIN_S seconds are cut, less TRIM_S seconds at each end
(words next to the music), and written to OUT_DIR as 16-bit mono WAV files at the call's rate (calls at
other rates than 8 kHz are passed over). No truth file is read. Then score other sets with

  evaluate.py SET --callqa BIN --callqa-args "--hold-music OUT_DIR" --no-webrtc --no-silero

beside the same command without the library. Learn from one draw, score another: the snippets
come from the scored calls themselves otherwise.

Usage: learn_hold_probe.py VADTRACE_BIN OUT_DIR LEARN_SET... (MIN_S, TRIM_S in the environment;
defaults 4 and 0.5)
"""
import csv
import glob
import io
import json
import os
import subprocess
import sys
import wave

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sndfile  # noqa: E402


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: learn_hold_probe.py VADTRACE_BIN OUT_DIR LEARN_SET...")
    vadtrace, out_dir, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
    min_s = float(os.environ.get("MIN_S", "4"))
    trim_s = float(os.environ.get("TRIM_S", "0.5"))
    os.makedirs(out_dir, exist_ok=True)
    count, seconds, skipped = 0, 0.0, 0
    for directory in sets:
        for truth_path in sorted(glob.glob(os.path.join(directory, "*.truth.json"))):
            # The truth file only names the audio beside it; nothing of the truth is used.
            audio = os.path.join(directory, json.load(open(truth_path))["audio"])
            samples = None
            channels = 1
            for channel in (0, 1):
                run = subprocess.run([vadtrace, "--utterances", audio, str(channel)], capture_output=True, text=True)
                if run.returncode != 0:
                    if channel == 0:
                        print(f"{audio}: vadtrace failed: {run.stderr.strip()}", file=sys.stderr)
                    break
                holds = [(float(r["start_s"]), float(r["end_s"])) for r in csv.DictReader(io.StringIO(run.stdout))
                         if r["verdict"] == "hold"]
                holds = [(s, e) for s, e in holds if e - s >= min_s]
                if not holds:
                    continue
                if samples is None:
                    data, rate = sndfile.read(audio)
                    samples = np.asarray(data, dtype=np.float64)
                    channels = 1 if samples.ndim == 1 else samples.shape[1]
                if rate != 8000:
                    skipped += len(holds)
                    continue
                if channel >= channels:
                    break
                line = samples if channels == 1 else samples[:, channel]
                for start, end in holds:
                    piece = line[int((start + trim_s) * rate): int((end - trim_s) * rate)]
                    stem = os.path.splitext(os.path.basename(audio))[0]
                    name = os.path.join(out_dir, f"{os.path.basename(directory)}-{stem}-{channel}-{start:.2f}.wav")
                    with wave.open(name, "wb") as w:
                        w.setnchannels(1)
                        w.setsampwidth(2)
                        w.setframerate(rate)
                        w.writeframes((np.clip(piece, -1, 1) * 32767).astype("<i2").tobytes())
                    count += 1
                    seconds += len(piece) / rate
                if channels == 1:
                    break
    print(f"learned {count} stretches of hold, {seconds:.1f} s, into {out_dir}"
          + (f" ({skipped} at other rates than 8 kHz passed over)" if skipped else ""))


if __name__ == "__main__":
    main()
