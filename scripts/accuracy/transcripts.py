#!/usr/bin/env python3
"""Transcript accuracy: scripted two-party calls whose words are known, through callqa's own
ingest, transcribe and score, measured against their scripts.

    transcripts.py OUTDIR --bin CALLQA --model MODEL [--calls-per-group N] [--phrase-calls N] [--language-set] [--seed S]

Calls (agent left, customer right; 8 kHz; band-limited to 300-3400 Hz; line noise 35 dB
under the speech; written as PCM16, G.711 mu-law or A-law, or mono GSM 6.10 in turn):

  en-flite     flite's slt/rms/awb/kal voices (English), with the phrase criteria below
  en-espeak    espeak-ng en-us (English), with the phrase criteria
  <lang>-real  Debian's asterisk-core-sounds: a real speaker per language (en Allison,
               es Allison, fr June, it Carlo, ru IvrvoiceRU) reading its IVR prompts, whose
               texts ship with the package; the customer is the same speaker pitched
  <lang>-espeak espeak-ng de, es, fr, it, ru, pl reading short contact-center lines

Phrase criteria (English calls): the agent says, or does not say, a greeting, an
identity check, a closing question and a prohibited phrase; when not, it says a near miss
instead ("you are through to", "spell your surname", "have a lovely day", "bear with me"),
and the customer sometimes says the greeting's words itself ("thank you for calling me
back"), so false hits are measured against hard cases. callqa's phrase criteria (in
OUTDIR/phrases.yaml) are scored by `callqa score`; recall = met where said, false hits =
met where not said.

WER per language, voice set and codec: (substitutions + deletions + insertions) / reference
words, after the same normalisation on both sides (lower case, accents and punctuation
removed); lines with digits are left out of the scripts. Writes OUTDIR/results.json and
prints the tables.
"""
import argparse, array, gzip, json, os, random, re, sqlite3, subprocess, sys, tempfile, time, unicodedata, wave

RATE = 8000
# Bump when the calls this script makes change (their texts, voices, codecs, levels): the
# calls of OUTDIR are made again when it, --calls-per-group, --phrase-calls or --seed differ.
GENERATOR = 1
CODECS = ["pcm16", "ulaw", "alaw", "gsm"]

EN_AGENT = [
    "I can see your order here on my screen.",
    "Let me check that for you, it will only take a moment.",
    "The parcel left our warehouse yesterday afternoon.",
    "You should receive it by the end of the week.",
    "I have updated the delivery address on your account.",
    "I will send you a confirmation by email straight away.",
    "Your refund has been approved and will arrive in a few days.",
    "I am sorry for the inconvenience this has caused you.",
]
EN_CUSTOMER = [
    "Hello, I am calling about my recent order.",
    "I would like to change the delivery address please.",
    "The package has not arrived yet and I am a bit worried.",
    "Yes, that sounds good to me.",
    "Could you tell me when it will be delivered?",
    "No, I think that covers everything.",
    "Thank you very much for your help.",
    "I ordered a coffee machine last Monday.",
]
PHRASES = {
    # criterion: (said by the agent, near miss said instead)
    "greeting": ("Thank you for calling Acme Bank, my name is {name}.", "Good morning, you are through to Acme Bank, this is {name}."),
    "verify": ("Before we continue, can you confirm your date of birth please?", "Before we continue, can you spell your surname please?"),
    "closing": ("Is there anything else I can help you with today?", "Thank you for your patience, have a lovely day."),
    "prohibited": ("Please calm down, I am trying to help.", "Please bear with me, I am trying to help."),
}
CUSTOMER_TRAPS = ["Thank you for calling me back so quickly.", "I will calm down when my parcel arrives."]
NAMES = ["Sarah", "Tom", "Maria", "David"]

ESPEAK_LINES = {
    "de": ["Guten Tag, wie kann ich Ihnen helfen?", "Ich rufe wegen meiner Bestellung an.", "Einen Moment bitte, ich sehe nach.",
           "Das Paket ist gestern verschickt worden.", "Können Sie mir Ihre Adresse sagen?", "Vielen Dank für Ihre Geduld."],
    "es": ["Buenos días, ¿en qué puedo ayudarle?", "Llamo por mi pedido de la semana pasada.", "Un momento por favor, voy a comprobarlo.",
           "El paquete salió ayer del almacén.", "¿Puede confirmarme su dirección?", "Muchas gracias por su paciencia."],
    "fr": ["Bonjour, comment puis-je vous aider ?", "J'appelle au sujet de ma commande.", "Un instant s'il vous plaît, je vérifie.",
           "Le colis est parti hier de notre entrepôt.", "Pouvez-vous me confirmer votre adresse ?", "Merci beaucoup pour votre patience."],
    "it": ["Buongiorno, come posso aiutarla?", "Chiamo per il mio ordine della settimana scorsa.", "Un attimo per favore, controllo subito.",
           "Il pacco è partito ieri dal magazzino.", "Può confermarmi il suo indirizzo?", "Grazie mille per la pazienza."],
    "ru": ["Добрый день, чем я могу вам помочь?", "Я звоню по поводу моего заказа.", "Одну минуту, пожалуйста, я проверю.",
           "Посылка была отправлена вчера со склада.", "Вы можете подтвердить ваш адрес?", "Большое спасибо за ваше терпение."],
    "pl": ["Dzień dobry, w czym mogę pomóc?", "Dzwonię w sprawie mojego zamówienia.", "Chwileczkę, zaraz sprawdzę.",
           "Paczka wyjechała wczoraj z magazynu.", "Czy może pan potwierdzić swój adres?", "Bardzo dziękuję za cierpliwość."],
}
REAL = {"en": "en_US_f_Allison", "es": "es_MX_f_Allison", "fr": "fr_CA_f_June", "it": "it_IT_m_Carlo", "ru": "ru_RU_f_IvrvoiceRU"}
LANGS = ["en", "de", "es", "fr", "it", "ru", "pl"]


def normalise(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’`ʼ]", "", text)
    return [w for w in re.split(r"[^\w]+|_", text) if w]


EN_NUMBERS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven",
              "8": "eight", "9": "nine", "10": "ten"}


def edits(ref, hyp):
    """Word-level edit distance."""
    prev = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        cur = [i] + [0] * len(hyp)
        for j in range(1, len(hyp) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] != hyp[j - 1]))
        prev = cur
    return prev[-1]


def real_prompts(lang):
    path = f"/usr/share/doc/asterisk-core-sounds-{lang}/core-sounds-{lang}.txt.gz"
    folder = f"/usr/share/asterisk/sounds/{REAL[lang]}"
    out = []
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            if ":" not in line or line.startswith(";"):
                continue
            name, text = line.split(":", 1)
            text = text.strip()
            wav = os.path.join(folder, name.strip() + ".wav")
            # Whole sentences of words only: no digits, keys, brackets or abbreviations.
            if not os.path.exists(wav) or re.search(r"[\d\[\]#*/=<>«»]", text) or not (5 <= len(text.split()) <= 24):
                continue
            out.append((wav, text))
    return sorted(out)


def sox(args):
    subprocess.run(["sox"] + args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def load(path):
    with wave.open(path) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        return array.array("h", w.readframes(w.getnframes()))


def utterance(kind, voice, text, tmp, pitch=0):
    """16-bit 8 kHz mono samples of one line, band-limited to the telephone band."""
    raw = os.path.join(tmp, "u.wav")
    out = os.path.join(tmp, "u8.wav")
    if kind == "flite":
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", raw], check=True)
    elif kind == "espeak":
        subprocess.run(["espeak-ng", "-v", voice, "-w", raw, text], check=True)
    else:
        raw = voice  # a real prompt's file
    effects = ["sinc", "300-3400", "gain", "-n", "-8"]
    if pitch:
        effects = ["pitch", str(pitch), "rate", str(RATE)] + effects
    sox([raw, "-r", str(RATE), "-c", "1", "-b", "16", out] + effects)
    return load(out)


def make_call(cid, spec, rng, tmp, outdir):
    """Writes one call; returns its truth."""
    channels = {"agent": array.array("h"), "customer": array.array("h")}
    lines = []
    t = 0.4
    for party, (kind, voice, text, pitch) in spec["turns"]:
        samples = utterance(kind, voice, text, tmp, pitch)
        at = int(t * RATE)
        ch = channels[party]
        ch.extend([0] * (at - len(ch)))
        ch.extend(samples)
        end = t + len(samples) / RATE
        lines.append({"party": party, "start_s": round(t, 2), "end_s": round(end, 2), "text": text})
        t = end + rng.uniform(0.4, 1.1)
    length = int((t + 0.5) * RATE)
    for ch in channels.values():
        ch.extend([0] * (length - len(ch)))
    stereo = os.path.join(tmp, "call.wav")
    inter = array.array("h", [0] * (2 * length))
    inter[0::2] = channels["agent"]
    inter[1::2] = channels["customer"]
    with wave.open(stereo, "wb") as w:
        w.setnchannels(2); w.setsampwidth(2); w.setframerate(RATE); w.writeframes(inter.tobytes())
    # Line noise 35 dB under the speech (speech at about -20 dBFS after the gain above).
    noisy = os.path.join(tmp, "noisy.wav")
    noise = os.path.join(tmp, "noise.wav")
    sox(["-n", "-r", str(RATE), "-c", "2", "-b", "16", noise, "synth", str(length / RATE), "pinknoise", "vol", "0.008"])
    sox(["-m", stereo, noise, noisy])
    codec = spec["codec"]
    name = f"{cid}-{codec}.wav"
    dest = os.path.join(outdir, name)
    if codec == "pcm16":
        sox([noisy, "-e", "signed", "-b", "16", dest])
    elif codec == "ulaw":
        sox([noisy, "-e", "u-law", dest])
    elif codec == "alaw":
        sox([noisy, "-e", "a-law", dest])
    else:
        sox([noisy, "-c", "1", "-e", "gsm-full-rate", dest])
    return {"call_id": cid, "recording": name, "language": spec["language"], "voices": spec["voices"], "codec": codec,
            "mono": codec == "gsm", "lines": lines, "phrases": spec.get("phrases", {})}


def build(outdir, per_group, seed, phrase_calls=None):
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    calls = []
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        def add(spec, codecs=CODECS):
            nonlocal n
            n += 1
            spec["codec"] = codecs[n % len(codecs)]
            calls.append(make_call(f"t-{n:03d}", spec, rng, tmp, outdir))

        # English with phrase criteria (stereo: the criteria name the agent): flite pairs
        # (three quarters), then espeak.
        flite = ["slt", "rms", "awb", "kal"]
        english = phrase_calls if phrase_calls is not None else 4 * per_group
        for group, voices in [("en-flite", None), ("en-espeak", ["en-us", "en-us+f3"])]:
            count = english - english // 4 if group == "en-flite" else english // 4
            for i in range(count):
                if voices is None:
                    a, c = flite[i % 4], flite[(i + 1 + i // 4) % 4]
                    kind = "flite"
                else:
                    a, c = voices
                    kind = "espeak"
                said = {k: rng.random() < 0.5 for k in PHRASES}
                name = NAMES[i % len(NAMES)]
                def line(k):
                    return PHRASES[k][0 if said[k] else 1].format(name=name)
                agent_lines = [line("greeting"), rng.choice(EN_AGENT), line("verify"), rng.choice(EN_AGENT),
                               line("prohibited"), line("closing")]
                cust = rng.sample(EN_CUSTOMER, 5)
                if rng.random() < 0.35:
                    cust[0] = CUSTOMER_TRAPS[0]
                if rng.random() < 0.25:
                    cust[3] = CUSTOMER_TRAPS[1]
                turns = []
                for k in range(6):
                    turns.append(("agent", (kind, a, agent_lines[k], 0)))
                    if k < 5:
                        turns.append(("customer", (kind, c, cust[k], 0)))
                add({"language": "en", "voices": group, "turns": turns, "phrases": said}, codecs=["pcm16", "ulaw", "alaw"])
        # Real speakers reading their prompts.
        for lang in ["en", "es", "fr", "it", "ru"]:
            prompts = real_prompts(lang)
            for i in range(per_group):
                pick = rng.sample(prompts, 6)
                turns = [("agent" if k % 2 == 0 else "customer", ("real", w, text, 0 if k % 2 == 0 else rng.choice([-300, 300])))
                         for k, (w, text) in enumerate(pick)]
                add({"language": lang, "voices": f"{lang}-real", "turns": turns})
        # espeak-ng in other languages.
        for lang, bank in ESPEAK_LINES.items():
            for i in range(max(1, per_group // 2)):
                pick = rng.sample(bank, 6)
                turns = [("agent" if k % 2 == 0 else "customer", ("espeak", lang if k % 2 == 0 else lang + "+f3", text, 0))
                         for k, text in enumerate(pick)]
                add({"language": lang, "voices": f"{lang}-espeak", "turns": turns})
    with open(os.path.join(outdir, "manifest.csv"), "w") as f:
        f.write("call_id,recording,agent_id,queue,direction,started_at,answered\n")
        for i, c in enumerate(calls):
            f.write(f"{c['call_id']},{c['recording']},agent-{c['voices']},{c['language']},inbound,2026-12-08T{9 + i // 60:02d}:{i % 60:02d}:00+00:00,true\n")
    with open(os.path.join(outdir, "truth.json"), "w") as f:
        json.dump(calls, f, indent=1, ensure_ascii=False)
    return calls


def build_long(outdir, count, seconds, seed):
    """English two-party calls of about `seconds` each (flite voices, mu-law stereo), for the
    transcription benchmark: turns drawn from the script banks until the call is long enough."""
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    flite = ["slt", "rms", "awb", "kal"]
    calls = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            a, c = flite[i % 4], flite[(i + 1) % 4]
            turns, t = [], 0.0
            while t < seconds:
                turns.append(("agent", ("flite", a, rng.choice(EN_AGENT + [p[0].format(name="Sam") for p in PHRASES.values()]), 0)))
                turns.append(("customer", ("flite", c, rng.choice(EN_CUSTOMER), 0)))
                t += 6.5   # about one agent line and one customer line with their pauses
            spec = {"language": "en", "voices": "en-flite", "turns": turns, "codec": "ulaw"}
            calls.append(make_call(f"b-{i + 1:03d}", spec, rng, tmp, outdir))
    with open(os.path.join(outdir, "manifest.csv"), "w") as f:
        f.write("call_id,recording,agent_id,queue,direction,started_at,answered\n")
        for i, c in enumerate(calls):
            f.write(f"{c['call_id']},{c['recording']},a1,en,inbound,2026-12-08T10:{i:02d}:00+00:00,true\n")
    return calls


CARD = """version: 1
id: phrases
name: Phrase criteria (accuracy harness)
sections:
  - id: calls
    criteria:
      - id: greeting
        text: Thanks the caller for calling
        auto: { phrase: { party: agent, any_of: ["thank you for calling"], within_s: [0, 20] } }
      - id: verify
        text: Checks the date of birth
        auto: { phrase: { party: agent, any_of: ["confirm your date of birth"] } }
      - id: closing
        text: Asks whether there is anything else
        auto: { phrase: { party: agent, any_of: ["is there anything else i can help you with"] } }
      - id: prohibited
        text: Never says calm down
        auto: { phrase: { party: agent, none_of: ["calm down"] } }
"""


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr[-2000:]}")
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--calls-per-group", type=int, default=4, help="calls per real-voice language and per espeak language pair")
    ap.add_argument("--phrase-calls", type=int, default=40, help="English calls with phrase criteria")
    ap.add_argument("--language-set", action="store_true", help="give each call its language (per queue) instead of detecting it")
    ap.add_argument("--evaluate-only", action="store_true", help="measure the database a previous run left, without running callqa")
    ap.add_argument("--seed", type=int, default=26)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    calls_dir = os.path.join(args.out, "calls")
    stamp = os.path.join(calls_dir, ".done")
    key = f"generator {GENERATOR}-{args.calls_per_group}-{args.phrase_calls}-{args.seed}"
    if not os.path.exists(stamp) or open(stamp).read() != key:
        subprocess.run(["rm", "-rf", calls_dir])
        print(f"transcripts: generating calls into {calls_dir}", flush=True)
        build(calls_dir, args.calls_per_group, args.seed, args.phrase_calls)
        open(stamp, "w").write(key)
    truth = json.load(open(os.path.join(calls_dir, "truth.json")))
    model = os.path.basename(args.model)
    mode = "set" if args.language_set else "detected"
    db = os.path.join(args.out, f"db-{model}-{mode}.sqlite")
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(db + suffix) and not args.evaluate_only:
            os.remove(db + suffix)
    with open(os.path.join(args.out, "phrases.yaml"), "w") as f:
        f.write(CARD)
    config = os.path.join(args.out, f"callqa-{mode}.yaml")
    with open(config, "w") as f:
        if args.language_set:
            # Each queue's language, as a contact center sets it for its language lines.
            f.write("transcription:\n  languages_by_queue: {" + ", ".join(f"{l}: {l}" for l in LANGS) + "}\n")
        else:
            # Detection among the harness's languages, as a contact center names its own.
            f.write("transcription:\n  languages: [" + ", ".join(LANGS) + "]\n")
    if not args.evaluate_only:
        run([args.bin, "ingest", os.path.join(calls_dir, "manifest.csv"), "--db", db, "--jobs", str(args.jobs)])
    started = time.time()
    # An English-only model hears the English calls only.
    english_only = re.search(r"\.en([-_.]|$)", model) is not None
    if english_only:
        truth = [c for c in truth if c["language"] == "en"]
    cmd = [args.bin, "transcribe", "--db", db, "--model", args.model, "--jobs", str(args.jobs), "--format", "json", "--config", config]
    if english_only:
        cmd += ["--calls", ",".join(c["call_id"] for c in truth)]
    summary_file = os.path.join(args.out, f"transcribe-{model}-{mode}.json")
    if args.evaluate_only:
        if os.path.exists(summary_file):
            summary = json.load(open(summary_file))
        else:
            c = sqlite3.connect(db)
            audio = c.execute("SELECT coalesce(sum(a.duration_s), 0) FROM transcripts t JOIN analyses a USING (call_id)").fetchone()[0]
            summary = {"audio_s": audio, "realtime_factor": 0}
    else:
        r = run(cmd)
        summary = json.loads(r.stdout)
        json.dump(summary, open(summary_file, "w"))
        run([args.bin, "score", "--db", db, "--scorecards", os.path.join(args.out, "phrases.yaml")])
    wall = time.time() - started
    con = sqlite3.connect(db)
    words = {}
    for cid, party, js in con.execute("SELECT call_id, party, words_json FROM transcript_parties"):
        words[(cid, party)] = [w[3] for w in json.loads(js)]
    langs = dict(con.execute("SELECT call_id, language FROM transcripts"))
    outcomes = {}
    for cid, crit, outcome in con.execute("SELECT call_id, criterion_id, outcome FROM criterion_results"):
        outcomes[(cid, crit)] = outcome

    groups = {}
    def add(key, e, n):
        g = groups.setdefault(key, [0, 0, 0])
        g[0] += e; g[1] += n; g[2] += 1
    lang_ok = lang_n = 0
    for c in truth:
        lang_n += 1
        lang_ok += langs.get(c["call_id"]) == c["language"]
        parties = ["mixed"] if c["mono"] else ["agent", "customer"]
        for party in parties:
            ref = []
            for line in c["lines"]:
                if c["mono"] or line["party"] == party:
                    ref += normalise(line["text"])
            hyp = []
            for w in words.get((c["call_id"], party), []):
                for piece in normalise(w):
                    hyp.append(EN_NUMBERS.get(piece, piece) if c["language"] == "en" else piece)
            if c["mono"]:
                # One line, two talkers: order of the words as read is the order said.
                pass
            e = edits(ref, hyp)
            for key in [("all", "", ""), ("language", c["language"], ""), ("voices", c["voices"], ""),
                        ("codec", c["language"] == "en" and "en" or "other", c["codec"]), ("voices×codec", c["voices"], c["codec"])]:
                add(key, e, len(ref))
    phrase = {}
    for c in truth:
        for crit, said in c["phrases"].items():
            outcome = outcomes.get((c["call_id"], crit))
            # prohibited: met = not said; the others: met = said.
            detected = (outcome == "not_met") if crit == "prohibited" else (outcome == "met")
            for key in [crit, "voices " + c["voices"]]:
                p = phrase.setdefault(key, {"said": 0, "found": 0, "not_said": 0, "false_hits": 0, "unanswered": 0})
                if outcome not in ("met", "not_met"):
                    p["unanswered"] += 1
                    continue
                if said:
                    p["said"] += 1; p["found"] += detected
                else:
                    p["not_said"] += 1; p["false_hits"] += detected
    results = {"model": model, "language": mode, "calls": len(truth), "wall_s": round(wall, 1), "transcribe": summary,
               "language_detected_right": f"{lang_ok}/{lang_n}",
               "wer": {f"{k[0]}:{k[1]}:{k[2]}": {"wer": round(v[0] / max(1, v[1]), 4), "edits": v[0], "words": v[1], "channels": v[2]}
                       for k, v in sorted(groups.items())},
               "phrases": phrase}
    json.dump(results, open(os.path.join(args.out, f"results-{model}-{mode}.json"), "w"), indent=1)
    print(f"\nTranscripts with {model}, language {mode}: {len(truth)} calls, {summary['audio_s'] / 60:.1f} min of recordings, "
          f"{summary['realtime_factor']:.1f}x realtime on {args.jobs} jobs; language detected right {lang_ok}/{lang_n}")
    print(f"{'group':<34}{'WER':>8}{'words':>8}{'channels':>10}")
    for k, v in sorted(groups.items()):
        print(f"{(k[0] + ' ' + k[1] + ' ' + k[2]).strip():<34}{100 * v[0] / max(1, v[1]):>7.1f}%{v[1]:>8}{v[2]:>10}")
    print(f"\n{'phrase criterion':<18}{'recall':>14}{'false hits':>14}{'unanswered':>12}")
    phrase = dict(sorted(phrase.items(), key=lambda kv: (kv[0].startswith("voices "), kv[0])))
    tf = tn = tr = ts = 0
    for crit, p in phrase.items():
        print(f"{crit:<18}{p['found']:>6}/{p['said']:<4}{100 * p['found'] / max(1, p['said']):>4.0f}%"
              f"{p['false_hits']:>6}/{p['not_said']:<4}{100 * p['false_hits'] / max(1, p['not_said']):>4.0f}%{p['unanswered']:>12}")
        if not crit.startswith("voices "):
            tf += p["false_hits"]; tn += p["not_said"]; tr += p["found"]; ts += p["said"]
    print(f"{'all':<18}{tr:>6}/{ts:<4}{100 * tr / max(1, ts):>4.1f}%{tf:>6}/{tn:<4}{100 * tf / max(1, tn):>4.1f}%")


if __name__ == "__main__":
    main()
