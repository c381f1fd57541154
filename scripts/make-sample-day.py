#!/usr/bin/env python3
"""Write SampleAudio/: one small, realistic contact-center day that every report has
something to show from, with the exact speech truth of each recording.

Four agents in two teams (Blue: orders; Red: support and outbound sales), eleven calls of
30-90 s (8 kHz stereo µ-law, A-law and PCM16, one mono GSM 6.10), two abandoned calls,
music on hold, dead air, interruptions, a critical fail and a detractor, with the
manifest, the post-call surveys (some rows malformed on purpose) and evaluator answers.

Each call is a script of turns (espeak-ng voices, telephone band, light line noise);
SampleAudio/README.md lists what each call contains. Needs espeak-ng, sox, numpy, scipy.
Usage: make-sample-day.py [OUTDIR]   (default SampleAudio)
"""
import json
import os
import random
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "accuracy"))
import gencalls as g  # noqa: E402

SR, FRAME = g.SR, g.FRAME

AGENTS = {
    "a1": ("Anna Berg", "Blue", "en+f3"),
    "a2": ("Ben Okafor", "Blue", "en-us"),
    "a3": ("Cleo Martin", "Red", "en-gb-x-rp+f2"),
    "a4": ("Dev Patel", "Red", "en+m3"),
}
CUSTOMER_VOICES = ["en", "en+m3", "en-us", "en+f3"]

# A script: list of steps. ("A"|"C", text) speaks after `gap` seconds (default 0.6);
# ("gap", s) adds silence; ("overlap", s) makes the next turn start s seconds before the
# previous one ends (an interruption); ("hold", s) plays music on hold on the agent leg.
CALLS = [
    dict(id="c-001", agent="a1", queue="orders", direction="inbound", codec="ulaw", wait=8, caller="+49 30 5550101",
         note="good order confirmation, a short backchannel overlap",
         script=[("A", "Good morning, thank you for calling Example Shop, my name is Anna, how can I help you today?"),
                 ("C", "Hello, I would like to confirm my order please."),
                 ("A", "Of course. Could you give me your order number and your postcode?"),
                 ("C", "Yes, it is four five seven two one, and the postcode is one zero one one five."),
                 ("A", "Thank you. I can see two blue mugs and one teapot."), ("overlap", 0.8), ("C", "Right."),
                 ("A", "I have sent you the payment link by text message. Did it arrive?"),
                 ("C", "Yes, I have it."),
                 ("A", "The delivery is planned for Thursday between nine and twelve. Is that fine?"),
                 ("C", "That is perfect, thank you very much."),
                 ("A", "Thank you for calling, have a nice day.")]),
    dict(id="c-002", agent="a1", queue="orders", direction="inbound", codec="alaw", wait=15, caller="+49 30 5550102",
         hold_s=9, note="good call with nine seconds of music on hold while the agent checks stock",
         script=[("A", "Good afternoon, Example Shop, this is Anna speaking, how can I help?"),
                 ("C", "I want to change the delivery address of my order."),
                 ("A", "Sure, may I have the order number and your postcode?"),
                 ("C", "It is seven seven one two, postcode two two zero one."),
                 ("A", "Thank you, let me check that for you, one moment please."),
                 ("hold", 9),
                 ("A", "Thank you for waiting. What is the new address?"),
                 ("C", "Twelve Baker Street, second floor."),
                 ("A", "Done. The delivery date stays Friday morning. I resent the payment link as well."),
                 ("C", "Great, thanks a lot.")]),
    dict(id="c-003", agent="a2", queue="orders", direction="inbound", codec="ulaw", wait=32, caller="+49 30 5550103",
         note="below target: twelve seconds of dead air, the agent interrupts twice, identity not verified (critical)",
         script=[("A", "Example Shop."),
                 ("C", "Hello, I am calling because my order has not arrived and I would like to know what is going on with it."),
                 ("overlap", 1.6), ("A", "What is the order number?"),
                 ("C", "It is four five seven, no wait, let me find the email with the confirmation, one second."),
                 ("gap", 12.5),
                 ("A", "Are you still there?"),
                 ("C", "Yes, sorry, the number is nine nine eight one, and I need the parcel before the weekend because it is a present."),
                 ("overlap", 1.8), ("A", "It will come next week, maybe."),
                 ("C", "That is not good enough, I am not happy with this service at all."),
                 ("A", "Okay. Anything else?")]),
    dict(id="c-004", agent="a2", queue="orders", direction="inbound", codec="pcm16", wait=12, caller="+49 30 5550104",
         note="fair call with a seven-second silence while the agent searches",
         script=[("A", "Good morning, Example Shop, Ben speaking, how can I help you?"),
                 ("C", "I would like to confirm my order."),
                 ("A", "Could you give me your order number and postcode please?"),
                 ("C", "Three three one eight, postcode five five four."),
                 ("gap", 7.0),
                 ("A", "Thank you, I found it. One lamp and two cushions, is that right?"),
                 ("C", "Yes, exactly."),
                 ("A", "The payment link is on its way and the delivery is on Monday.")]),
    dict(id="c-005", agent="a3", queue="support", direction="inbound", codec="alaw", wait=6, caller="+49 30 5550105",
         note="good support call",
         script=[("A", "Hello, technical support, my name is Cleo, how can I help you?"),
                 ("C", "My router keeps losing the connection every evening."),
                 ("A", "So the connection drops every evening, and it comes back after a while, is that right?"),
                 ("C", "Yes, that is right."),
                 ("A", "Please restart the router and tell me what the second light shows."),
                 ("C", "It is green now."),
                 ("A", "Good. I have also opened ticket number four four two, in case it happens again."),
                 ("C", "Thank you very much.")]),
    dict(id="c-006", agent="a3", queue="support", direction="inbound", codec="pcm16", wait=35, caller="+49 30 5550106",
         note="answered after 35 s (misses the 20 s service level); a long agent explanation",
         script=[("A", "Technical support, Cleo speaking."),
                 ("C", "Hello, I cannot log in to my account."),
                 ("A", "I am sorry to hear that. Let me explain how the login works. First you open the app, then you choose sign in, "
                       "then you enter the email address you registered with, then you tap next, and then you will receive a code by text message, "
                       "which you type into the field, and after that you can choose a new password if you have forgotten the old one."),
                 ("C", "Okay, I will try that.")]),
    dict(id="c-007", agent="a4", queue="sales", direction="outbound", codec="ulaw", wait=0, caller="+49 30 5550107",
         note="outbound sales: the agent talks most of the time and interrupts the prospect",
         script=[("A", "Hello, this is Dev from Example Energy, this call is recorded. I am calling about our new green tariff."),
                 ("C", "Oh, I am not sure I have time right now."),
                 ("overlap", 1.2),
                 ("A", "It only takes a minute. Our tariff saves you up to twenty percent and the first month is free, and you can cancel any time "
                       "within the first year, and we also plant a tree for every new customer."),
                 ("C", "How much does it cost per month?"),
                 ("A", "It depends on your usage, but most families pay less than before. Shall I sign you up today?"),
                 ("C", "No, please send me the details by email first.")]),
    dict(id="c-008", agent="a4", queue="sales", direction="outbound", codec="gsm", wait=0, caller="+49 30 5550108",
         note="outbound sales, mono GSM recording (only 'someone talks' can be measured)",
         script=[("A", "Good evening, Dev from Example Energy, this call is recorded. Do you have a minute?"),
                 ("C", "Yes, what is it about?"),
                 ("A", "Our green tariff costs twenty nine euros per month, twelve months, cancel any time."),
                 ("C", "Is the electricity really from renewable sources?"),
                 ("A", "Yes, all of it comes from wind and solar parks, and you receive a certificate every year."),
                 ("C", "And what happens if I move to another city?"),
                 ("A", "You simply take the tariff with you, there is no fee for moving."),
                 ("C", "I will think about it and call you back next week, thank you.")]),
    dict(id="c-011", agent="a1", queue="orders", direction="inbound", codec="pcm16", wait=4, caller="+49 30 5550101",
         note="repeat call by the caller of c-001 (FCR), short and friendly",
         script=[("A", "Example Shop, Anna speaking, how can I help?"),
                 ("C", "Hi, I forgot to ask whether the teapot is dishwasher safe."),
                 ("A", "Yes, it is dishwasher safe. Is your order otherwise all right?"),
                 ("C", "Yes. Could you also tell me whether I can return the mugs if the colour is not right?"),
                 ("A", "Of course, you have thirty days to return them, and the return label is in the parcel."),
                 ("C", "Perfect, that is all, thank you, bye."),
                 ("A", "Thank you for calling, goodbye.")]),
]
ABANDONED = [
    dict(id="c-009", queue="orders", wait=45, caller="+49 30 5550109", started="2026-11-24T10:40:00+01:00"),
    dict(id="c-010", queue="support", wait=3, caller="+49 30 5550110", started="2026-11-24T11:05:00+01:00"),
]
STARTS = {"c-001": "09:02:10", "c-002": "09:18:40", "c-003": "09:31:05", "c-004": "09:47:30", "c-005": "10:03:15",
          "c-006": "10:21:50", "c-007": "11:10:00", "c-008": "11:32:20", "c-011": "14:12:00"}


def _say(cache, voice, text, speed):
    import hashlib
    import subprocess
    import tempfile
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, hashlib.sha1(f"{voice}|{speed}|{text}".encode()).hexdigest()[:16] + ".wav")
    if not os.path.exists(path):
        with tempfile.NamedTemporaryFile(suffix=".wav", delete=False) as tmp:
            t = tmp.name
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", t, text], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["sox", t, "-r", str(SR), "-c", "1", "-b", "16", path], check=True)
        os.unlink(t)
    x = g.read_raw(path)
    nz = np.nonzero(np.abs(x) > 1e-4)[0]
    return x[nz[0]:nz[-1] + 1] if len(nz) else x[:0]


def render(call, cache, rng):
    agent_voice = AGENTS[call["agent"]][2]
    cust_voice = CUSTOMER_VOICES[int(call["id"][-1]) % len(CUSTOMER_VOICES)]
    pieces = []          # (channel, start_s, samples)
    hold = []
    t = 0.6
    prev_end = t
    pending_overlap = None
    pending_gap = None
    for step in call["script"]:
        kind = step[0]
        if kind == "gap":
            pending_gap = step[1]
            continue
        if kind == "overlap":
            pending_overlap = step[1]
            continue
        if kind == "hold":
            start = prev_end + 0.4
            moh = g.read_raw(sorted(__import__("glob").glob(os.path.join(g.MOH_DIR, "*.wav")))[0])
            seg = moh[: int(step[1] * SR)]
            seg = seg / (np.sqrt(np.mean(seg ** 2)) + 1e-12) * 0.05
            hold.append((start, seg))
            prev_end = start + len(seg) / SR
            continue
        ch = 0 if kind == "A" else 1
        x = _say(cache, agent_voice if ch == 0 else cust_voice, step[1], 165 if ch == 0 else 155)
        if pending_overlap is not None:
            start = prev_end - pending_overlap
        else:
            start = prev_end + (pending_gap if pending_gap is not None else rng.uniform(0.4, 0.9))
        pending_overlap = pending_gap = None
        pieces.append((ch, start, x))
        prev_end = max(prev_end, start + len(x) / SR)
    duration = prev_end + 0.8
    n = int(duration * SR)
    chans = [np.zeros(n), np.zeros(n)]
    truth = [np.zeros(n // FRAME + 1, dtype=bool), np.zeros(n // FRAME + 1, dtype=bool)]
    gains = [10 ** (-16 / 20), 10 ** (-21 / 20)]
    for ch, start, x in pieces:
        s = int(start * SR)
        e = min(n, s + len(x))
        chans[ch][s:e] += x[: e - s] * gains[ch]
        f = g.truth_frames(x[: e - s])
        truth[ch][s // FRAME: s // FRAME + len(f)] |= f[: len(truth[ch]) - s // FRAME]
    for start, seg in hold:
        s = int(start * SR)
        e = min(n, s + len(seg))
        chans[0][s:e] += seg[: e - s]
    nrng = np.random.default_rng(int(call["id"][-3:]))
    mixed = []
    for c in range(2):
        sig = g.telephone_band(chans[c])
        noise = g.colored_noise(len(sig), "pink", nrng, True)
        mixed.append(sig + noise * 10 ** (-58 / 20))
    gap = int(g.MERGE_GAP_S * 100)
    truths = [g.bridge(t[: n // FRAME], gap) for t in truth]
    return mixed, truths, duration, [(s, s + len(seg) / SR) for s, seg in hold]


def spans(active):
    """Speech frames as [[start_s, end_s], ...]."""
    out, start = [], None
    for i, a in enumerate(list(active) + [False]):
        if a and start is None:
            start = i
        elif not a and start is not None:
            out.append([round(start * FRAME / SR, 2), round(i * FRAME / SR, 2)])
            start = None
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "SampleAudio"
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith((".wav", ".json", ".csv")):
            os.unlink(os.path.join(out, f))
    cache = os.path.join(out, ".cache")
    rng = random.Random(24)
    enc = {"ulaw": ["-e", "u-law", "-b", "8"], "alaw": ["-e", "a-law", "-b", "8"],
           "pcm16": ["-e", "signed-integer", "-b", "16"], "gsm": ["-e", "gsm-full-rate"]}
    rows = []
    readme = []
    for call in CALLS:
        mixed, truths, duration, holds = render(call, cache, rng)
        name = f"{call['id']}-{call['codec']}.wav"
        path = os.path.join(out, name)
        if call["codec"] == "gsm":
            g.write_wav(path, [(mixed[0] + mixed[1]) * 0.7], enc["gsm"])
            truth = {"channels": 1, "mixed": spans(truths[0] | truths[1])}
        else:
            g.write_wav(path, mixed, enc[call["codec"]])
            truth = {"channels": 2, "agent": spans(truths[0]), "customer": spans(truths[1])}
        truth.update({"frames": len(truths[0]), "duration_s": round(duration, 2), "hold": holds, "note": call["note"]})
        with open(os.path.join(out, f"{call['id']}.truth.json"), "w") as f:
            json.dump(truth, f)
        name_, team, _ = AGENTS[call["agent"]]
        talk = round(duration, 1)
        hold_s = call.get("hold_s", 0)
        rows.append([call["id"], name, call["agent"], name_, team, call["queue"], call["direction"],
                     f"2026-11-24T{STARTS[call['id']]}+01:00", call["wait"], "true", talk, hold_s, 30,
                     # The customer is the remote party: on outbound calls the dialed number,
                     # the caller being the contact center's own campaign line.
                     call["caller"] if call["direction"] == "inbound" else "0800 111 333",
                     "0800 111 222" if call["direction"] == "inbound" else call["caller"], ""])
        readme.append(f"| {call['id']} | {name} | {name_} ({team}) | {call['queue']}, {call['direction']} | {duration:.0f} s | {call['note']} |")
    for a in ABANDONED:
        rows.append([a["id"], "", "", "", "", a["queue"], "inbound", a["started"], a["wait"], "false", "", "", "", a["caller"],
                     "0800 111 222", ""])
        readme.append(f"| {a['id']} | — | — | {a['queue']}, inbound | — | abandoned after {a['wait']} s in the queue |")
    rows.sort(key=lambda r: r[7])
    with open(os.path.join(out, "manifest.csv"), "w") as f:
        f.write("call_id,recording,agent_id,agent_name,team,queue,direction,started_at,wait_s,answered,talk_s,hold_s,acw_s,caller,dialed,agent_channel\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")
    with open(os.path.join(out, "surveys.csv"), "w") as f:
        f.write("survey_id,call_id,score,answered_at,comment\n"
                "s-001,c-001,10,2026-11-24T09:06:00+01:00,Anna was quick and friendly\n"
                "s-002,c-002,9,2026-11-24T09:24:00+01:00,\n"
                "s-003,c-003,2,2026-11-24T09:36:00+01:00,\"Waited in silence forever, <b>rude</b> agent\"\n"
                "s-004,c-004,8,2026-11-24T09:51:00+01:00,\n"
                "s-005,c-005,9,2026-11-24T10:07:00+01:00,Solved my router problem\n"
                "s-006,c-006,7,2026-11-24T10:26:00+01:00,\n"
                "s-007,c-007,4,2026-11-24T11:14:00+01:00,Too pushy\n"
                "s-008,c-009,,2026-11-24T10:41:00+01:00,\n"
                "s-009,c-011,10,2026-11-24T14:15:00+01:00,\n"
                "s-010,c-005,ten,2026-11-24T10:08:00+01:00,malformed: score in words\n"
                "s-011,c-004,11,2026-11-24T09:52:00+01:00,malformed: out of range\n"
                "s-012,c-002,8,24.11.2026 09:30,malformed: date\n"
                "s-001,c-001,3,2026-11-24T09:07:00+01:00,malformed: duplicate survey_id\n")
    ev = [("c-001", "order-confirmation", "greeting", "yes"), ("c-001", "order-confirmation", "verify_identity", "yes"),
          ("c-001", "order-confirmation", "confirm_order", "yes"), ("c-001", "order-confirmation", "payment_link", "yes"),
          ("c-001", "order-confirmation", "delivery_date", "yes"), ("c-001", "order-confirmation", "callback_offer", "n/a"),
          ("c-002", "order-confirmation", "greeting", "yes"), ("c-002", "order-confirmation", "verify_identity", "yes"),
          ("c-002", "order-confirmation", "confirm_order", "yes"), ("c-002", "order-confirmation", "payment_link", "yes"),
          ("c-002", "order-confirmation", "delivery_date", "yes"), ("c-002", "order-confirmation", "callback_offer", "n/a"),
          ("c-003", "order-confirmation", "greeting", "no"), ("c-003", "order-confirmation", "verify_identity", "no"),
          ("c-003", "order-confirmation", "confirm_order", "no"), ("c-003", "order-confirmation", "payment_link", "n/a"),
          ("c-003", "order-confirmation", "delivery_date", "no"), ("c-003", "order-confirmation", "callback_offer", "no"),
          ("c-004", "order-confirmation", "greeting", "yes"), ("c-004", "order-confirmation", "verify_identity", "yes"),
          ("c-004", "order-confirmation", "confirm_order", "yes"), ("c-004", "order-confirmation", "payment_link", "partial"),
          ("c-004", "order-confirmation", "delivery_date", "yes"), ("c-004", "order-confirmation", "callback_offer", "n/a"),
          ("c-005", "support-hotline", "greeting", "yes"), ("c-005", "support-hotline", "problem_restated", "yes"),
          ("c-005", "support-hotline", "resolved_or_escalated", "yes"), ("c-005", "support-hotline", "explanation_quality", "5"),
          ("c-005", "support-hotline", "no_password_request", "yes"),
          ("c-006", "support-hotline", "greeting", "yes"), ("c-006", "support-hotline", "problem_restated", "no"),
          ("c-006", "support-hotline", "resolved_or_escalated", "yes"), ("c-006", "support-hotline", "explanation_quality", "3"),
          ("c-007", "outbound-sales", "recording_disclosure", "yes"), ("c-007", "outbound-sales", "purpose", "yes"),
          ("c-007", "outbound-sales", "needs_questions", "no"), ("c-007", "outbound-sales", "offer_fits_needs", "no"),
          ("c-007", "outbound-sales", "price_clear", "partial"), ("c-007", "outbound-sales", "closing", "2"),
          ("c-007", "outbound-sales", "respects_no", "yes")]
    with open(os.path.join(out, "evaluations.csv"), "w") as f:
        f.write("call_id,scorecard,criterion,answer,evaluator,evaluated_at,comment\n")
        for c, card, crit, ans in ev:
            f.write(f"{c},{card},{crit},{ans},Maria Lopez,2026-11-24T16:00:00+01:00,\n")
        f.write("c-006,support-hotline,explanation_quality,9,Maria Lopez,2026-11-24T16:00:00+01:00,malformed: off the 1-5 scale\n")
        f.write("c-099,support-hotline,greeting,yes,Maria Lopez,2026-11-24T16:00:00+01:00,malformed: unknown call\n")
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write("# SampleAudio: one small contact-center day\n\n"
                "Made by `scripts/make-sample-day.py` (espeak-ng voices, sox, telephone band, light pink line noise);\n"
                "`make sample-audio` regenerates it. Agent on the left channel, customer on the right, 8 kHz.\n"
                "`*.truth.json` holds each recording's exact speech spans per party ([start_s, end_s], utterance level).\n\n"
                "| call | recording | agent (team) | queue | length | what it shows |\n|---|---|---|---|---|---|\n")
        f.write("\n".join(readme) + "\n\n")
        f.write("`manifest.csv` holds the call records, `surveys.csv` the post-call NPS answers (the last four rows are\n"
                "malformed on purpose: score in words, out of range, bad date, duplicate survey id), `evaluations.csv`\n"
                "the evaluator's answers to the manual criteria (two malformed rows at the end).\n"
                "Agents: a1 Anna Berg and a2 Ben Okafor (team Blue, orders), a3 Cleo Martin and a4 Dev Patel (team Red,\n"
                "support and outbound sales).\n")
    shutil.rmtree(cache, ignore_errors=True)
    print(f"wrote {len(CALLS)} recordings and {len(CALLS) + len(ABANDONED)} call records to {out}")


if __name__ == "__main__":
    main()
