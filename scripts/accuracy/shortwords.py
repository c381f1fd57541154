#!/usr/bin/env python3
"""Short real words on noisy lines: a probe set for step 6's rules on stretches under 1.5 s.

The accuracy harness (gencalls.py) speaks in prompts and sentences; a real customer often
answers in a word ("yes", a number, "hello") while the agent talks, or in the pause after.
Each call here: 60 s, 8 kHz stereo PCM16; the agent (left) reads real studio prompts of
1.5-6 s (asterisk's Allison, June or the Mexican Allison) with pauses of 1.2-2.5 s; the
customer (right) says one or two short real words (asterisk's English digits 0-9, "is",
"hello", "goodbye": 0.3-1 s) during or just after each prompt, and one longer prompt at 2 s
so that the line has talk behind it; white noise on each channel at the call's SNR under
that party's speech level (agent -20 dBFS, customer -26 dBFS).

Truth, in the harness's format (`*.truth.json`, read by evaluate.py): a frame is speech
where the clip's own 10 ms power is within 35 dB of its loudest frame; gaps of 0.35 s or
less between speech frames count as speech.

    python3 scripts/accuracy/shortwords.py OUTDIR [--seed N] [--snr 20,10,5] [--calls 8]
    python3 scripts/accuracy/evaluate.py OUTDIR --callqa .build/release/callqa

Needs numpy and Debian's asterisk-core-sounds-en-wav (installed by `make accuracy`).
"""
import argparse
import glob
import json
import os
import random
import wave

import numpy as np

SR = 8000
FRAME = SR // 100
SOUNDS = "/usr/share/asterisk/sounds"
VOICES = ("en_US_f_Allison", "fr_CA_f_June", "es_MX_f_Allison")
AGENT_DBFS, CUSTOMER_DBFS = -20.0, -26.0
TRUTH_RANGE_DB = 35.0
MERGE_FRAMES = 35


def load(path):
    """A clip as floats in [-1, 1] (8 kHz 16-bit mono, as asterisk ships them)."""
    with wave.open(path) as w:
        if (w.getframerate(), w.getsampwidth(), w.getnchannels()) != (SR, 2, 1):
            raise SystemExit(f"{path}: expected 8 kHz 16-bit mono WAV")
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768


def at_level(x, dbfs):
    return x / np.sqrt(np.mean(x ** 2) + 1e-20) * 10 ** (dbfs / 20)


def speech_frames(clip, start):
    """Frames (of the call) where the clip stands within TRUTH_RANGE_DB of its loudest frame."""
    n = len(clip) // FRAME
    power = np.array([np.mean(clip[i * FRAME:(i + 1) * FRAME] ** 2) for i in range(n)]) + 1e-20
    db = 10 * np.log10(power)
    return {start // FRAME + i for i in range(n) if db[i] > db.max() - TRUTH_RANGE_DB}


def bridged(frames):
    frames = sorted(frames)
    out = set(frames)
    for a, b in zip(frames, frames[1:]):
        if 1 < b - a <= MERGE_FRAMES:
            out.update(range(a, b))
    return sorted(out)


def call(rng, noise, voice, snr, seconds=60):
    n = seconds * SR
    agent, customer = np.zeros(n), np.zeros(n)
    agent_truth, customer_truth = set(), set()
    prompts = [p for p in sorted(glob.glob(f"{SOUNDS}/{voice}/*.wav"))]
    words = sorted(glob.glob(f"{SOUNDS}/en/digits/[0-9].wav")) + \
        [p for p in (f"{SOUNDS}/en/{w}.wav" for w in ("is", "hello", "goodbye")) if os.path.exists(p)]
    if not prompts or not words:
        raise SystemExit(f"asterisk sounds missing under {SOUNDS} (make accuracy installs them)")
    if not any(1.5 * SR <= len(load(p)) <= 6 * SR for p in prompts):
        raise SystemExit(f"{SOUNDS}/{voice}: no prompt of 1.5-6 s to read")

    def place(signal, truth, clip, at):
        clip = clip[:n - at]
        signal[at:at + len(clip)] += clip
        truth.update(speech_frames(clip, at))

    # One longer customer turn early, so that the line has talk behind it.
    turns = [p for p in prompts if 1.5 * SR < len(load(p)) < 4 * SR]
    place(customer, customer_truth, at_level(load(rng.choice(turns)), CUSTOMER_DBFS), 2 * SR)
    t = SR // 2
    while t < n - 4 * SR:
        prompt = load(rng.choice(prompts))
        if not 1.5 * SR <= len(prompt) <= 6 * SR:
            continue
        place(agent, agent_truth, at_level(prompt, AGENT_DBFS), t)
        for _ in range(rng.choice((1, 2))):
            word = at_level(load(rng.choice(words)), CUSTOMER_DBFS)
            at = t + rng.randrange(int(0.3 * SR), len(prompt) + SR)
            if at + len(word) < n:
                place(customer, customer_truth, word, at)
        t += len(prompt) + rng.randrange(int(1.2 * SR), int(2.5 * SR))
    agent += noise.standard_normal(n) * 10 ** ((AGENT_DBFS - snr) / 20)
    customer += noise.standard_normal(n) * 10 ** ((CUSTOMER_DBFS - snr) / 20)
    return agent, customer, bridged(agent_truth), bridged(customer_truth)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--snr", default="20,10,5", help="SNR bands (dB), comma-separated")
    ap.add_argument("--calls", type=int, default=8, help="calls per SNR band")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    rng = random.Random(args.seed)
    count = 0
    for snr in (int(s) for s in args.snr.split(",")):
        for k in range(args.calls):
            noise = np.random.default_rng(args.seed * 1000 + count)
            agent, customer, agent_truth, customer_truth = call(rng, noise, VOICES[k % len(VOICES)], snr)
            name = f"shortwords-{snr}-{k}"
            pcm = (np.clip(np.stack([agent, customer], 1), -1, 1) * 32767).astype(np.int16)
            with wave.open(os.path.join(args.outdir, f"{name}.wav"), "wb") as w:
                w.setnchannels(2)
                w.setsampwidth(2)
                w.setframerate(SR)
                w.writeframes(pcm.tobytes())
            truth = {"channels": 2, "agent": agent_truth, "customer": customer_truth, "audio": f"{name}.wav",
                     "sample_rate": SR, "frames": len(agent) // FRAME, "split": "probe", "scenario": "shortwords",
                     "conditions": ["noise"], "params": {"speech_level_dbfs": {"agent": AGENT_DBFS, "customer": CUSTOMER_DBFS}},
                     "events": [], "voices": "real", "snr": str(snr), "codec": "pcm16", "noise": "white",
                     "bandlimited_noise": False, "duration_s": len(agent) / SR}
            with open(os.path.join(args.outdir, f"{name}.truth.json"), "w") as f:
                json.dump(truth, f)
            count += 1
    print(f"{count} calls in {args.outdir}")


if __name__ == "__main__":
    main()
