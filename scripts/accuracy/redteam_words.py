#!/usr/bin/env python3
"""Red-teams of step 6's rule that words read out one at a time are not hold (analyzer 26).

Three kinds of stereo 8 kHz calls, each written with a JSON of its truth beside it:

  steady   the agent's line reads out 6-16 items at a fixed period (0.35-1.2 s): the Asterisk
           voices' own digit prompts (different digits, or one repeated), espeak-ng and flite
           counting or reading a list, a syllable chanted; the customer asks before it. Clean or
           30/20/10 dB white noise; mu-law, PCM16, or GSM 6.10 (the agent's line through a GSM
           round trip, stored as mu-law).
  spelled  the Asterisk voices spelling letters or reading digits at a human pace (5-12 items,
           0.2-0.9 s apart), half with the line's own sentence before, half with the other
           party's short word over it, sometimes a sentence after; clean to 10 dB; mu-law,
           PCM16, A-law.
  slow     slow monotone synthetic speech after the line's own normal talk (two Asterisk
           prompts first): espeak-ng at 70-110 words a minute and flite stretched 1.5-2.2x
           reading an agent's sentences, drawn-out fillers (espeak-ng, flite 2-3.5x), the other
           party's word over it in half the calls; clean to 10 dB; mu-law, PCM16, A-law.
  music    music on hold built to swing deep: sparse plucked notes, a drum loop, drums over a
           bass line, a chord gated on and off (6-14 s, from 4 s, on the agent's line);
           clean to 10 dB; mu-law, PCM16, A-law.

Usage:
  redteam_words.py make steady|spelled|slow|music OUTDIR [N] [SEED]
  redteam_words.py score words|music CALLQA_BIN OUTDIR

`score words` (steady, spelled, slow): the truth words' seconds callqa does not count as talk, per
party, and the calls with hold. `score music`: per kind, the music's seconds callqa counts as
the agent's talk and as hold. Needs sox, espeak-ng, flite and Debian's asterisk-core-sounds-*
(what `make accuracy` installs). The README's figures: steady N=240 SEED=28, spelled N=300 SEED
281 (and 282), slow N=240 SEED=291, music N=200 SEED=283 (and 284).
"""
import collections
import glob
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gencalls import SR, codec_roundtrip, read_raw, run, write_audio  # noqa: E402

SOUNDS = "/usr/share/asterisk/sounds"
ENCODINGS = {"ulaw": ["-e", "u-law"], "pcm16": ["-e", "signed-integer", "-b", "16"], "alaw": ["-e", "a-law"]}


def synth(out, cmd):
    """A text-to-speech command's utterance (espeak-ng writes with -w, flite with -o), made once
    into OUTDIR/_tts under a name from the command, read at SR."""
    cache = os.path.join(out, "_tts")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, hashlib.sha1("\0".join(cmd).encode()).hexdigest()[:16] + ".wav")
    if not os.path.exists(path):
        run(cmd + ["-w" if cmd[0] == "espeak-ng" else "-o", path + ".tmp.wav"])
        os.replace(path + ".tmp.wav", path)
    return read_raw(path)


def trim(x):
    """The prompt without its leading and trailing quiet (under 2 % of its peak)."""
    if len(x) == 0:
        return np.zeros(SR // 10)
    a = np.abs(x)
    idx = np.where(a > a.max() * 0.02)[0]
    return x[idx[0]: idx[-1] + 1] if len(idx) else x


def rms(x):
    return np.sqrt(np.mean(x ** 2)) + 1e-12


def write(out, name, left, right, codec, truth):
    """The call (gencalls.py's writer: sox in repeatable mode) and its truth beside it."""
    write_audio(f"{out}/{name}.wav", [left, right], ENCODINGS[codec], SR)
    json.dump(truth, open(f"{out}/{name}.json", "w"))


def make_steady(out, n, seed):
    rng = random.Random(seed)

    def espeak(text, voice, rate):
        return synth(out, ["espeak-ng", "-v", voice, "-s", str(rate), text])

    langs = sorted({p.split("/")[-3] for p in glob.glob(f"{SOUNDS}/*/digits/[0-9].wav")})
    words = {"en": ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
             "es": ["uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez"],
             "fr": ["un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"],
             "de": ["eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn"]}
    shopping = ["apples", "bananas", "carrots", "dates", "eggs", "flour", "grapes", "honey", "ice", "jam", "kale", "lemons"]
    for k in range(n):
        kind = k % 6
        period = rng.uniform(0.35, 1.2)
        count = rng.randint(6, 16)
        pieces = []
        if kind == 0:
            lang = rng.choice(langs)
            for _ in range(count):
                pieces.append(trim(read_raw(f"{SOUNDS}/{lang}/digits/{rng.randint(0, 9)}.wav")))
            src = f"asterisk-{lang}"
        elif kind in (1, 2):
            lang = rng.choice(list(words))
            rate = rng.randint(120, 220)
            seq = words[lang] if kind == 1 else shopping
            for i in range(count):
                pieces.append(trim(espeak(seq[i % len(seq)], lang, rate)))
            src = f"espeak-{lang}-{'count' if kind == 1 else 'list'}"
        elif kind == 3:
            for i in range(count):
                pieces.append(trim(synth(out, ["flite", "-t", words["en"][i % 10]])))
            src = "flite-count"
        elif kind == 4:
            syl = trim(espeak(rng.choice(["la", "na", "ta", "da", "ha", "yes", "okay"]), rng.choice(["en", "es", "fr"]),
                              rng.randint(100, 200)))
            pieces = [syl] * count
            src = "chant"
        else:
            lang = rng.choice(langs)
            p = trim(read_raw(f"{SOUNDS}/{lang}/digits/{rng.randint(0, 9)}.wav"))
            pieces = [p] * count
            src = f"asterisk-repeat-{lang}"
        per = max(int(period * SR), max(len(p) for p in pieces) + int(0.08 * SR))
        lead = int(rng.uniform(3, 6) * SR)
        total = lead + per * count + 4 * SR
        ch0 = np.zeros(total)
        agent = []
        for i, p in enumerate(pieces):
            s = lead + i * per
            ch0[s: s + len(p)] += p
            agent.append((s / SR, (s + len(p)) / SR))
        ch0 = ch0 / rms(ch0) * 10 ** (-20 / 20)
        cust = trim(espeak("okay, can you read it to me please", "en", 160))
        ch1 = np.zeros(total)
        ch1[int(0.5 * SR): int(0.5 * SR) + len(cust)] = cust / rms(cust) * 10 ** (-22 / 20)
        snr = rng.choice([None, 30, 20, 10])
        if snr is not None:
            for ch in (ch0, ch1):
                ch += np.random.default_rng(k).normal(0, 10 ** ((-20 - snr) / 20), total)
        codec = rng.choice(["ulaw", "pcm16", "gsm"])
        if codec == "gsm":
            # GSM 6.10 WAV is mono: the agent's line through a GSM round trip, stored as mu-law.
            ch0 = codec_roundtrip(ch0, SR, "gsm")
        write(out, f"steady-{k:03d}-{src}-{codec}-{snr}", ch0, ch1, "ulaw" if codec == "gsm" else codec,
              {"agent": agent, "customer": [], "period_s": per / SR, "source": src})


def make_spelled(out, n, seed):
    rng = random.Random(seed)

    def names(voice, folder, ok):
        return [f for f in sorted(glob.glob(f"{SOUNDS}/{voice}/{folder}/*.wav")) if ok(os.path.basename(f)[:-4])]

    def is_letter(n):
        return len(n) == 1 and n.isalpha()

    def is_digit(n):
        return len(n) == 1 and n.isdigit()

    voices = sorted(d.split("/")[-3] for d in glob.glob(f"{SOUNDS}/*/letters/")
                    if len(names(d.split("/")[-3], "letters", is_letter)) >= 10
                    and len(names(d.split("/")[-3], "digits", is_digit)) == 10)
    def item(voice, kind):
        files = names(voice, "letters", is_letter) if kind == "letters" else names(voice, "digits", is_digit)
        return trim(read_raw(rng.choice(files)))

    def sentence(voice, lo=1.2, hi=4.0):
        files = sorted(glob.glob(f"{SOUNDS}/{voice}/*.wav"))
        for _ in range(50):
            x = trim(read_raw(rng.choice(files)))
            if lo * SR <= len(x) <= hi * SR:
                return x
        return x

    for k in range(n):
        v0, v1 = rng.choice(voices), rng.choice(voices)
        kind = rng.choice(["letters", "digits"])
        prior = rng.random() < 0.5
        overlap = rng.random() < 0.5
        total = int(30 * SR)
        ch0, ch1 = np.zeros(total), np.zeros(total)
        words0, words1 = [], []
        t = int(0.5 * SR)
        s1 = sentence(v1)
        ch1[t: t + len(s1)] += s1 / rms(s1)
        words1.append((t / SR, (t + len(s1)) / SR))
        t += len(s1) + int(rng.uniform(0.4, 1.0) * SR)
        if prior:
            s0 = sentence(v0)
            ch0[t: t + len(s0)] += s0 / rms(s0)
            words0.append((t / SR, (t + len(s0)) / SR))
            t += len(s0) + int(rng.uniform(0.4, 1.0) * SR)
        seq_start = t
        for _ in range(rng.randint(5, 12)):
            w = item(v0, kind)
            if t + len(w) >= total - 3 * SR:
                break
            ch0[t: t + len(w)] += w / rms(w)
            words0.append((t / SR, (t + len(w)) / SR))
            t += len(w) + int(rng.uniform(0.2, 0.9) * SR)
        seq_end = t
        if overlap:
            w = sentence(v1, 0.3, 1.0)
            o = rng.randint(seq_start, max(seq_start + 1, seq_end - len(w)))
            ch1[o: o + len(w)] += w / rms(w)
            words1.append((o / SR, (o + len(w)) / SR))
        if rng.random() < 0.5 and t + 2 * SR < total:
            t += int(0.5 * SR)
            s0 = sentence(v0, 1.0, 2.5)
            if t + len(s0) < total:
                ch0[t: t + len(s0)] += s0 / rms(s0)
                words0.append((t / SR, (t + len(s0)) / SR))
        lv0, lv1 = rng.uniform(-28, -16), rng.uniform(-30, -16)
        ch0 *= 10 ** (lv0 / 20)
        ch1 *= 10 ** (lv1 / 20)
        snr = rng.choice([None, 30, 20, 10])
        if snr is not None:
            g = np.random.default_rng(seed * 1000 + k)
            ch0 += g.normal(0, 10 ** ((lv0 - snr) / 20), total)
            ch1 += g.normal(0, 10 ** ((lv1 - snr) / 20), total)
        codec = rng.choice(["ulaw", "pcm16", "alaw"])
        name = (f"spelled-{k:03d}-{kind}-{v0}-{'prior' if prior else 'first'}-{'over' if overlap else 'alone'}"
                f"-{codec}-{snr}")
        write(out, name, ch0, ch1, codec,
              {"agent": words0, "customer": words1, "sequence": [seq_start / SR, seq_end / SR]})


def make_slow(out, n, seed):
    rng = random.Random(seed)

    sentences = ["thank you for calling, how can I help you today", "let me check that for you in the system",
                 "your account number is on the letter we sent", "I am sorry for the wait, one moment please",
                 "could you confirm your date of birth for me", "the payment was received on the fifth of march"]
    drawn = ["hellooooo", "ummmmmm", "sooooo", "wellllll", "ohhhhh okay", "yesssss", "noooo", "hmmmmm", "uhhhhhh", "alrightttt"]
    prompts = sorted(glob.glob(f"{SOUNDS}/en/*.wav"))
    for k in range(n):
        total = int(28 * SR)
        ch0, ch1 = np.zeros(total), np.zeros(total)
        w0, w1 = [], []
        t = int(0.5 * SR)
        for _ in range(2):
            p = trim(read_raw(rng.choice(prompts)))[: 4 * SR]
            ch0[t: t + len(p)] += p / rms(p)
            w0.append((t / SR, (t + len(p)) / SR))
            t += len(p) + int(rng.uniform(0.5, 1.0) * SR)
        c = trim(read_raw(rng.choice(prompts)))[: 3 * SR]
        ch1[t: t + len(c)] += c / rms(c)
        w1.append((t / SR, (t + len(c)) / SR))
        t += len(c) + int(0.6 * SR)
        kind = k % 4
        if kind == 0:
            x = trim(synth(out, ["espeak-ng", "-v", "en", "-s", str(rng.randint(70, 110)), "-p", str(rng.randint(0, 99)), rng.choice(sentences)]))
            src = "espeak-slow"
        elif kind == 1:
            x = trim(synth(out, ["flite", "--setf", f"duration_stretch={rng.uniform(1.5, 2.2)}", "-t", rng.choice(sentences)]))
            src = "flite-slow"
        elif kind == 2:
            x = trim(synth(out, ["espeak-ng", "-v", rng.choice(["en", "en-us", "es", "fr"]), "-s", str(rng.randint(60, 120)),
                                 "-p", str(rng.randint(20, 80)), rng.choice(drawn)]))
            src = "drawn-espeak"
        else:
            x = trim(synth(out, ["flite", "--setf", f"duration_stretch={rng.uniform(2.0, 3.5)}", "-t", rng.choice(drawn)]))
            src = "drawn-flite"
        x = x[: 12 * SR]
        ch0[t: t + len(x)] += x / rms(x)
        w0.append((t / SR, (t + len(x)) / SR))
        if rng.random() < 0.5:
            y = trim(read_raw(rng.choice(prompts)))[: int(0.8 * SR)]
            o = t + int(rng.uniform(0.2, 0.6) * len(x))
            ch1[o: o + len(y)] += y / rms(y)
            w1.append((o / SR, (o + len(y)) / SR))
        t += len(x) + int(0.8 * SR)
        p = trim(read_raw(rng.choice(prompts)))[: 3 * SR]
        if t + len(p) < total:
            ch0[t: t + len(p)] += p / rms(p)
            w0.append((t / SR, (t + len(p)) / SR))
        lv = rng.uniform(-26, -16)
        ch0 *= 10 ** (lv / 20)
        ch1 *= 10 ** ((lv - 2) / 20)
        snr = rng.choice([None, 30, 20, 10])
        g = np.random.default_rng(seed * 1000 + k)
        if snr is not None:
            ch0 += g.normal(0, 10 ** ((lv - snr) / 20), total)
            ch1 += g.normal(0, 10 ** ((lv - snr) / 20), total)
        codec = rng.choice(["ulaw", "pcm16", "alaw"])
        write(out, f"slow-{k:03d}-{src}-{codec}-{snr}", ch0, ch1, codec, {"agent": w0, "customer": w1})


def make_music(out, n, seed):
    rng, g = random.Random(seed), np.random.default_rng(seed)

    def note(f, dur, decay):
        t = np.arange(int(dur * SR)) / SR
        x = sum(a * np.sin(2 * np.pi * f * h * t) for h, a in ((1, 1.0), (2, 0.5), (3, 0.3), (4, 0.15)) if f * h < 3800)
        return x * np.exp(-t / decay)

    def hit(dur, decay, color):
        t = np.arange(int(dur * SR)) / SR
        x = g.normal(0, 1, len(t))
        if color:
            x = np.convolve(x, np.ones(color) / color, "same")
        return x * np.exp(-t / decay)

    kinds = ["plucked", "perc", "percbass", "gated"]
    for k in range(n):
        kind = k % 4
        hold_len = rng.uniform(6, 14)
        total = int((hold_len + 8) * SR)
        m = np.zeros(int(hold_len * SR))
        t = 0.0
        if kind == 0:
            while t < hold_len - 0.2:
                x = note(rng.choice([196, 220, 247, 262, 294, 330, 349, 392, 440, 523]), 1.0, rng.uniform(0.1, 0.4))
                a = int(t * SR)
                m[a: a + len(x)] += x[: len(m) - a]
                t += rng.uniform(0.3, 1.1)
        elif kind == 1:
            period = rng.uniform(0.25, 0.6)
            while t < hold_len - 0.1:
                x = hit(0.3, rng.uniform(0.02, 0.08), rng.choice([0, 2, 4]))
                a = int(t * SR)
                m[a: a + len(x)] += x[: len(m) - a]
                t += period
        elif kind == 2:
            period = rng.uniform(0.25, 0.6)
            while t < hold_len - 0.1:
                x = hit(0.3, 0.04, 2) + 0.6 * note(rng.choice([55, 65, 73, 82, 98]) * 2, 0.3, 0.15)
                a = int(t * SR)
                m[a: a + len(x)] += x[: len(m) - a]
                t += period
        else:
            while t < hold_len - 0.1:
                on = rng.uniform(0.2, 0.6)
                x = sum(note(f, on, 10) for f in (262, 330, 392))
                a = int(t * SR)
                m[a: a + len(x)] += x[: len(m) - a]
                t += on + rng.uniform(0.1, 0.5)
        m /= np.sqrt(np.mean(m ** 2)) + 1e-12
        lv = rng.uniform(-26, -14)
        ch0, ch1 = np.zeros(total), np.zeros(total)
        hs = int(4 * SR)
        ch0[hs: hs + len(m)] = m * 10 ** (lv / 20)
        snr = rng.choice([None, 30, 20, 10])
        if snr is not None:
            ch0 += g.normal(0, 10 ** ((lv - snr) / 20), total)
            ch1 += g.normal(0, 10 ** ((lv - snr) / 20), total)
        codec = rng.choice(["ulaw", "pcm16", "alaw"])
        write(out, f"music-{k:03d}-{kinds[kind]}-{codec}-{snr}", ch0, ch1, codec,
              {"hold": [hs / SR, (hs + len(m)) / SR]})


def analyze(binary, path):
    out = subprocess.run([binary, "analyze", "--format", "json", "--segments", path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{path}: callqa analyze failed: {out.stderr.strip()}")
    return json.loads(out.stdout.splitlines()[0])


def covered(spans, segments):
    return sum(max(0.0, min(e, b) - max(s, a)) for s, e in spans for a, b in segments)


def score_words(binary, d):
    def one(w):
        a, t = analyze(binary, w), json.load(open(w[:-4] + ".json"))
        return (sum(e - s for s, e in t["agent"]), covered(t["agent"], a["parties"]["agent"]["segments"]),
                sum(e - s for s, e in t["customer"]), covered(t["customer"], a["parties"]["customer"]["segments"]), a["hold_s"])
    with ThreadPoolExecutor(2) as ex:
        rows = list(ex.map(one, sorted(glob.glob(f"{d}/*.wav"))))
    held = [r for r in rows if r[4] > 0]
    print(f"{len(rows)} calls: agent words {sum(r[0] for r in rows):.0f} s, not talk {sum(r[0] - r[1] for r in rows):.1f} s; "
          f"customer words {sum(r[2] for r in rows):.0f} s, not talk {sum(r[2] - r[3] for r in rows):.1f} s; "
          f"calls with hold {len(held)} ({sum(r[4] for r in held):.1f} s)")


def score_music(binary, d):
    def one(w):
        a = analyze(binary, w)
        s, e = json.load(open(w[:-4] + ".json"))["hold"]
        return (os.path.basename(w).split("-")[2], e - s, covered([(s, e)], a["parties"]["agent"]["segments"]),
                covered([(s, e)], [(h["start_s"], h["end_s"]) for h in a["hold"]]))
    with ThreadPoolExecutor(2) as ex:
        rows = list(ex.map(one, sorted(glob.glob(f"{d}/*.wav"))))
    by = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for kind, length, talk, hold in rows:
        by[kind][0] += length
        by[kind][1] += talk
        by[kind][2] += hold
    for kind, (length, talk, hold) in sorted(by.items()):
        print(f"{kind:9s} music {length:7.1f} s  as talk {talk:6.1f} s ({100 * talk / length:4.1f} %)  "
              f"as hold {hold:6.1f} s ({100 * hold / length:4.1f} %)")


def main():
    args = sys.argv[1:]
    if len(args) >= 3 and args[0] == "make" and args[1] in ("steady", "spelled", "slow", "music"):
        out = args[2]
        os.makedirs(out, exist_ok=True)
        defaults = {"steady": (240, 28), "spelled": (300, 281), "slow": (240, 291), "music": (200, 283)}[args[1]]
        n = int(args[3]) if len(args) > 3 else defaults[0]
        seed = int(args[4]) if len(args) > 4 else defaults[1]
        {"steady": make_steady, "spelled": make_spelled, "slow": make_slow, "music": make_music}[args[1]](out, n, seed)
        shutil.rmtree(os.path.join(out, "_tts"), ignore_errors=True)
        print(f"{n} calls in {out}")
    elif len(args) == 4 and args[0] == "score" and args[1] in ("words", "music"):
        (score_words if args[1] == "words" else score_music)(args[2], args[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
