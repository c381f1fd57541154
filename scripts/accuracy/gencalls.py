#!/usr/bin/env python3
"""Generate synthetic two-party telephone calls whose speech intervals are known exactly,
under the conditions of real contact-center recordings.

Each call: agent on the left channel, customer on the right, 8 kHz (16 kHz for the
wideband calls). Utterances come from espeak-ng (several languages and voices) or from the
real studio voices of Debian's asterisk-core-sounds packages ("real" voice set). Turns
alternate with gaps, overlaps (interruptions and backchannels), long silences (dead air),
music on hold (asterisk opsound) and telephony tones (ring-back, DTMF), which are *not*
speech.

Truth per channel, in 10 ms frames: a frame is speech where the party's own clean
utterance's 10 ms power is within TRUTH_RANGE_DB of the utterance's loudest frame; pauses
shorter than MERGE_GAP_S inside or between a party's utterances count as speech
(utterance level, as CONTRACT.md defines talk time). Echo of the other party, babble,
floor ambience, music, tones and keyboard clicks are never speech.

Scenarios (SCENARIOS below; each variant is generated --calls-per-condition times,
alternating the synthetic and the real voice set):
  base           SNR (per channel, active speech level vs noise power) clean/20/10/5 dB x
                 PCM16, u-law, A-law, MP3 (stereo) and GSM 6.10 (mono mix); noise white /
                 pink / brown, band-limited to 300-3400 Hz or not; every other call has
                 hold music, a tone and dead air;
  bleed_clean    cross-channel bleed (line/acoustic echo) on channels that are otherwise
                 clean (no noise, or hiss 50 dB under the speech);
  bleed          bleed plus line noise at 20/10/5 dB SNR;
  babble         3-8 other voices (never the call's speakers: other languages, flite
                 voices and the asterisk voices of languages the calls do not use), 5-20 dB
                 under the talker, continuous through the call, on the agent's channel and
                 sometimes the customer's;
  floor          call-center floor ambience on the agent's channel: colleagues' keyboards,
                 distant voices, air-conditioning rumble and hum;
  moh            real music on hold at -10...+3 dB relative to the agent's speech level,
                 through every codec, clean, 20 and 10 dB SNR;
  wideband       16 kHz calls (PCM16 and float), 8 kHz float WAV and FLAC;
  quiet          the customer's speech at -30 dBFS or quieter;
  clicks         keyboard typing in the dead air;
  contact_center everything at once: bleed both ways, babble, floor, hold music, noise, codec;
  codecs         the other codecs call recorders store: hold music through IMA ADPCM, MS
                 ADPCM, Ogg Vorbis and Ogg Opus, and bleed through Opus and Vorbis (last in
                 the table: the calls of the scenarios above are the same with or without it).

Echo ("bleed") into a channel is the other party's line signal (speech, tones, music, its
babble) attenuated BLEED_DB, delayed 0-60 ms, passed through a codec round trip (u-law,
A-law or GSM via sox) and a band filter, so it is not a clean copy.

Splits: --split tuning and --split heldout use disjoint seeds (11 and 7) and disjoint
material for the babble voices and the music-on-hold pieces (BABBLE_VOICES, MOH_PIECES), so
that no parameter fitted on the tuning split sees the held-out material. The foreground
voices are the same in both splits (they are not what the conditions vary).

Each truth JSON records the split, scenario, "conditions" (list of tags: bleed,
bleed_clean, bleed_noisy, babble, babble_customer, floor, moh, hold, wideband, float, flac,
quiet_customer, clicks, noise, dead_air, tones, mono) and "params" (bleed gain dB, delay
ms, codec and band per direction, babble level and voices, MOH piece and level, floor
levels, speech level per channel in dBFS).

More music for tuning: --music-bank extra takes the hold music from the soundtracks of
Debian's hyperrogue-music, singularity-music, drascula-music and asc-music (EXTRA_MUSIC: 64
pieces of 20 s or more, ogg and mp3 decoded by sox), --music-bank both from those and the
split's opsound pieces; either is refused with --split heldout. The default (opsound) gives
the same files as before the option existed.

Usage: gencalls.py OUTDIR [--split tuning|heldout] [--calls-per-condition N] [--seed S]
                   [--duration SECONDS] [--voices synthetic|real|both] [--scenarios a,b]
                   [--music-bank opsound|extra|both]
Writes OUTDIR/<name>.{wav,mp3,flac,ogg,opus} and OUTDIR/<name>.truth.json; needs espeak-ng, flite,
sox (with libsox-fmt-all: Ogg Vorbis), lame, asterisk-core-sounds-{en,es,fr,it,ru}-wav,
asterisk-moh-opsound-wav and, for Opus, the system's libsndfile 1.0.29 or later (Debian 12:
1.2.0; `sndfile.py`) (and for the extra music bank hyperrogue-music, singularity-music,
drascula-music, asc-music).
Generation is repeatable bit for bit (sox -R, seeded generators; an Opus file's Ogg serial
number is libsndfile's random pick, its samples are repeatable); utterances and decoded
extra music are cached in OUTDIR/.cache.
"""
import argparse
import functools
import glob
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
from scipy.signal import butter, lfilter, sosfilt

import sndfile

SR = 8000                 # narrowband rate; wideband calls use 16000
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
# The real foreground speakers: Allison (en, es) and June (fr). The plain en/es/fr
# directories are symlinks to the same recordings, so they are not listed again.
REAL_DIRS = ["/usr/share/asterisk/sounds/en_US_f_Allison", "/usr/share/asterisk/sounds/es_MX_f_Allison",
             "/usr/share/asterisk/sounds/fr_CA_f_June"]
MOH_DIR = "/usr/share/asterisk/moh"
# Prompts in those directories that are not speech: monkey screeches, beeps, the conference
# join/leave chimes and two-tone signals. Counting them as speech would score the detector
# wrong for refusing them.
NOT_SPEECH = {"tt-monkeys.wav", "beep.wav", "beeperr.wav", "ascending-2tone.wav",
              "descending-2tone.wav", "confbridge-join.wav", "confbridge-leave.wav"}

# Babble material, disjoint between the splits: espeak-ng voices of languages the calls
# never use, flite's English voices, and the real Italian / Russian asterisk speakers (each
# also pitch-shifted, so that one recorded speaker gives three babble talkers).
BABBLE_SENTENCES = {
    "pl": ["Dzień dobry, chciałbym zapytać o fakturę za ostatni miesiąc.",
           "Proszę chwilę poczekać, sprawdzę to w systemie.",
           "Nie, to nie jest ten numer zamówienia.", "Dobrze, dziękuję bardzo, do widzenia."],
    "nl": ["Goedemiddag, waarmee kan ik u helpen?", "Ik kijk het even voor u na in het systeem.",
           "Uw pakket wordt morgen tussen negen en twaalf bezorgd.", "Dank u wel, nog een fijne dag."],
    "pt": ["Bom dia, em que posso ajudar?", "Vou verificar o seu pedido agora mesmo.",
           "O pagamento ainda não foi confirmado pelo banco.", "Muito obrigado, tenha um bom dia."],
    "sv": ["Hej, vad kan jag hjälpa dig med idag?", "Jag ska kolla upp det åt dig direkt.",
           "Din beställning skickades i förrgår.", "Tack så mycket, ha en bra dag."],
    "ru": ["Здравствуйте, чем могу помочь?", "Одну минуту, я проверю ваш заказ.",
           "Оплата ещё не поступила на счёт.", "Спасибо за звонок, всего доброго."],
    "cs": ["Dobrý den, jak vám mohu pomoci?", "Moment, podívám se do systému.",
           "Vaše objednávka byla odeslána včera odpoledne.", "Děkuji, na shledanou."],
    "hu": ["Jó napot, miben segíthetek?", "Egy pillanat, megnézem a rendszerben.",
           "A csomagot holnap délelőtt kézbesítik.", "Köszönöm szépen, viszonthallásra."],
    "fi": ["Hyvää päivää, miten voin auttaa?", "Hetkinen, tarkistan asian järjestelmästä.",
           "Tilauksenne lähetettiin eilen iltapäivällä.", "Kiitos soitosta, hyvää päivänjatkoa."],
    "tr": ["İyi günler, size nasıl yardımcı olabilirim?", "Bir dakika, sisteme bakıyorum.",
           "Siparişiniz dün kargoya verildi.", "Teşekkür ederim, iyi günler."],
    "flite": ["Can you send me the report from yesterday?",
              "I think the printer on the third floor is broken again.",
              "Let me transfer you to the billing department.",
              "Sure, I will call the customer back after lunch.",
              "Did anybody see the new schedule for next week?",
              "Your ticket number is seven eight three nine."],
}
BABBLE_VOICES = {
    "tuning": [("espeak", "pl", "pl"), ("espeak", "pl+f2", "pl"), ("espeak", "nl", "nl"),
               ("espeak", "nl+m3", "nl"), ("espeak", "pt", "pt"), ("espeak", "pt+f3", "pt"),
               ("espeak", "sv", "sv"), ("espeak", "sv+f4", "sv"), ("flite", "kal", "flite"),
               ("flite", "awb", "flite"), ("real", "/usr/share/asterisk/sounds/it_IT_m_Carlo", 0),
               ("real", "/usr/share/asterisk/sounds/it_IT_m_Carlo", -300),
               ("real", "/usr/share/asterisk/sounds/it_IT_m_Carlo", 250)],
    "heldout": [("espeak", "ru", "ru"), ("espeak", "ru+f2", "ru"), ("espeak", "cs", "cs"),
                ("espeak", "cs+m3", "cs"), ("espeak", "hu", "hu"), ("espeak", "fi+f3", "fi"),
                ("espeak", "tr", "tr"), ("espeak", "tr+f4", "tr"), ("flite", "rms", "flite"),
                ("flite", "slt", "flite"), ("real", "/usr/share/asterisk/sounds/ru_RU_f_IvrvoiceRU", 0),
                ("real", "/usr/share/asterisk/sounds/ru_RU_f_IvrvoiceRU", -350),
                ("real", "/usr/share/asterisk/sounds/ru_RU_f_IvrvoiceRU", 200)],
}
MOH_PIECES = {"tuning": ["macroform-cold_day.wav", "macroform-robot_dity.wav"],
              "heldout": ["macroform-the_simplicity.wav", "manolo_camp-morning_coffee.wav",
                          "reno_project-system.wav"]}
SPLIT_SEEDS = {"tuning": 11, "heldout": 7}
# More real music, for the tuning split only (--music-bank extra|both): the game soundtracks
# of four Debian packages, produced and recorded music of several kinds (HyperRogue's
# orchestral, piano and ambient pieces; Endgame: Singularity's electronic and ambient
# score; Drascula's adventure-game soundtrack; ASC's rock-orchestral themes). Pieces under
# EXTRA_MIN_S are left out (jingles). The held-out split never uses them.
EXTRA_MUSIC = [("hyperrogue-music", "/usr/share/hyperrogue/music/*.ogg"),
               ("singularity-music", "/usr/share/games/singularity/music/**/*.ogg"),
               ("drascula-music", "/usr/share/scummvm/drascula/audio/*.ogg"),
               ("asc-music", "/usr/share/games/asc/music/*.mp3")]
EXTRA_MIN_S = 20.0
EXTRA_MAX_S = 240.0       # decoded and cached: a piece's first 4 minutes

ENCODINGS = {"pcm16": (["-e", "signed-integer", "-b", "16"], "wav"),
             "ulaw": (["-e", "u-law", "-b", "8"], "wav"),
             "alaw": (["-e", "a-law", "-b", "8"], "wav"),
             "mp3": (["-b", "32"], "mp3"),
             "gsm": (["-e", "gsm-full-rate"], "wav"),
             "float": (["-e", "floating-point", "-b", "32"], "wav"),
             "flac": (["-b", "16"], "flac"),
             # The codecs call recorders also store, which the other scenarios do not use:
             # IMA and Microsoft ADPCM (4 bits) in WAV, Ogg Vorbis (sox, quality 0) and Ogg Opus
             # (written through libsndfile, `OPUS_COMPRESSION_LEVEL`: sox has no Opus encoder).
             "ima": (["-e", "ima-adpcm"], "wav"),
             "msadpcm": (["-e", "ms-adpcm"], "wav"),
             "vorbis": (["-C", "0"], "ogg"),
             "opus": ([], "opus")}


def _variants():
    """The scenario table: scenario name -> list of variant dicts (one call each per
    --calls-per-condition)."""
    v = {"base": [{"snr": s, "codec": c} for s in ["clean", "20", "10", "5"]
                  for c in ["pcm16", "ulaw", "alaw", "mp3", "gsm"]]}
    v["bleed_clean"] = [{"snr": "clean", "codec": c, "bleed": True, "hiss": h}
                        for c, h in [("pcm16", False), ("ulaw", True), ("alaw", False), ("mp3", True)]]
    v["bleed"] = [{"snr": s, "codec": c, "bleed": True} for s, c in [("20", "ulaw"), ("10", "alaw"), ("5", "pcm16")]]
    v["babble"] = [{"snr": s, "codec": c, "babble": True}
                   for s, c in [("clean", "pcm16"), ("20", "ulaw"), ("10", "alaw"), ("clean", "mp3")]]
    v["floor"] = [{"snr": s, "codec": c, "floor": True} for s, c in [("clean", "pcm16"), ("20", "ulaw"), ("10", "alaw")]]
    v["moh"] = [{"snr": s, "codec": c, "moh": True}
                for s, c in [("clean", "pcm16"), ("20", "ulaw"), ("10", "alaw"), ("20", "mp3"), ("10", "gsm"),
                             ("clean", "flac")]]
    v["wideband"] = [{"snr": "clean", "codec": "pcm16", "rate": 16000}, {"snr": "20", "codec": "float", "rate": 16000},
                     {"snr": "clean", "codec": "flac"}, {"snr": "10", "codec": "float"}]
    v["quiet"] = [{"snr": "clean", "codec": "pcm16", "quiet": True}, {"snr": "20", "codec": "ulaw", "quiet": True}]
    v["clicks"] = [{"snr": "clean", "codec": "pcm16", "clicks": True}, {"snr": "20", "codec": "alaw", "clicks": True}]
    v["contact_center"] = [{"snr": s, "codec": c, "bleed": True, "babble": True, "floor": True, "moh": True}
                           for s, c in [("20", "ulaw"), ("10", "alaw"), ("20", "mp3"), ("clean", "pcm16")]]
    # Last, so that the calls of every scenario above stay as they were (one seeded stream).
    v["codecs"] = [{"snr": s, "codec": c, "moh": True}
                   for s, c in [("20", "ima"), ("10", "msadpcm"), ("clean", "vorbis"), ("20", "opus")]]
    v["codecs"] += [{"snr": s, "codec": c, "bleed": True} for s, c in [("10", "opus"), ("clean", "vorbis")]]
    return v


SCENARIOS = _variants()


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


@functools.lru_cache(maxsize=4096)
def _read_raw_cached(path, sr):
    out = subprocess.run(["sox", "-R", path, "-t", "raw", "-r", str(sr), "-c", "1", "-e", "floating-point",
                          "-b", "32", "-"], check=True, capture_output=True).stdout
    a = np.frombuffer(out, dtype=np.float32).astype(np.float64)
    a.flags.writeable = False
    return a


def read_raw(path, sr=SR):
    """The file as mono float64 at sr (sox resamples, -R: repeatable). Memoised."""
    return _read_raw_cached(path, sr)


def sox_roundtrip(x, sr, out_args, out_ext, in_rate=None):
    """Pass x (float, at sr) through sox to a file written with out_args and back to sr."""
    with tempfile.TemporaryDirectory() as d:
        raw, mid = os.path.join(d, "in.f32"), os.path.join(d, "mid." + out_ext)
        np.clip(x, -1, 1).astype(np.float32).tofile(raw)
        run(["sox", "-R", "-t", "raw", "-r", str(sr), "-c", "1", "-e", "floating-point", "-b", "32", raw]
            + out_args + [mid])
        out = subprocess.run(["sox", "-R", mid, "-t", "raw", "-r", str(sr), "-c", "1", "-e", "floating-point",
                              "-b", "32", "-"], check=True, capture_output=True).stdout
    y = np.frombuffer(out, dtype=np.float32).astype(np.float64)
    if len(y) < len(x):
        y = np.concatenate([y, np.zeros(len(x) - len(y))])
    return y[: len(x)]


def codec_roundtrip(x, sr, codec):
    """The signal after an 8 kHz u-law / A-law / GSM 6.10 round trip (line echo path)."""
    args = {"ulaw": ["-r", "8000", "-e", "u-law", "-b", "8"], "alaw": ["-r", "8000", "-e", "a-law", "-b", "8"],
            "gsm": ["-r", "8000", "-e", "gsm-full-rate"]}[codec]
    return sox_roundtrip(x, sr, args, "wav")


# Ogg Opus (`sndfile.py`) at about 16 kbit/s a channel: libsndfile's compression level 0.96,
# 33 kbit/s for a stereo call, as a VoIP recorder stores it. Lower, libopus' joint stereo coding
# leaks one channel into the other (measured on a stereo call with one silent channel: -21...-32
# dB at 23-28 kbit/s, the whole signal at 11 kbit/s, compression level 1.0).
OPUS_COMPRESSION_LEVEL = 0.96


def write_audio(path, channels, encoding, sr):
    """channels: list of float arrays (±1). encoding: sox -e/-b args (lame args for MP3)."""
    data = np.stack(channels, axis=1) if len(channels) > 1 else channels[0][:, None]
    data = np.clip(data, -1.0, 1.0).astype(np.float32)
    if path.endswith(".opus"):
        sndfile.write_opus(path, data, sr, compression_level=OPUS_COMPRESSION_LEVEL)
        return
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
        run(["sox", "-R", "-t", "raw", "-r", str(sr), "-c", str(len(channels)), "-e", "floating-point",
             "-b", "32", raw] + sox_encoding + [target])
        if mp3:
            run(["lame", "--quiet"] + encoding + [target, path])
    finally:
        os.unlink(raw)
        if mp3 and os.path.exists(target):
            os.unlink(target)


def trim(x):
    """Trim digital silence at both ends so the truth starts at the first sound."""
    nz = np.nonzero(np.abs(x) > 1e-4)[0]
    return x[:0] if len(nz) == 0 else x[nz[0]:nz[-1] + 1]


def espeak_wav(cache, voice, speed, text):
    """espeak-ng's utterance, cached at its native rate."""
    key = f"{voice}|{speed}|{text}"
    path = os.path.join(cache, hashlib.sha1(key.encode()).hexdigest()[:16] + ".wav")
    if not os.path.exists(path):
        run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", path + ".tmp.wav", text])
        os.replace(path + ".tmp.wav", path)
    return path


def flite_wav(cache, voice, text):
    key = f"flite|{voice}|{text}"
    path = os.path.join(cache, hashlib.sha1(key.encode()).hexdigest()[:16] + ".wav")
    if not os.path.exists(path):
        run(["flite", "-voice", voice, "-t", text, "-o", path + ".tmp.wav"])
        os.replace(path + ".tmp.wav", path)
    return path


def pitched_wav(cache, src, cents):
    """A real prompt shifted by `cents` (sox pitch): another apparent talker."""
    if cents == 0:
        return src
    key = f"pitch|{src}|{cents}"
    path = os.path.join(cache, hashlib.sha1(key.encode()).hexdigest()[:16] + ".wav")
    if not os.path.exists(path):
        run(["sox", "-R", src, path + ".tmp.wav", "pitch", str(cents)])
        os.replace(path + ".tmp.wav", path)
    return path


def real_prompts(d):
    return sorted(f for f in glob.glob(os.path.join(d, "*.wav")) if os.path.basename(f) not in NOT_SPEECH)


class UtteranceBank:
    """The call's own (foreground) utterances."""

    def __init__(self, cache, voice_set, rng):
        self.cache = cache
        self.voice_set = voice_set
        self.rng = rng
        os.makedirs(cache, exist_ok=True)
        self.real = {}
        self.sources = []   # what each utterance was made from, in order (for the truth file)
        if voice_set == "real":
            for d in REAL_DIRS:
                self.real[d] = real_prompts(d)
            if not all(self.real.values()):
                sys.exit("real voices need asterisk-core-sounds-{en,es,fr}-wav")

    def utterance(self, speaker, sr):
        """speaker: dict with lang, voice (synthetic) or dir (real)."""
        if self.voice_set == "real":
            f = self.rng.choice(self.real[speaker["dir"]])
            self.sources.append(os.path.relpath(f, os.path.dirname(os.path.dirname(f))))
            path = f
        else:
            text = self.rng.choice(SENTENCES[speaker["lang"]])
            self.sources.append(f"{speaker['voice']}: {text}")
            path = espeak_wav(self.cache, speaker["voice"], speaker["speed"], text)
        return trim(read_raw(path, sr))


class MusicBank:
    """Music-on-hold pieces: asterisk's opsound WAVs (MOH_PIECES, read directly) and, for
    the tuning split, the extra Debian soundtracks (EXTRA_MUSIC), each decoded once with
    sox (ogg / mp3 -> mono, the call's rate, trimmed to EXTRA_MAX_S, peak -1 dBFS, 16-bit
    without dither) into the cache and read back memory-mapped."""

    def __init__(self, cache, split, which):
        self.cache = cache
        self.pieces, self.paths = [], {}
        if which in ("opsound", "both"):
            self.pieces += MOH_PIECES[split]
        if which in ("extra", "both"):
            found = []
            for pkg, pattern in EXTRA_MUSIC:
                files = sorted(glob.glob(pattern, recursive=True))
                if not files:
                    sys.exit(f"--music-bank {which} needs the Debian package {pkg} ({pattern})")
                for f in files:
                    length = float(subprocess.run(["soxi", "-D", f], check=True, capture_output=True,
                                                  text=True).stdout)
                    if length >= EXTRA_MIN_S:
                        label = f"{pkg}:{os.path.relpath(f, os.path.dirname(pattern.split('*')[0]))}"
                        found.append(label)
                        self.paths[label] = f
            self.pieces += found

    def read(self, piece, sr):
        """The piece as float64 at sr (opsound: read_raw, memoised; extra: the cached decode)."""
        if piece not in self.paths:
            return read_raw(os.path.join(MOH_DIR, piece), sr)
        src = self.paths[piece]
        path = os.path.join(self.cache, "music-" + hashlib.sha1(f"{src}|{sr}".encode()).hexdigest()[:16] + ".s16")
        if not os.path.exists(path):
            run(["sox", "-R", src, "-D", "-t", "raw", "-e", "signed-integer", "-b", "16", path + ".tmp",
                 "trim", "0", str(EXTRA_MAX_S), "channels", "1", "rate", str(sr), "gain", "-n", "-1"])
            os.replace(path + ".tmp", path)
        return np.memmap(path, dtype=np.int16, mode="r")

    def segment(self, piece, sr, length, rng):
        """(offset, float segment of `length` samples). Extra pieces: up to 20 offsets are
        tried for one without a quiet stretch (over 10 % of its 100 ms blocks 35 dB under the
        piece's level: an intro, a fade or a break), the last one taken otherwise."""
        moh = self.read(piece, sr)
        if piece not in self.paths:
            off = rng.randrange(0, max(1, len(moh) - length))
            return off, moh[off: off + length]
        level = np.sqrt(np.mean(np.asarray(moh, dtype=np.float64) ** 2)) + 1e-12
        block = sr // 10
        for _ in range(20):
            off = rng.randrange(0, max(1, len(moh) - length))
            seg = np.asarray(moh[off: off + length], dtype=np.float64)
            nb = len(seg) // block
            rms = np.sqrt(np.mean(seg[: nb * block].reshape(nb, block) ** 2, axis=1))
            if nb and np.mean(rms < level * 10 ** (-35 / 20)) <= 0.1:
                break
        return off, seg / 32768.0


class BabbleBank:
    """Other people talking: one continuous stream per babble talker, built per call from
    that talker's utterances with pauses of 0.15-1.2 s, starting at a random point."""

    def __init__(self, cache, split, rng):
        self.cache, self.rng = cache, rng
        self.talkers = []
        for kind, voice, extra in BABBLE_VOICES[split]:
            if kind == "espeak":
                paths = [espeak_wav(cache, voice, 160, t) for t in BABBLE_SENTENCES[extra]]
                name = f"espeak:{voice}"
            elif kind == "flite":
                paths = [flite_wav(cache, voice, t) for t in BABBLE_SENTENCES["flite"]]
                name = f"flite:{voice}"
            else:
                prompts = real_prompts(voice)
                if not prompts:
                    sys.exit(f"babble needs {voice} (asterisk-core-sounds-it-wav / -ru-wav)")
                # 30 prompts of 1 s or more per talker, chosen once per split.
                prompts = [p for p in random.Random(voice).sample(prompts, min(60, len(prompts)))
                           if len(read_raw(p)) > SR][:30]
                paths = [pitched_wav(cache, p, extra) for p in prompts]
                name = f"real:{os.path.basename(voice)}{'' if extra == 0 else f'{extra:+d}c'}"
            self.talkers.append((name, paths))

    def stream(self, talker, n, sr):
        name, paths = talker
        out = np.zeros(n)
        t = -int(self.rng.uniform(0, 3) * sr)          # start inside an utterance or a pause
        while t < n:
            x = trim(read_raw(self.rng.choice(paths), sr))
            x = x / (np.sqrt(np.mean(x ** 2)) + 1e-12)
            s, e = max(0, t), min(n, t + len(x))
            if e > s:
                out[s:e] += x[s - t: e - t]
            t += len(x) + int(self.rng.uniform(0.15, 1.2) * sr)
        return out

    def mix(self, n, sr, count):
        """count talkers, each within ±4 dB, normalised to unit mean power."""
        chosen = self.rng.sample(self.talkers, count)
        out = np.zeros(n)
        for tk in chosen:
            out += self.stream(tk, n, sr) * 10 ** (self.rng.uniform(-4, 4) / 20)
        return out / (np.sqrt(np.mean(out ** 2)) + 1e-12), [tk[0] for tk in chosen]


def frame_power(x, frame):
    n = len(x) // frame
    if n == 0:
        return np.zeros(0)
    f = x[: n * frame].reshape(n, frame)
    f = f - f.mean(axis=1, keepdims=True)
    return (f ** 2).mean(axis=1)


def truth_frames(x, frame):
    """Speech frames of one clean utterance (before mixing), unbridged."""
    p = frame_power(x, frame)
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


def colored_noise(n, colour, rng, bandlimit, sr):
    w = rng.standard_normal(n + 4096)
    if colour == "pink":
        # Voss-McCartney-free approximation: filter white noise with a 1/f IIR (Kellet).
        b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
        a = [1, -2.494956002, 2.017265875, -0.522189400]
        w = lfilter(b, a, w)
    elif colour == "brown":
        w = lfilter([1.0], [1.0, -0.995], w)
    w = w[4096:]
    if bandlimit:
        w = telephone_band(w, sr)
    return w / np.sqrt(np.mean(w ** 2))


def telephone_band(x, sr, lo=300, hi=3400, order=4):
    sos = butter(order, [lo, hi], btype="bandpass", fs=sr, output="sos")
    return sosfilt(sos, x)


def line_band(x, sr):
    """The line's band: 300-3400 Hz narrowband, 50-7000 Hz wideband."""
    return telephone_band(x, sr) if sr == 8000 else telephone_band(x, sr, 50, 7000)


def tone(kind, seconds, rng, sr):
    t = np.arange(int(seconds * sr)) / sr
    if kind == "ringback":   # North American ring-back: 440 + 480 Hz
        return 0.5 * (np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 480 * t))
    # DTMF digits: 100 ms tone, 100 ms pause
    rows, cols = [697, 770, 852, 941], [1209, 1336, 1477]
    out = np.zeros_like(t)
    step = int(0.2 * sr)
    for s in range(0, len(t) - step, step):
        r, c = rng.choice(rows), rng.choice(cols)
        tt = t[s: s + step // 2]
        out[s: s + step // 2] = 0.5 * (np.sin(2 * np.pi * r * tt) + np.sin(2 * np.pi * c * tt))
    return out


def keyboard(n, sr, rng, spans, nrng):
    """Typing inside spans [(start, end) samples]: keys every 80-300 ms in bursts of 3-15,
    each key a 15-40 ms decaying click (a bright tick plus a low thock), unit peak."""
    out = np.zeros(n)
    for s0, e0 in spans:
        t = s0 + int(rng.uniform(0, 0.4) * sr)
        while t < e0:
            for _ in range(rng.randint(3, 15)):
                if t >= e0:
                    break
                ln = int(rng.uniform(0.015, 0.04) * sr)
                env = np.exp(-np.arange(ln) / (rng.uniform(0.002, 0.006) * sr))
                tick = telephone_band(nrng.standard_normal(ln), sr, 1000, min(3800, sr / 2 - 200), 2) * env
                f0 = rng.uniform(150, 400)
                thock = np.sin(2 * np.pi * f0 * np.arange(ln) / sr) * env * rng.uniform(0.3, 1.0)
                click = tick / (np.abs(tick).max() + 1e-12) + thock
                click *= rng.uniform(0.5, 1.0) / (np.abs(click).max() + 1e-12)
                e = min(n, e0, t + ln)
                out[t:e] += click[: e - t]
                t += int(rng.uniform(0.08, 0.3) * sr)
            t += int(rng.uniform(0.5, 2.5) * sr)
    return out


def build_call(bank, music, rng, duration, voice_set, extras, sr, force_hold=False, force_dead=False):
    """Returns (speech, nonspeech, raw truth, gains, events, moh track, dead-air spans).

    speech: the two parties' foreground speech; nonspeech: tones per channel; moh: unit-RMS
    music on the agent's channel (scaled later against the agent's speech level)."""
    frame = sr // 100
    n = int(duration * sr)
    ch = [np.zeros(n), np.zeros(n)]
    tr = [np.zeros(n // frame + 1, dtype=bool), np.zeros(n // frame + 1, dtype=bool)]
    nonspeech = [np.zeros(n), np.zeros(n)]
    moh_track = np.zeros(n)
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
        if ((extras and r < 0.06) or force_hold) and not did_hold and t > 10:
            piece = rng.choice(music.pieces)
            length = int(rng.uniform(8, 15) * sr) if force_hold else int(rng.uniform(6, 12) * sr)
            off, seg = music.segment(piece, sr, length, rng)
            seg = seg / (np.sqrt(np.mean(seg ** 2)) + 1e-12)
            s = int(max(t, line_free[0] + 0.2) * sr)
            e = min(n, s + len(seg))
            did_hold = True
            if e - s < sr:   # no room left in the call
                continue
            moh_track[s:e] += seg[: e - s]
            events.append({"kind": "hold", "channel": 0, "start_s": s / sr, "end_s": e / sr, "piece": piece,
                           "offset_s": off / sr})
            t = e / sr + rng.uniform(0.3, 1.0)
            continue
        if extras and not did_tone and r < 0.10:
            kind = rng.choice(["ringback", "dtmf"])
            secs = 2.0 if kind == "ringback" else 1.2
            seg = tone(kind, secs, rng, sr) * gains[1 - who] * 0.8
            s = int(max(t, line_free[1 - who] + 0.2) * sr)
            e = min(n, s + len(seg))
            did_tone = True
            if e - s < sr // 2:   # no room left in the call
                continue
            nonspeech[1 - who][s:e] += seg[: e - s]
            events.append({"kind": kind, "channel": 1 - who, "start_s": s / sr, "end_s": e / sr})
            t = e / sr + rng.uniform(0.3, 1.0)
            continue
        if ((extras and r < 0.14) or force_dead) and not did_dead and t > 5:
            gap = rng.uniform(10.5, 14)
            start = max(t, line_free[0] + 0.3, line_free[1] + 0.3)
            events.append({"kind": "dead_air", "start_s": start, "end_s": start + gap})
            t = start + gap
            did_dead = True
            continue
        bank.sources.clear()
        x = bank.utterance(speakers[who], sr)
        if rng.random() < 0.3:   # two utterances back to back with a short pause
            x = np.concatenate([x, np.zeros(int(rng.uniform(0.1, 0.6) * sr)), bank.utterance(speakers[who], sr)])
        s = int(t * sr)
        e = min(n, s + len(x))
        if e - s < frame * 5:
            break
        ch[who][s:e] += x[: e - s] * gains[who]
        line_free[who] = max(line_free[who], e / sr)
        events.append({"kind": "utterance", "channel": who, "start_s": s / sr, "end_s": e / sr,
                       "source": " + ".join(bank.sources)})
        f = truth_frames(x[: e - s], frame)
        f0 = s // frame
        tr[who][f0: f0 + len(f)] |= f[: len(tr[who]) - f0]
        end_t = e / sr
        # Next turn: usually the other party after a gap; sometimes an overlap or a backchannel.
        r2 = rng.random()
        if r2 < 0.15:
            t = end_t - rng.uniform(0.3, 1.5)   # the other party starts before this one ends
        elif r2 < 0.25:
            t = end_t - (len(x) / sr) * rng.uniform(0.3, 0.7)   # backchannel in the middle
        else:
            t = end_t + rng.uniform(0.2, 2.5)
        t = max(t, s / sr + 0.3)
        who = 1 - who
    raw = [tr[c][: n // frame] for c in range(2)]
    return ch, nonspeech, raw, gains, events, moh_track


def active_power(x, truth, frame):
    """Mean power of x over the truth's speech frames (active speech level)."""
    p = frame_power(x, frame)
    act = truth[: len(p)]
    return p[: len(act)][act].mean() if act.any() else None


def db(p):
    return round(10 * np.log10(max(p, 1e-20)), 2)


def make_call(name, variant, scenario, vs, bank, music, babble, rng, nrng, args, outdir):
    """Builds, mixes, encodes one call and writes its audio and truth JSON."""
    sr = variant.get("rate", SR)
    frame = sr // 100
    snr, codec = variant["snr"], variant["codec"]
    k = variant["k"]
    conditions, params = [], {}
    ch, ns, raw, gains, events, moh = build_call(
        bank, music, rng, args.duration, vs, extras=(k % 2 == 0), sr=sr,
        force_hold=variant.get("moh", False), force_dead=variant.get("clicks", False))
    n = len(ch[0])
    gap = int(MERGE_GAP_S * 100)
    truths = [bridge(r, gap) for r in raw]
    if variant.get("quiet"):
        # The customer's active speech level, after the line band, set to -30...-42 dBFS.
        target = rng.uniform(-42, -30)
        p = active_power(line_band(ch[1], sr), truths[1], frame)
        if p:
            g = 10 ** ((target - 10 * np.log10(p)) / 20)
            ch[1] *= g
            ns[1] *= g
        conditions.append("quiet_customer")
    levels = []
    for c in range(2):
        p = active_power(line_band(ch[c], sr), truths[c], frame)
        levels.append(p if p else gains[c] ** 2 * 0.05)
    params["speech_level_dbfs"] = {"agent": db(levels[0]), "customer": db(levels[1])}
    # Acoustic additions at each party's microphone (before the line band).
    acoustic = [np.zeros(n), np.zeros(n)]
    if variant.get("babble"):
        params["babble"] = {}
        sides = [0] + ([1] if rng.random() < 0.4 else [])
        for c in sides:
            level = rng.uniform(5, 20)
            mix, names = babble.mix(n, sr, rng.randint(3, 8))
            acoustic[c] += mix * np.sqrt(levels[c] / 10 ** (level / 10))
            params["babble"]["agent" if c == 0 else "customer"] = {"under_talker_db": round(level, 2),
                                                                   "talkers": names}
        conditions += ["babble"] + (["babble_customer"] if 1 in sides else [])
    if variant.get("floor"):
        # Colleagues' keyboards (bursts every few seconds, through speech too), distant voices
        # muffled by the room, air-conditioning rumble (brown noise) and mains hum harmonics.
        voices_db, rumble_db, keys_db = rng.uniform(20, 30), rng.uniform(25, 35), rng.uniform(-6, 6)
        far, names = babble.mix(n, sr, rng.randint(2, 4))
        far = sosfilt(butter(2, 1500, btype="lowpass", fs=sr, output="sos"), far)
        far /= np.sqrt(np.mean(far ** 2)) + 1e-12
        rumble = colored_noise(n, "brown", nrng, False, sr)
        mains = rng.choice([50, 60])
        tt = np.arange(n) / sr
        hum = sum(np.sin(2 * np.pi * mains * h * tt + rng.uniform(0, 6.3)) / h for h in range(2, 9))
        hum /= np.sqrt(np.mean(hum ** 2))
        rumble = (rumble + 0.5 * hum) / np.sqrt(1.25)
        spans, t = [], int(rng.uniform(0, 4) * sr)
        while t < n:
            e = t + int(rng.uniform(1, 4) * sr)
            spans.append((t, min(n, e)))
            t = e + int(rng.uniform(2, 8) * sr)
        keys = keyboard(n, sr, rng, spans, nrng)
        rms = np.sqrt(levels[0])
        acoustic[0] += far * rms * 10 ** (-voices_db / 20) + rumble * rms * 10 ** (-rumble_db / 20) \
            + keys * 0.3 * rms * 10 ** (keys_db / 20)
        params["floor"] = {"distant_voices_under_db": round(voices_db, 2), "distant_talkers": names,
                           "rumble_hum_under_db": round(rumble_db, 2), "mains_hz": mains,
                           "key_peak_vs_speech_rms_db": round(keys_db + 20 * np.log10(0.3), 2)}
        conditions.append("floor")
    if variant.get("clicks"):
        # Typing in the dead air on the agent's line (the agent looks something up).
        spans = [(int(ev["start_s"] * sr), min(n, int(ev["end_s"] * sr))) for ev in events if ev["kind"] == "dead_air"]
        peak_db = rng.uniform(-6, 6)
        keys = keyboard(n, sr, rng, spans, nrng)
        acoustic[0] += keys * np.sqrt(levels[0]) * 10 ** (peak_db / 20)
        for s, e in spans:
            events.append({"kind": "clicks", "channel": 0, "start_s": s / sr, "end_s": e / sr})
        params["clicks"] = {"key_peak_vs_speech_rms_db": round(peak_db, 2)}
        conditions.append("clicks")
    lines = [line_band(ch[c] + acoustic[c], sr) + ns[c] for c in range(2)]
    if moh.any():
        level = rng.uniform(-10, 3) if variant.get("moh") else rng.uniform(-10, 0)
        lines[0] += moh * np.sqrt(levels[0]) * 10 ** (level / 20)
        hold = [ev for ev in events if ev["kind"] == "hold"][0]
        hold["level_vs_speech_db"] = round(level, 2)
        params["moh"] = {"level_vs_speech_db": round(level, 2), "piece": hold["piece"]}
        conditions += ["hold"] + (["moh"] if variant.get("moh") else [])
    if variant.get("bleed"):
        # Echo of the other party's line: attenuated, late, through a codec and a band.
        dirs = [0, 1] if k % 2 == 0 or variant.get("babble") else [rng.choice([0, 1])]
        echoes = [np.zeros(n), np.zeros(n)]
        params["bleed"] = {}
        for c in dirs:
            gain_db, delay_ms = -rng.uniform(25, 45), rng.uniform(0, 60)
            path_codec = rng.choice(["ulaw", "alaw", "gsm"])
            lo, hi, order = rng.uniform(200, 400), rng.uniform(2800, 3500), rng.choice([2, 3, 4])
            src = codec_roundtrip(lines[1 - c], sr, path_codec)
            src = telephone_band(src, sr, lo, hi, order)
            d = int(round(delay_ms * sr / 1000))
            echoes[c][d:] = src[: n - d] * 10 ** (gain_db / 20)
            params["bleed"]["agent" if c == 0 else "customer"] = {
                "gain_db": round(gain_db, 2), "delay_ms": round(delay_ms, 2), "codec": path_codec,
                "band_hz": [round(lo), round(hi)], "order": order}
        for c in dirs:
            lines[c] = lines[c] + echoes[c]
        conditions += ["bleed", "bleed_clean" if snr == "clean" else "bleed_noisy"]
    mono = codec == "gsm"
    if mono:
        # A mono file is one line: one noise, at the stated SNR against the quieter party
        # (otherwise a quiet customer would sit under the loud agent's line noise).
        lines, lvls = [(lines[0] + lines[1]) * 0.7], [min(levels) * 0.49]
        conditions.append("mono")
    else:
        lvls = levels
    colour = rng.choice(["white", "pink", "brown"])
    band = rng.random() < 0.5
    mixed = []
    for sig, level in zip(lines, lvls):
        if snr != "clean":
            noise = colored_noise(len(sig), colour, nrng, band, sr)
            sig = sig + noise * np.sqrt(level / 10 ** (float(snr) / 10))
        elif variant.get("hiss"):
            sig = sig + nrng.standard_normal(len(sig)) * np.sqrt(level / 10 ** 5.0)   # 50 dB down
        # DC offset on some calls: a real line fault
        if rng.random() < 0.2:
            sig = sig + rng.uniform(-0.01, 0.01)
        mixed.append(sig)
    if snr != "clean":
        conditions.append("noise")
    if variant.get("hiss"):
        params["hiss_under_speech_db"] = 50
    if sr != SR:
        conditions.append("wideband")
    if codec in ("float", "flac"):
        conditions.append(codec)
    if any(ev["kind"] == "dead_air" for ev in events):
        conditions.append("dead_air")
    if any(ev["kind"] in ("ringback", "dtmf") for ev in events):
        conditions.append("tones")
    enc, ext = ENCODINGS[codec]
    audio = f"{name}.{ext}"
    write_audio(os.path.join(outdir, audio), mixed, enc, sr)
    if mono:
        truth = {"channels": 1, "mixed": np.nonzero(bridge(raw[0] | raw[1], gap))[0].tolist()}
    else:
        truth = {"channels": 2, "agent": np.nonzero(truths[0])[0].tolist(),
                 "customer": np.nonzero(truths[1])[0].tolist()}
    truth.update({"audio": audio, "sample_rate": sr, "frames": len(truths[0]), "split": args.split,
                  "scenario": scenario, "conditions": conditions, "params": params, "voices": vs,
                  "snr": snr, "codec": codec, "noise": colour, "bandlimited_noise": band, "events": events,
                  "duration_s": args.duration})
    with open(os.path.join(outdir, f"{name}.truth.json"), "w") as f:
        json.dump(truth, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--split", choices=["tuning", "heldout"], default="heldout",
                    help="material and seed: babble voices and MOH pieces differ between the splits")
    ap.add_argument("--calls-per-condition", type=int, default=2,
                    help="calls per scenario variant (58 variants: 2 -> 116 calls)")
    ap.add_argument("--seed", type=int, help="default: 11 for tuning, 7 for heldout")
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--voices", choices=["synthetic", "real", "both"], default="both",
                    help="both: the calls of each variant alternate synthetic and real")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma list of " + ", ".join(SCENARIOS))
    ap.add_argument("--music-bank", choices=["opsound", "extra", "both"], default="opsound",
                    help="hold music: the split's asterisk opsound pieces (opsound), the Debian "
                         "soundtracks of EXTRA_MUSIC (extra; tuning split only) or both")
    args = ap.parse_args()
    if args.music_bank != "opsound" and args.split != "tuning":
        sys.exit(f"--music-bank {args.music_bank} is for the tuning split only: the held-out split's "
                 "music stays unseen (opsound held-out pieces)")
    seed = SPLIT_SEEDS[args.split] if args.seed is None else args.seed
    other = SPLIT_SEEDS["heldout" if args.split == "tuning" else "tuning"]
    if seed == other:
        sys.exit(f"seed {seed} is the other split's seed")
    os.makedirs(args.outdir, exist_ok=True)
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    cache = os.path.join(args.outdir, ".cache")
    os.makedirs(cache, exist_ok=True)
    voice_sets = ["synthetic", "real"] if args.voices == "both" else [args.voices]
    banks = {vs: UtteranceBank(cache, vs, rng) for vs in voice_sets}
    music = MusicBank(cache, args.split, args.music_bank)
    babble = BabbleBank(cache, args.split, rng)
    count = 0
    for scenario in args.scenarios.split(","):
        for vi, variant in enumerate(SCENARIOS[scenario]):
            for k in range(args.calls_per_condition):
                vs = voice_sets[k % len(voice_sets)]
                v = dict(variant, k=k)
                rate = "" if v.get("rate", SR) == SR else f"-{v['rate'] // 1000}k"
                name = f"{scenario}-{v['snr']}-{v['codec']}{rate}-{vs}-{vi}{k}"
                make_call(name, v, scenario, vs, banks[vs], music, babble, rng, nrng, args, args.outdir)
                count += 1
    print(f"wrote {count} calls ({args.split}, seed {seed}, music {args.music_bank}: {len(music.pieces)} pieces) "
          f"to {args.outdir}")


if __name__ == "__main__":
    main()
