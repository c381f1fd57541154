#!/usr/bin/env python3
"""Generate synthetic two-party telephone calls whose speech intervals are known exactly.

Each call: agent on the left channel, customer on the right, 8 kHz. Utterances come from
espeak-ng (several languages and voices) or from the real studio voices of Debian's
asterisk-core-sounds packages ("real" voice set). Turns alternate with gaps, overlaps
(interruptions and backchannels), long silences (dead air), music on hold (asterisk
opsound) and telephony tones (ring-back, DTMF), which are *not* speech.

Truth per channel, in 10 ms frames: a frame is speech where the clean utterance's 10 ms
power is within TRUTH_RANGE_DB of the utterance's loudest frame; pauses shorter than
MERGE_GAP_S inside or between a party's utterances count as speech (utterance level,
as CONTRACT.md defines talk time).

Conditions: SNR (per channel, active speech level vs noise power) in {clean, 20, 10, 5} dB;
noise colour white / pink / brown, band-limited to 300-3400 Hz or not; codecs PCM16,
µ-law, A-law, MP3 (stereo) and GSM 6.10 (mono mix, libsndfile reads GSM WAV mono only).

Usage: gencalls.py OUTDIR [--calls-per-condition N] [--seed S] [--duration SECONDS]
Writes OUTDIR/<name>.wav|.mp3 and OUTDIR/<name>.truth.json; needs espeak-ng, sox, lame.
"""
import argparse
import glob
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np

SR = 8000
FRAME = 80
TRUTH_RANGE_DB = 40.0
MERGE_GAP_S = 0.35

SENTENCES = {
    "en": ["Good morning, thank you for calling, my name is Anna, how can I help you today?",
           "I would like to check the status of my order please.",
           "Could you give me your order number?",
           "Yes, it is four five seven two one.",
           "Thank you. I can see the order was shipped yesterday.",
           "When will it arrive?",
           "The delivery is planned for Thursday between nine and twelve.",
           "That is fine, but can I change the delivery address?",
           "Of course. What is the new address?",
           "Twelve Baker Street, second floor.",
           "Is there anything else I can help you with?",
           "No, that is all, thank you very much.",
           "Okay.", "Right.", "Yes.", "I see.", "Hmm, let me think about that for a moment.",
           "I am sorry, I did not quite catch that, could you repeat it?"],
    "es": ["Buenos días, gracias por llamar, en qué puedo ayudarle?",
           "Quería saber dónde está mi pedido.", "Me puede dar el número de pedido?",
           "Sí, claro, es el cuatro cinco siete.", "El pedido salió ayer del almacén.",
           "Perfecto, muchas gracias.", "Vale.", "Sí.", "Un momento, por favor, lo compruebo."],
    "fr": ["Bonjour, merci de votre appel, comment puis-je vous aider?",
           "Je voudrais modifier ma commande.", "Pouvez-vous me donner votre numéro de client?",
           "Oui, c'est le douze trente quatre.", "Très bien, je regarde tout de suite.",
           "D'accord.", "Oui.", "Merci beaucoup, bonne journée."],
    "de": ["Guten Tag, vielen Dank für Ihren Anruf, wie kann ich helfen?",
           "Ich möchte meine Bestellung ändern.", "Wie lautet Ihre Kundennummer?",
           "Einen Moment bitte, ich schaue nach.", "Ja.", "Genau.", "Vielen Dank, auf Wiederhören."],
    "it": ["Buongiorno, grazie per aver chiamato, come posso aiutarla?",
           "Vorrei sapere quando arriva il mio ordine.", "Mi può dare il numero dell'ordine?",
           "Certo.", "Sì.", "Perfetto, grazie mille."],
}
VOICES = {"en": ["en", "en-us", "en+f3", "en+m3", "en-gb-x-rp+f2"], "es": ["es", "es+f2"],
          "fr": ["fr", "fr+m2"], "de": ["de", "de+f4"], "it": ["it", "it+m1"]}
REAL_DIRS = ["/usr/share/asterisk/sounds/en_US_f_Allison", "/usr/share/asterisk/sounds/es_MX_f_Allison",
             "/usr/share/asterisk/sounds/fr_CA_f_June", "/usr/share/asterisk/sounds/en",
             "/usr/share/asterisk/sounds/es", "/usr/share/asterisk/sounds/fr"]
MOH_DIR = "/usr/share/asterisk/moh"
# Prompts in those directories that are not speech: monkey screeches, beeps, the conference
# join/leave chimes and two-tone signals. Counting them as speech would score the detector
# wrong for refusing them.
NOT_SPEECH = {"tt-monkeys.wav", "beep.wav", "beeperr.wav", "ascending-2tone.wav",
              "descending-2tone.wav", "confbridge-join.wav", "confbridge-leave.wav"}


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def read_raw(path):
    out = subprocess.run(["sox", "-R", path, "-t", "raw", "-r", str(SR), "-c", "1", "-e", "floating-point", "-b", "32", "-"],
                         check=True, capture_output=True).stdout
    return np.frombuffer(out, dtype=np.float32).astype(np.float64)


def write_wav(path, channels, encoding):
    """channels: list of float arrays (±1). encoding: sox -e/-b args."""
    data = np.stack(channels, axis=1) if len(channels) > 1 else channels[0][:, None]
    data = np.clip(data, -1.0, 1.0).astype(np.float32)
    with tempfile.NamedTemporaryFile(suffix=".f32", delete=False) as tmp:
        tmp.write(data.tobytes())
        raw = tmp.name
    # MP3 goes through lame, which writes the LAME/Info tag with the encoder delay and
    # padding, as recorders built on lame or ffmpeg do, so libsndfile (mpg123, gapless)
    # returns the samples at their true times. sox's own MP3 writer leaves the tag out;
    # libsndfile then decodes 1,536 samples (0.19 s at 8 kHz) of codec delay in front.
    mp3 = path.endswith(".mp3")
    target, sox_encoding = (raw + ".wav", ["-e", "signed-integer", "-b", "16"]) if mp3 else (path, encoding)
    try:
        run(["sox", "-R", "-t", "raw", "-r", str(SR), "-c", str(len(channels)), "-e", "floating-point",
             "-b", "32", raw] + sox_encoding + [target])
        if mp3:
            run(["lame", "--quiet"] + encoding + [target, path])
    finally:
        os.unlink(raw)
        if mp3 and os.path.exists(target):
            os.unlink(target)


class UtteranceBank:
    def __init__(self, cache, voice_set, rng):
        self.cache = cache
        self.voice_set = voice_set
        self.rng = rng
        os.makedirs(cache, exist_ok=True)
        self.real = []
        self.sources = []   # what each utterance was made from, in order (for the truth file)
        if voice_set == "real":
            for d in REAL_DIRS:
                self.real += sorted(f for f in glob.glob(os.path.join(d, "*.wav"))
                                    if os.path.basename(f) not in NOT_SPEECH)
            if not self.real:
                sys.exit("real voices need asterisk-core-sounds-{en,es,fr}-wav")

    def utterance(self, speaker):
        """speaker: dict with lang, voice (synthetic) or dir (real)."""
        if self.voice_set == "real":
            files = [f for f in self.real if f.startswith(speaker["dir"] + "/")]
            f = self.rng.choice(files)
            self.sources.append(os.path.relpath(f, os.path.dirname(os.path.dirname(f))))
            x = read_raw(f)
        else:
            text = self.rng.choice(SENTENCES[speaker["lang"]])
            self.sources.append(f"{speaker['voice']}: {text}")
            speed = speaker["speed"]
            key = f"{speaker['voice']}|{speed}|{text}"
            path = os.path.join(self.cache, hashlib.sha1(key.encode()).hexdigest()[:16] + ".wav")
            if not os.path.exists(path):
                with tempfile.NamedTemporaryFile(suffix=".wav", delete=False) as tmp:
                    t = tmp.name
                run(["espeak-ng", "-v", speaker["voice"], "-s", str(speed), "-w", t, text])
                run(["sox", "-R", t, "-r", str(SR), "-c", "1", "-b", "16", path])
                os.unlink(t)
            x = read_raw(path)
        # Trim digital silence at both ends so the truth starts at the first sound.
        nz = np.nonzero(np.abs(x) > 1e-4)[0]
        if len(nz) == 0:
            return x[:0]
        return x[nz[0]:nz[-1] + 1]


def frame_power(x):
    n = len(x) // FRAME
    if n == 0:
        return np.zeros(0)
    f = x[: n * FRAME].reshape(n, FRAME)
    f = f - f.mean(axis=1, keepdims=True)
    return (f ** 2).mean(axis=1)


def truth_frames(x):
    """Speech frames of one clean utterance (before mixing), unbridged."""
    p = frame_power(x)
    if len(p) == 0 or p.max() <= 0:
        return np.zeros(len(p), dtype=bool)
    return p >= p.max() * 10 ** (-TRUTH_RANGE_DB / 10)


def bridge(active, max_gap_frames):
    """Fill inactive runs shorter than max_gap_frames that lie between active frames."""
    a = active.copy()
    idx = np.nonzero(a)[0]
    if len(idx) == 0:
        return a
    gaps = np.diff(idx)
    for i, g in enumerate(gaps):
        if 1 < g <= max_gap_frames:
            a[idx[i] + 1: idx[i + 1]] = True
    return a


def colored_noise(n, colour, rng, bandlimit):
    w = rng.standard_normal(n + 4096)
    if colour == "pink":
        # Voss-McCartney-free approximation: filter white noise with a 1/f IIR (Kellet).
        b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
        a = [1, -2.494956002, 2.017265875, -0.522189400]
        from scipy.signal import lfilter
        w = lfilter(b, a, w)
    elif colour == "brown":
        from scipy.signal import lfilter
        w = lfilter([1.0], [1.0, -0.995], w)
    w = w[4096:]
    if bandlimit:
        w = telephone_band(w)
    return w / np.sqrt(np.mean(w ** 2))


def telephone_band(x):
    from scipy.signal import butter, sosfilt
    sos = butter(4, [300, 3400], btype="bandpass", fs=SR, output="sos")
    return sosfilt(sos, x)


def tone(kind, seconds, rng):
    t = np.arange(int(seconds * SR)) / SR
    if kind == "ringback":   # North American ring-back: 440 + 480 Hz
        return 0.5 * (np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 480 * t))
    # DTMF digits: 100 ms tone, 100 ms pause
    rows, cols = [697, 770, 852, 941], [1209, 1336, 1477]
    out = np.zeros_like(t)
    step = int(0.2 * SR)
    for s in range(0, len(t) - step, step):
        r, c = rng.choice(rows), rng.choice(cols)
        tt = t[s: s + step // 2]
        out[s: s + step // 2] = 0.5 * (np.sin(2 * np.pi * r * tt) + np.sin(2 * np.pi * c * tt))
    return out


def build_call(bank, rng, duration, voice_set, extras):
    """Returns (agent, customer, truth_agent, truth_customer, events)."""
    n = int(duration * SR)
    ch = [np.zeros(n), np.zeros(n)]
    tr = [np.zeros(n // FRAME + 1, dtype=bool), np.zeros(n // FRAME + 1, dtype=bool)]
    nonspeech = [np.zeros(n), np.zeros(n)]
    if voice_set == "real":
        dirs = rng.sample(REAL_DIRS, 2)
        speakers = [{"dir": dirs[0]}, {"dir": dirs[1]}]
    else:
        lang = rng.choice(list(SENTENCES))
        v = rng.sample(VOICES[lang] * 2, 2)
        speakers = [{"lang": lang, "voice": v[0], "speed": rng.choice([150, 165, 180])},
                    {"lang": lang, "voice": v[1], "speed": rng.choice([140, 160, 175])}]
    gains = [10 ** (rng.uniform(-22, -12) / 20), 10 ** (rng.uniform(-40, -14) / 20)]
    events = []
    t = rng.uniform(0.3, 1.5)
    who = 0
    did_hold = did_tone = did_dead = False
    # End of each channel's last utterance: hold music and tones on a line start after it
    # (a party does not key digits or play music over their own words, and a tone over
    # speech on the same line has no truth: speech, or not?).
    line_free = [0.0, 0.0]
    while t < duration - 2:
        r = rng.random()
        if extras and not did_hold and r < 0.06 and t > 10:
            moh = read_raw(rng.choice(sorted(glob.glob(os.path.join(MOH_DIR, "*.wav")))))
            length = int(rng.uniform(6, 12) * SR)
            off = rng.randrange(0, max(1, len(moh) - length))
            seg = moh[off: off + length]
            seg = seg / (np.sqrt(np.mean(seg ** 2)) + 1e-12) * gains[0] * 0.7
            s = int(max(t, line_free[0] + 0.2) * SR)
            e = min(n, s + len(seg))
            did_hold = True
            if e - s < SR:   # no room left in the call
                continue
            nonspeech[0][s:e] += seg[: e - s]
            events.append({"kind": "hold", "start_s": s / SR, "end_s": e / SR})
            t = e / SR + rng.uniform(0.3, 1.0)
            continue
        if extras and not did_tone and r < 0.10:
            kind = rng.choice(["ringback", "dtmf"])
            secs = 2.0 if kind == "ringback" else 1.2
            seg = tone(kind, secs, rng) * gains[1 - who] * 0.8
            s = int(max(t, line_free[1 - who] + 0.2) * SR)
            e = min(n, s + len(seg))
            did_tone = True
            if e - s < SR // 2:   # no room left in the call
                continue
            nonspeech[1 - who][s:e] += seg[: e - s]
            events.append({"kind": kind, "channel": 1 - who, "start_s": s / SR, "end_s": e / SR})
            t = e / SR + rng.uniform(0.3, 1.0)
            continue
        if extras and not did_dead and r < 0.14 and t > 5:
            gap = rng.uniform(10.5, 14)
            events.append({"kind": "dead_air", "start_s": t, "end_s": t + gap})
            t += gap
            did_dead = True
            continue
        bank.sources.clear()
        x = bank.utterance(speakers[who])
        if rng.random() < 0.3:   # two utterances back to back with a short pause
            x = np.concatenate([x, np.zeros(int(rng.uniform(0.1, 0.6) * SR)), bank.utterance(speakers[who])])
        s = int(t * SR)
        e = min(n, s + len(x))
        if e - s < FRAME * 5:
            break
        ch[who][s:e] += x[: e - s] * gains[who]
        line_free[who] = max(line_free[who], e / SR)
        events.append({"kind": "utterance", "channel": who, "start_s": s / SR, "end_s": e / SR,
                       "source": " + ".join(bank.sources)})
        f = truth_frames(x[: e - s])
        f0 = s // FRAME
        tr[who][f0: f0 + len(f)] |= f[: len(tr[who]) - f0]
        end_t = e / SR
        # Next turn: usually the other party after a gap; sometimes an overlap or a backchannel.
        r2 = rng.random()
        if r2 < 0.15:
            t = end_t - rng.uniform(0.3, 1.5)   # the other party starts before this one ends
        elif r2 < 0.25:
            t = end_t - (len(x) / SR) * rng.uniform(0.3, 0.7)   # backchannel in the middle
        else:
            t = end_t + rng.uniform(0.2, 2.5)
        t = max(t, s / SR + 0.3)
        who = 1 - who
    raw = [tr[c][: n // FRAME] for c in range(2)]
    return ch, nonspeech, raw, gains, events


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--calls-per-condition", type=int, default=4)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--voices", choices=["synthetic", "real", "both"], default="both")
    ap.add_argument("--snrs", default="clean,20,10,5")
    ap.add_argument("--codecs", default="pcm16,ulaw,alaw,mp3,gsm")
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    rng = random.Random(args.seed)
    nrng = np.random.default_rng(args.seed)
    voice_sets = ["synthetic", "real"] if args.voices == "both" else [args.voices]
    encodings = {"pcm16": (["-e", "signed-integer", "-b", "16"], "wav"),
                 "ulaw": (["-e", "u-law", "-b", "8"], "wav"),
                 "alaw": (["-e", "a-law", "-b", "8"], "wav"),
                 "mp3": (["-b", "32"], "mp3"),
                 "gsm": (["-e", "gsm-full-rate"], "wav")}
    count = 0
    for vs in voice_sets:
        bank = UtteranceBank(os.path.join(args.outdir, ".cache"), vs, rng)
        for snr in args.snrs.split(","):
            for codec in args.codecs.split(","):
                for k in range(args.calls_per_condition):
                    name = f"{vs}-{snr}-{codec}-{k}"
                    ch, ns, raw, gains, events = build_call(bank, rng, args.duration, vs, extras=(k % 2 == 0))
                    gap = int(MERGE_GAP_S * 100)
                    truths = [bridge(r, gap) for r in raw]
                    colour = rng.choice(["white", "pink", "brown"])
                    band = rng.random() < 0.5
                    # A stereo file has one line per party, each with its own noise at the
                    # stated SNR against that party's speech. A mono file is one line: one
                    # noise, at the stated SNR against the quieter party (otherwise a quiet
                    # customer would sit under the loud agent's line noise and no detector
                    # could hear what the truth calls speech).
                    lines, levels = [], []
                    for c in range(2):
                        speech = telephone_band(ch[c])
                        act = truths[c][: len(speech) // FRAME]
                        p = frame_power(speech)[: len(act)]
                        levels.append(p[act].mean() if act.any() else gains[c] ** 2 * 0.05)
                        lines.append(speech + ns[c])
                    if codec == "gsm":
                        lines, levels = [(lines[0] + lines[1]) * 0.7], [min(levels) * 0.49]
                    mixed = []
                    for sig, level in zip(lines, levels):
                        if snr != "clean":
                            noise = colored_noise(len(sig), colour, nrng, band)
                            sig = sig + noise * np.sqrt(level / 10 ** (float(snr) / 10))
                        # DC offset on some calls: a real line fault
                        if rng.random() < 0.2:
                            sig = sig + rng.uniform(-0.01, 0.01)
                        mixed.append(sig)
                    enc, ext = encodings[codec]
                    path = os.path.join(args.outdir, f"{name}.{ext}")
                    if codec == "gsm":
                        write_wav(path, mixed, enc)
                        truth = {"channels": 1, "mixed": np.nonzero(bridge(raw[0] | raw[1], gap))[0].tolist()}
                    else:
                        write_wav(path, mixed, enc)
                        truth = {"channels": 2, "agent": np.nonzero(truths[0])[0].tolist(),
                                 "customer": np.nonzero(truths[1])[0].tolist()}
                    truth.update({"frames": len(truths[0]), "voices": vs, "snr": snr, "codec": codec,
                                  "noise": colour, "bandlimited_noise": band, "events": events,
                                  "duration_s": args.duration})
                    with open(os.path.join(args.outdir, f"{name}.truth.json"), "w") as f:
                        json.dump(truth, f)
                    count += 1
    print(f"wrote {count} calls to {args.outdir}")


if __name__ == "__main__":
    main()
