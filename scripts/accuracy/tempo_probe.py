#!/usr/bin/env python3
"""Does music on hold that callqa takes for talk keep a beat that speech does not?

A measurement for the next step of the music-on-hold judgement (README, "music taken for talk
and a steady beat"), not part of the harness's table. For every stretch of at least MIN_S seconds
(default 4) that `callqa analyze --segments` finds as talk on the agent's channel (the mixed one
on a mono call), it labels the stretch from the truth gencalls.py wrote beside the audio:

  music   at least 80 % inside the call's hold span and under 20 % of it the agent's speech;
  speech  at least 70 % of its frames the agent's speech;
  mixed   neither;

and measures its tempo strength: the frame levels (10 ms, dB) of that channel, the onset
envelope (the rise from each frame to the next, 0 where the level falls, smoothed over 3
frames, its mean taken off), and the highest normalised autocorrelation of that envelope at lags
of 0.25–1.5 s (at most a third of the stretch). Prints the distribution per label and the stretches.

Usage: tempo_probe.py CALLQA_BIN SET_DIR... (MIN_S=seconds in the environment)
"""
import collections
import glob
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sndfile  # noqa: E402


def tempo_strength(levels_db):
    """The highest normalised autocorrelation of the onset envelope at lags 25–150 frames (at
    most a third of the stretch), and its lag (frames); (0, 0) when no lag fits."""
    onset = np.maximum(0, np.diff(levels_db))
    onset = np.convolve(onset, np.ones(3) / 3, "same")
    onset = onset - onset.mean()
    energy = (onset * onset).sum() + 1e-12
    best, best_lag = 0.0, 0
    for lag in range(25, min(150, len(onset) // 3) + 1):
        r = float((onset[lag:] * onset[:-lag]).sum() / energy)
        if r > best:
            best, best_lag = r, lag
    return best, best_lag


def label(start, end, speech_frames, holds):
    frames = range(int(start * 100), int(end * 100))
    speech = sum(1 for f in frames if f in speech_frames) / max(1, len(frames))
    held = sum(max(0.0, min(end, h["end_s"]) - max(start, h["start_s"])) for h in holds) / (end - start)
    if held >= 0.8 and speech < 0.2:
        return "music"
    return "speech" if speech >= 0.7 else "mixed"


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: tempo_probe.py CALLQA_BIN SET_DIR...")
    binary, sets = sys.argv[1], sys.argv[2:]
    min_s = float(os.environ.get("MIN_S", "4"))
    rows = []
    for directory in sets:
        for truth_path in sorted(glob.glob(os.path.join(directory, "*.truth.json"))):
            truth = json.load(open(truth_path))
            audio = os.path.join(directory, truth["audio"])
            run = subprocess.run([binary, "analyze", "--format", "json", "--segments", audio],
                                 capture_output=True, text=True)
            if run.returncode != 0 or not run.stdout.strip():
                print(f"{audio}: callqa analyze failed: {run.stderr.strip()}", file=sys.stderr)
                continue
            analysis = json.loads(run.stdout.splitlines()[0])
            party = "agent" if "agent" in analysis["parties"] else "mixed"
            stretches = [s for s in analysis["parties"][party]["segments"] if s[1] - s[0] >= min_s]
            if not stretches:
                continue
            samples, rate = sndfile.read(audio)
            samples = np.asarray(samples, dtype=np.float64)
            channel = samples[:, 0] if samples.ndim == 2 else samples
            hop = rate // 100
            n = len(channel) // hop
            levels = 10 * np.log10((channel[: n * hop].reshape(n, hop) ** 2).mean(axis=1) + 1e-10)
            speech_frames = set(truth["agent"] if truth["channels"] == 2 else truth["mixed"])
            holds = [e for e in truth["events"] if e["kind"] == "hold"]
            for start, end in stretches:
                strength, lag = tempo_strength(levels[int(start * 100): min(n, int(end * 100))])
                rows.append((label(start, end, speech_frames, holds), strength, lag, end - start,
                             os.path.join(os.path.basename(directory), truth["audio"]), start, end))
    by_label = collections.defaultdict(list)
    for row in rows:
        by_label[row[0]].append(row[1])
    print(f"stretches of talk of {min_s:g} s or more, tempo strength (onset-envelope autocorrelation, 0.25–1.5 s)")
    for name in ("speech", "music", "mixed"):
        values = np.array(by_label.get(name, []))
        if len(values):
            p = np.percentile(values, [10, 50, 90, 99])
            print(f"  {name:6s} {len(values):5d}  p10 {p[0]:.3f}  median {p[1]:.3f}  p90 {p[2]:.3f}  p99 {p[3]:.3f}  max {values.max():.3f}")
    for name, count in (("music", None), ("speech", 10)):
        print(f"{name} stretches, strongest first:")
        for row in sorted((r for r in rows if r[0] == name), key=lambda r: -r[1])[:count]:
            print(f"  {row[1]:.3f}  lag {row[2] / 100:.2f} s  {row[3]:5.1f} s  {row[4]} {row[5]:.2f}–{row[6]:.2f}")


if __name__ == "__main__":
    main()
