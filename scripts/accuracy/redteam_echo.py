#!/usr/bin/env python3
"""Red-team of step 1a's kept coupling (analyzer 27): a quiet party talking over the other's echo.

Once a coupling is proven it is kept through double talk, so a party quieter than the other's
echo (plus `echo_margin_db`) loses the words it says over the other party. This makes such
calls from the harness's own stereo 16-bit WAV calls (`gencalls.py` output, a truth JSON beside
each), three per source:

  - the customer's line `q` dB quieter (q = 0, 12, 20);
  - more double talk: the customer's words again, 7 s later, over whatever the agent says then
    (the truth's customer frames are the union of both);
  - the agent's echo on the customer's line, 30 dB down and 20 ms late.

The agent's channel and truth are left as they are. Score the output with
`evaluate.py OUT --callqa BIN --no-webrtc --no-silero --json …` for two analyzers and compare
per file (the suffix -q0, -q12, -q20 names the level).

usage: redteam_echo.py OUT SRC.wav...
"""
import json
import os
import sys
import wave

import numpy as np

ECHO_DB = -30
ECHO_DELAY_S = 0.02
REPEAT_S = 7
LEVELS_DB = (0, 12, 20)


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 64
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    written = 0
    for src in sys.argv[2:]:
        truth_path = src.rsplit(".", 1)[0] + ".truth.json"
        try:
            truth = json.load(open(truth_path))
            with wave.open(src) as w:
                if w.getnchannels() != 2 or w.getsampwidth() != 2:
                    raise ValueError(f"expected stereo 16-bit PCM, got {w.getnchannels()} channels of {8 * w.getsampwidth()} bits")
                rate = w.getframerate()
                x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2).astype(np.float64) / 32768
        except (OSError, ValueError, wave.Error, json.JSONDecodeError) as e:
            print(f"{src}: {e}", file=sys.stderr)
            continue
        agent, customer = x[:, 0], x[:, 1]
        shift = REPEAT_S * rate
        again = np.concatenate([np.zeros(shift), customer[:-shift]])
        frames = truth["frames"]
        customer_truth = sorted(set(truth["customer"]) | {f + 100 * REPEAT_S for f in truth["customer"] if f + 100 * REPEAT_S < frames})
        d = int(ECHO_DELAY_S * rate)
        echo = np.concatenate([np.zeros(d), agent[:-d]]) * 10 ** (ECHO_DB / 20)
        base = f"{os.path.basename(os.path.dirname(os.path.abspath(src)))}-{os.path.basename(src).rsplit('.', 1)[0]}"
        for q in LEVELS_DB:
            y = np.stack([agent, (customer + again) * 10 ** (-q / 20) + echo], axis=1)
            y = np.clip(np.round(y * 32768), -32768, 32767).astype("<i2")
            name = f"{base}-q{q}"
            with wave.open(os.path.join(out, name + ".wav"), "wb") as w:
                w.setnchannels(2)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(y.tobytes())
            t = dict(truth)
            t["audio"] = name + ".wav"
            t["customer"] = customer_truth
            t["conditions"] = list(truth["conditions"]) + ["bleed", f"quiet{q}"]
            t["params"] = dict(truth.get("params", {}), redteam_echo={"customer_under_db": q, "echo_db": ECHO_DB,
                                                                       "echo_delay_ms": 1000 * ECHO_DELAY_S, "repeat_s": REPEAT_S})
            with open(os.path.join(out, name + ".truth.json"), "w") as f:
                json.dump(t, f)
            written += 1
    print(f"wrote {written} calls to {out}")
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
