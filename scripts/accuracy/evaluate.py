#!/usr/bin/env python3
"""Score callqa's speech activity (and webrtcvad's, modes 0-3) against the exact truth
written by gencalls.py.

Frame level: 10 ms frames, precision / recall / F1 per channel (agent and customer on
stereo, mixed on mono), pooled over the files of each group. Metric errors per file:
talk ratio (percentage points, per channel), silence ratio (pp), overtalk (s) and longest
silence (s); the table shows the median absolute error per group.

webrtcvad gets the same utterance-level treatment as the truth (pauses shorter than
0.35 s bridged), which is its best case; its hold music / tones are not removed.

Usage: evaluate.py DIR [--callqa PATH] [--callqa-args "OPTIONS"] [--no-webrtc] [--json OUT]
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict

import numpy as np

MERGE_FRAMES = 35


def bridge(active, max_gap):
    a = active.copy()
    idx = np.nonzero(a)[0]
    if len(idx) == 0:
        return a
    for i, g in enumerate(np.diff(idx)):
        if 1 < g <= max_gap:
            a[idx[i] + 1: idx[i + 1]] = True
    return a


def frames_from_segments(segs, n):
    a = np.zeros(n, dtype=bool)
    for s, e in segs:
        a[int(round(s * 100)): int(round(e * 100))] = True
    return a


def run_callqa(binary, files, extra=()):
    out = subprocess.run([binary, "analyze", "--format", "json", "--segments", *extra] + files,
                         capture_output=True, text=True)
    res = {}
    for line in out.stdout.splitlines():
        obj = json.loads(line)
        res[obj["file"]] = obj
    return res


def decode_pcm16(path, channel, channels):
    cmd = ["sox", path, "-t", "raw", "-r", "8000", "-e", "signed-integer", "-b", "16", "-c", "1", "-"]
    if channels == 2:
        cmd += ["remix", str(channel + 1)]
    return subprocess.run(cmd, capture_output=True, check=True).stdout


def run_webrtc(path, channels, n, mode):
    import webrtcvad
    vad = webrtcvad.Vad(mode)
    result = []
    for c in range(channels):
        pcm = decode_pcm16(path, c, channels)
        a = np.zeros(n, dtype=bool)
        for i in range(min(n, len(pcm) // 160)):
            a[i] = vad.is_speech(pcm[i * 160:(i + 1) * 160], 8000)
        result.append(bridge(a, MERGE_FRAMES))
    return result


def metrics(chans, n, hold):
    """chans: list of bool arrays (agent, customer) or (mixed,)."""
    any_talk = np.zeros(n, dtype=bool)
    for a in chans:
        any_talk |= a
    silent = ~any_talk & ~hold
    runs, cur = [], 0
    for v in silent:
        if v:
            cur += 1
        else:
            if cur:
                runs.append(cur)
            cur = 0
    if cur:
        runs.append(cur)
    m = {"talk_ratio": [a.sum() / n for a in chans], "silence_ratio": silent.sum() / n,
         "longest_silence_s": (max(runs) if runs else 0) / 100}
    if len(chans) == 2:
        m["overtalk_s"] = (chans[0] & chans[1]).sum() / 100
    return m


class Acc:
    def __init__(self):
        self.tp = self.fp = self.fn = 0
        self.talk_err, self.sil_err, self.over_err, self.long_err = [], [], [], []

    def add_frames(self, pred, truth):
        self.tp += int((pred & truth).sum())
        self.fp += int((pred & ~truth).sum())
        self.fn += int((~pred & truth).sum())

    def add_metrics(self, mp, mt):
        self.talk_err += [abs(a - b) * 100 for a, b in zip(mp["talk_ratio"], mt["talk_ratio"])]
        self.sil_err.append(abs(mp["silence_ratio"] - mt["silence_ratio"]) * 100)
        if "overtalk_s" in mt:
            self.over_err.append(abs(mp["overtalk_s"] - mt["overtalk_s"]))
        self.long_err.append(abs(mp["longest_silence_s"] - mt["longest_silence_s"]))

    def row(self):
        p = self.tp / max(1, self.tp + self.fp)
        r = self.tp / max(1, self.tp + self.fn)
        f = 2 * p * r / max(1e-9, p + r)
        med = lambda xs: statistics.median(xs) if xs else float("nan")
        return {"precision": p, "recall": r, "f1": f, "talk_ratio_err_pp": med(self.talk_err),
                "silence_ratio_err_pp": med(self.sil_err), "overtalk_err_s": med(self.over_err),
                "longest_silence_err_s": med(self.long_err)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--callqa", default=".build/release/callqa")
    ap.add_argument("--callqa-args", default="",
                    help="extra analyze options, e.g. \"--pad-s 0.05 --merge-gap-s 0.4\" (parameter sweeps)")
    ap.add_argument("--no-webrtc", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    truths = sorted(glob.glob(os.path.join(args.dir, "*.truth.json")))
    files = {}
    for t in truths:
        base = t[: -len(".truth.json")]
        audio = base + (".mp3" if os.path.exists(base + ".mp3") else ".wav")
        files[audio] = json.load(open(t))
    ours = run_callqa(args.callqa, list(files), args.callqa_args.split())
    detectors = ["callqa"] + ([] if args.no_webrtc else [f"webrtc{m}" for m in range(4)])
    groups = defaultdict(lambda: defaultdict(Acc))
    # Non-speech events (music on hold, ring-back, DTMF): frames inside them that the truth
    # calls silence on that line but a detector calls talk, by event kind and codec.
    leaks = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for audio, truth in files.items():
        n = truth["frames"]
        hold = np.zeros(n, dtype=bool)
        for ev in truth["events"]:
            if ev["kind"] == "hold":
                hold[int(ev["start_s"] * 100): int(ev["end_s"] * 100)] = True
        names = ["agent", "customer"] if truth["channels"] == 2 else ["mixed"]
        tch = []
        for nm in names:
            a = np.zeros(n, dtype=bool)
            a[[i for i in truth[nm] if i < n]] = True
            tch.append(a)
        mt = metrics(tch, n, hold)
        keys = [("all", "all"), ("snr", truth["snr"]), ("codec", truth["codec"]), ("voices", truth["voices"]),
                ("voices×snr", f"{truth['voices']} {truth['snr']}")]
        for det in detectors:
            if det == "callqa":
                obj = ours.get(audio)
                if obj is None or "error" in obj:
                    print(f"callqa failed on {audio}: {obj}", file=sys.stderr)
                    continue
                pch = [frames_from_segments(obj["parties"][nm]["segments"], n) for nm in names]
                mp_hold = np.zeros(n, dtype=bool)
                for h in obj.get("hold", []):
                    mp_hold[int(round(h["start_s"] * 100)): int(round(h["end_s"] * 100))] = True
                mp = metrics(pch, n, mp_hold)
            else:
                pch = run_webrtc(audio, truth["channels"], n, int(det[-1]))
                mp = metrics(pch, n, np.zeros(n, dtype=bool))
            if args.verbose and det == "callqa":
                for nm, p, t in zip(names, pch, tch):
                    tp = (p & t).sum(); fp = (p & ~t).sum(); fn = (~p & t).sum()
                    print(f"{os.path.basename(audio):28s} {nm:8s} P={tp/max(1,tp+fp):.3f} R={tp/max(1,tp+fn):.3f} "
                          f"fp={fp} fn={fn}")
            for ev in truth["events"]:
                if ev["kind"] not in ("hold", "ringback", "dtmf"):
                    continue
                c = 0 if truth["channels"] == 1 else ev.get("channel", 0)
                span = slice(int(round(ev["start_s"] * 100)), int(round(ev["end_s"] * 100)))
                inside = ~tch[c][span]
                for key in (ev["kind"], f"{ev['kind']} {truth['codec']}"):
                    leaks[key][det][0] += int((pch[c][span] & inside).sum())
                    leaks[key][det][1] += int(inside.sum())
            for k in keys:
                acc = groups[k][det]
                for p, t in zip(pch, tch):
                    acc.add_frames(p, t)
                acc.add_metrics(mp, mt)
    report = {}
    order = {"clean": 0, "20": 1, "10": 2, "5": 3}
    def sort_key(k):
        kind, val = k
        parts = val.split()
        return (kind, [order.get(p, p) if isinstance(order.get(p, p), int) else 9 for p in parts], val)
    print(f"{'group':24s} {'detector':9s} {'P':>6s} {'R':>6s} {'F1':>6s} {'talk pp':>8s} {'sil pp':>7s} "
          f"{'over s':>7s} {'long s':>7s}")
    for k in sorted(groups, key=sort_key):
        for det in detectors:
            if det not in groups[k]:
                continue
            r = groups[k][det].row()
            report.setdefault(f"{k[0]}={k[1]}", {})[det] = r
            print(f"{k[0] + '=' + k[1]:24s} {det:9s} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} "
                  f"{r['talk_ratio_err_pp']:8.2f} {r['silence_ratio_err_pp']:7.2f} {r['overtalk_err_s']:7.2f} "
                  f"{r['longest_silence_err_s']:7.2f}")
    print()
    print("non-speech frames counted as talk (frames inside the event that the truth calls silence)")
    print(f"{'event':24s} " + " ".join(f"{d:>14s}" for d in detectors))
    for key in sorted(leaks):
        cells = []
        for det in detectors:
            talk, total = leaks[key][det]
            cells.append(f"{talk:>6d}/{total:<7d}")
        report.setdefault("talk_in_nonspeech", {})[key] = {d: leaks[key][d] for d in detectors}
        print(f"{key:24s} " + " ".join(cells))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
