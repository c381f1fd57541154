#!/usr/bin/env python3
"""Convert a faster-whisper (CTranslate2) Whisper model into whisper.cpp's ggml file.

    ct2_to_ggml.py MODEL_DIR OUT.bin [--check-against WHISPER_CPP_TEST_MODEL]

MODEL_DIR holds CTranslate2's `model.bin` (binary version 6, spec `WhisperSpec`, float16
weights) and `vocabulary.txt`; OUT.bin is written in the layout whisper.cpp's loader reads
(src/whisper.cpp, whisper_model_load): the magic 0x67676d6c, eleven int32 hyper-parameters,
the 80-band mel filterbank, the text tokens as raw bytes, then every tensor as
(n_dims, name length, type, dims innermost first, name, data). Matrices stay float16 and
everything else float32, as the loader expects; whisper.cpp's `whisper-quantize` makes the
q8_0 file from it.

`--check-against` compares the filterbank and the vocabulary with one of the tensorless
test models that ship in whisper.cpp's source tree (models/for-tests-ggml-*.bin), so a
mistake in our filterbank or token decoding fails the set-up instead of degrading every
transcript.

Only numpy is needed. Written for callqa (see README, "Transcripts"); not derived from
whisper.cpp's or CTranslate2's converters beyond the file layouts they define.
"""
import argparse
import struct
import sys
from pathlib import Path

import numpy as np

GGML_MAGIC = 0x67676D6C
CT2_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class ConversionError(Exception):
    pass


# ---------------------------------------------------------------- CTranslate2 model.bin

def read_ct2(path):
    """Returns ({name: ndarray}, {alias: target}) from a CTranslate2 model.bin."""
    data = path.read_bytes()
    pos = 0

    def take(fmt):
        nonlocal pos
        size = struct.calcsize("<" + fmt)
        if pos + size > len(data):
            raise ConversionError(f"{path}: ends early at byte {pos}")
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += size
        return values

    def string():
        nonlocal pos
        (length,) = take("H")  # includes the terminating NUL
        raw = data[pos:pos + length]
        pos += length
        if len(raw) != length or not raw.endswith(b"\0"):
            raise ConversionError(f"{path}: malformed name at byte {pos}")
        return raw[:-1].decode("utf-8")

    (version,) = take("I")
    if version != 6:
        raise ConversionError(f"{path}: CTranslate2 binary version {version}, expected 6")
    spec = string()
    if spec != "WhisperSpec":
        raise ConversionError(f"{path}: model spec '{spec}', expected 'WhisperSpec'")
    take("I")  # spec revision
    (count,) = take("I")
    variables = {}
    for _ in range(count):
        name = string()
        (rank,) = take("B")
        shape = take("I" * rank) if rank else ()
        (dtype_id,) = take("B")
        (nbytes,) = take("I")
        if dtype_id not in CT2_DTYPES:
            raise ConversionError(f"{path}: variable {name}: unsupported dtype id {dtype_id}")
        dtype = np.dtype(CT2_DTYPES[dtype_id]).newbyteorder("<")
        if pos + nbytes > len(data):
            raise ConversionError(f"{path}: variable {name} runs past the end of the file")
        array = np.frombuffer(data, dtype=dtype, count=nbytes // dtype.itemsize, offset=pos)
        pos += nbytes
        variables[name] = array.reshape(shape) if shape else array.reshape(())
    (alias_count,) = take("I")
    aliases = {}
    for _ in range(alias_count):
        alias = string()
        aliases[alias] = string()
    if pos != len(data):
        raise ConversionError(f"{path}: {len(data) - pos} bytes after the last alias")
    return variables, aliases


# ---------------------------------------------------------------- tokens

def byte_level_alphabet():
    """GPT-2's byte-level BPE alphabet: printable Latin-1 bytes stand for themselves, the
    other 68 bytes for the code points 256, 257, … in byte order. Returns {char: byte}."""
    printable = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    table = {}
    extra = 0
    for byte in range(256):
        if byte in printable:
            table[chr(byte)] = byte
        else:
            table[chr(256 + extra)] = byte
            extra += 1
    return table


def text_tokens(vocabulary_path):
    """The text tokens (ids below <|endoftext|>) as bytes, in id order."""
    lines = vocabulary_path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    try:
        eot = lines.index("<|endoftext|>")
    except ValueError:
        raise ConversionError(f"{vocabulary_path}: no <|endoftext|> token")
    alphabet = byte_level_alphabet()
    tokens = []
    for index, token in enumerate(lines[:eot]):
        try:
            tokens.append(bytes(alphabet[ch] for ch in token))
        except KeyError as missing:
            raise ConversionError(f"{vocabulary_path}:{index + 1}: character {missing} is not byte-level BPE")
    return tokens, len(lines)


# ---------------------------------------------------------------- mel filterbank

def hz_to_mel(hz):
    """Slaney's mel scale: linear to 1 kHz (3 mels per 200 Hz), logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3.0)
    log_step = np.log(6.4) / 27.0
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / log_step, linear)


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    log_step = np.log(6.4) / 27.0
    return np.where(mel >= 15.0, 1000.0 * np.exp(log_step * (mel - 15.0)), mel * (200.0 / 3.0))


def mel_filterbank(sample_rate=16000, n_fft=400, n_mels=80):
    """Triangular filters equally spaced on Slaney's mel scale from 0 Hz to Nyquist, each
    scaled to unit area (2 / bandwidth in Hz): what Whisper computed its log-mel input with."""
    fft_hz = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)
    edges_hz = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(sample_rate / 2.0), n_mels + 2))
    widths = np.diff(edges_hz)
    filters = np.zeros((n_mels, fft_hz.size))
    for band in range(n_mels):
        rising = (fft_hz - edges_hz[band]) / widths[band]
        falling = (edges_hz[band + 2] - fft_hz) / widths[band + 1]
        filters[band] = np.maximum(0.0, np.minimum(rising, falling))
        filters[band] *= 2.0 / (edges_hz[band + 2] - edges_hz[band])
    return filters.astype(np.float32)


# ---------------------------------------------------------------- mapping

def whisper_tensors(v, n_state, n_audio_layer, n_text_layer):
    """Yields (whisper.cpp tensor name, array) for every weight the loader expects."""
    def ln(prefix, source):
        yield f"{prefix}.weight", v[f"{source}/gamma"]
        yield f"{prefix}.bias", v[f"{source}/beta"]

    def linear(prefix, source, bias=True):
        yield f"{prefix}.weight", v[f"{source}/weight"]
        if bias:
            yield f"{prefix}.bias", v[f"{source}/bias"]

    def split(source, parts, names):
        # CTranslate2 fuses projections along the output dimension, in the order given.
        weight = v[f"{source}/weight"]
        bias = v[f"{source}/bias"]
        if weight.shape[0] != parts * n_state:
            raise ConversionError(f"{source}/weight: {weight.shape[0]} rows, expected {parts} × {n_state}")
        for index, name in enumerate(names):
            rows = slice(index * n_state, (index + 1) * n_state)
            yield f"{name}.weight", weight[rows]
            if not name.endswith(".key"):  # Whisper's keys have no bias (softmax ignores one)
                yield f"{name}.bias", bias[rows]

    yield "encoder.conv1.weight", v["encoder/conv1/weight"]
    yield "encoder.conv1.bias", v["encoder/conv1/bias"].reshape(-1, 1)
    yield "encoder.conv2.weight", v["encoder/conv2/weight"]
    yield "encoder.conv2.bias", v["encoder/conv2/bias"].reshape(-1, 1)
    yield "encoder.positional_embedding", v["encoder/position_encodings/encodings"]
    yield from ln("encoder.ln_post", "encoder/layer_norm")
    for i in range(n_audio_layer):
        src, dst = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        yield from ln(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        yield from split(f"{src}/self_attention/linear_0", 3,
                         [f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value"])
        yield from linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        yield from ln(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
        yield from linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        yield from linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
    yield "decoder.token_embedding.weight", v["decoder/embeddings/weight"]
    yield "decoder.positional_embedding", v["decoder/position_encodings/encodings"]
    yield from ln("decoder.ln", "decoder/layer_norm")
    for i in range(n_text_layer):
        src, dst = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        yield from ln(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        yield from split(f"{src}/self_attention/linear_0", 3,
                         [f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value"])
        yield from linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        yield from ln(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        yield from linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
        yield from split(f"{src}/attention/linear_1", 2, [f"{dst}.cross_attn.key", f"{dst}.cross_attn.value"])
        yield from linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
        yield from ln(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")
        yield from linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        yield from linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")


def count_layers(variables, prefix):
    count = 0
    while f"{prefix}/layer_{count}/ffn/linear_0/weight" in variables:
        count += 1
    return count


# ---------------------------------------------------------------- ggml file

def convert(model_dir, out_path):
    variables, aliases = read_ct2(model_dir / "model.bin")
    if aliases.get("decoder/projection/weight", "decoder/embeddings/weight") != "decoder/embeddings/weight":
        raise ConversionError("the output projection is not tied to the token embedding (whisper.cpp ties them)")
    n_vocab, n_state = variables["decoder/embeddings/weight"].shape
    n_audio_ctx = variables["encoder/position_encodings/encodings"].shape[0]
    n_text_ctx = variables["decoder/position_encodings/encodings"].shape[0]
    n_mels = variables["encoder/conv1/weight"].shape[1]
    n_audio_head = int(variables["encoder/num_heads"])
    n_text_head = int(variables["decoder/num_heads"])
    n_audio_layer = count_layers(variables, "encoder")
    n_text_layer = count_layers(variables, "decoder")
    tokens, vocabulary_size = text_tokens(model_dir / "vocabulary.txt")
    if vocabulary_size != n_vocab:
        raise ConversionError(f"vocabulary.txt has {vocabulary_size} tokens, the embedding {n_vocab}")
    filters = mel_filterbank(n_mels=n_mels)

    tmp_path = out_path.with_name(out_path.name + ".part")
    written = 0
    with tmp_path.open("wb") as out:
        out.write(struct.pack("<I", GGML_MAGIC))
        out.write(struct.pack("<11i", n_vocab, n_audio_ctx, n_state, n_audio_head, n_audio_layer,
                              n_text_ctx, n_state, n_text_head, n_text_layer, n_mels, 1))  # ftype 1: f16
        out.write(struct.pack("<2i", *filters.shape))
        out.write(filters.astype("<f4").tobytes())
        out.write(struct.pack("<i", len(tokens)))
        for token in tokens:
            out.write(struct.pack("<I", len(token)))
            out.write(token)
        for name, array in whisper_tensors(variables, n_state, n_audio_layer, n_text_layer):
            array = np.asarray(array)
            keep_f32 = array.ndim < 2 or name.endswith(("conv1.bias", "conv2.bias", "positional_embedding"))
            array = np.ascontiguousarray(array.astype("<f4" if keep_f32 else "<f2"))
            encoded = name.encode("utf-8")
            out.write(struct.pack("<3i", array.ndim, len(encoded), 0 if keep_f32 else 1))
            out.write(struct.pack(f"<{array.ndim}i", *reversed(array.shape)))
            out.write(encoded)
            out.write(array.tobytes())
            written += 1
    # 7 encoder-wide and 4 decoder-wide tensors, 15 per encoder and 24 per decoder block
    expected = 11 + 15 * n_audio_layer + 24 * n_text_layer
    if written != expected:
        tmp_path.unlink()
        raise ConversionError(f"wrote {written} tensors, whisper.cpp expects {expected}")
    tmp_path.replace(out_path)
    return dict(n_vocab=n_vocab, n_state=n_state, n_audio_layer=n_audio_layer, n_text_layer=n_text_layer,
                n_audio_head=n_audio_head, n_text_head=n_text_head, n_mels=n_mels, tokens=len(tokens),
                tensors=written), filters, tokens


def read_test_model(path):
    """Filterbank and tokens of one of whisper.cpp's tensorless test models."""
    data = path.read_bytes()
    (magic,) = struct.unpack_from("<I", data, 0)
    if magic != GGML_MAGIC:
        raise ConversionError(f"{path}: not a ggml file")
    hparams = struct.unpack_from("<11i", data, 4)
    pos = 48
    n_mel, n_fft = struct.unpack_from("<2i", data, pos)
    pos += 8
    filters = np.frombuffer(data, dtype="<f4", count=n_mel * n_fft, offset=pos).reshape(n_mel, n_fft)
    pos += 4 * n_mel * n_fft
    (count,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tokens = []
    for _ in range(count):
        (length,) = struct.unpack_from("<I", data, pos)
        pos += 4
        tokens.append(data[pos:pos + length])
        pos += length
    return hparams, filters, tokens


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--check-against", type=Path, help="a whisper.cpp models/for-tests-ggml-*.bin")
    args = parser.parse_args()
    try:
        info, filters, tokens = convert(args.model_dir, args.out)
        if args.check_against:
            hparams, test_filters, test_tokens = read_test_model(args.check_against)
            if hparams[0] != info["n_vocab"] or hparams[9] != info["n_mels"]:
                raise ConversionError(f"{args.check_against}: n_vocab/n_mels {hparams[0]}/{hparams[9]} differ")
            worst = float(np.max(np.abs(test_filters - filters)))
            if test_filters.shape != filters.shape or worst > 1e-6:
                raise ConversionError(f"mel filterbank differs from {args.check_against} (max |Δ| {worst:.3g})")
            # The test models were written from text: a token that is not whole UTF-8 on
            # its own (a piece of a multi-byte character) reads there as U+FFFD, and the
            # English one lists <|endoftext|> after the text tokens. Ours keep the bytes.
            extra = test_tokens[len(tokens):]
            if extra not in ([], [b"<|endoftext|>"]):
                raise ConversionError(f"{args.check_against} has {len(test_tokens)} tokens, ours {len(tokens)}")
            for index, token in enumerate(tokens):
                if token.decode("utf-8", "replace").encode("utf-8") != test_tokens[index]:
                    raise ConversionError(f"token {index} {token!r} differs from {args.check_against}: {test_tokens[index]!r}")
            info["checked_against"] = args.check_against.name
    except (ConversionError, KeyError, OSError) as error:
        print(f"ct2_to_ggml: error: {error}", file=sys.stderr)
        sys.exit(1)
    print("ct2_to_ggml: " + ", ".join(f"{k} {v}" for k, v in info.items()))


if __name__ == "__main__":
    main()
