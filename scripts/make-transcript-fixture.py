#!/usr/bin/env python3
"""Writes Tests/TranscriptionTests/Fixtures/card-call.wav: a short two-party call (agent on
the left channel, flite's `slt` voice; customer on the right, `rms`), 8 kHz stereo G.711
µ-law, with a card number read out digit by digit, and card-call.json beside it with each
line's text, party and start. The transcription tests run the real tiny.en model on it.

    python3 scripts/make-transcript-fixture.py      (needs flite and sox; Debian packages)

Deterministic for a given flite and sox: the lines and their starts are fixed here."""
import json, os, subprocess, tempfile, wave, array

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "TranscriptionTests", "Fixtures")
RATE = 8000
LINES = [
    ("agent", "slt", 0.5, "Thank you for calling Acme Bank, my name is Sarah. How can I help you today?"),
    ("customer", "rms", 6.3, "Hello, I would like to pay my bill with my credit card."),
    ("agent", "slt", 10.4, "Of course. Please read me the card number."),
    # Digits that vary: a synthetic voice saying "one one one one" repeats one waveform
    # exactly, which the analysis (rightly, for a recording) takes for music on hold.
    ("customer", "rms", 13.6, "It is four five three nine, one four eight eight, zero three four three, six four six seven."),
    ("agent", "slt", 21.4, "Thank you. The payment is done. Goodbye."),
]


def say(voice, text, tmp):
    raw = os.path.join(tmp, "say.wav")
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", raw], check=True)
    out = os.path.join(tmp, "say8k.raw")
    subprocess.run(["sox", raw, "-r", str(RATE), "-c", "1", "-e", "signed", "-b", "16", "-t", "raw", out, "gain", "-n", "-6"], check=True)
    return array.array("h", open(out, "rb").read())


def main():
    os.makedirs(OUT, exist_ok=True)
    channels = {"agent": array.array("h"), "customer": array.array("h")}
    truth = []
    with tempfile.TemporaryDirectory() as tmp:
        for party, voice, start, text in LINES:
            samples = say(voice, text, tmp)
            at = int(start * RATE)
            ch = channels[party]
            if len(ch) < at:
                ch.extend([0] * (at - len(ch)))
            ch.extend(samples)
            truth.append({"party": party, "voice": voice, "start_s": start, "end_s": round(start + len(samples) / RATE, 2), "text": text})
        length = max(len(c) for c in channels.values()) + RATE // 2
        for c in channels.values():
            c.extend([0] * (length - len(c)))
        pcm = os.path.join(tmp, "call.wav")
        interleaved = array.array("h", [0] * (2 * length))
        interleaved[0::2] = channels["agent"]
        interleaved[1::2] = channels["customer"]
        with wave.open(pcm, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(interleaved.tobytes())
        subprocess.run(["sox", pcm, "-e", "u-law", os.path.join(OUT, "card-call.wav")], check=True)
    with open(os.path.join(OUT, "card-call.json"), "w") as f:
        json.dump({"made_by": "scripts/make-transcript-fixture.py", "agent_channel": "left", "lines": truth}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
