"""The system's libsndfile (the library callqa reads audio with), through ctypes, for the two
things the harness needs that sox cannot do: write Ogg Opus (gencalls.py's codecs scenario)
and read it back (evaluate.py, for the peer detectors). Debian 12's libsndfile1 (1.2.0) has
Opus; it writes the pre-skip, so the samples come back at the times they were written.
"""
import ctypes
import ctypes.util

import numpy as np

SFM_READ, SFM_WRITE = 0x10, 0x20
SF_FORMAT_OGG_OPUS = 0x200000 | 0x0064
SFC_SET_COMPRESSION_LEVEL = 0x1301


class _Info(ctypes.Structure):
    _fields_ = [("frames", ctypes.c_int64), ("samplerate", ctypes.c_int), ("channels", ctypes.c_int),
                ("format", ctypes.c_int), ("sections", ctypes.c_int), ("seekable", ctypes.c_int)]


_lib = None


def _library():
    global _lib
    if _lib is None:
        lib = ctypes.CDLL(ctypes.util.find_library("sndfile") or "libsndfile.so.1")
        lib.sf_open.restype = ctypes.c_void_p
        lib.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
        lib.sf_readf_float.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
        lib.sf_readf_float.restype = ctypes.c_int64
        lib.sf_writef_float.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
        lib.sf_writef_float.restype = ctypes.c_int64
        lib.sf_command.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        lib.sf_close.argtypes = [ctypes.c_void_p]
        lib.sf_strerror.restype = ctypes.c_char_p
        lib.sf_strerror.argtypes = [ctypes.c_void_p]
        _lib = lib
    return _lib


def read(path):
    """The whole file as float32 frames x channels, and its sample rate. Reads until
    libsndfile returns nothing (the header's frame count is not trusted)."""
    lib = _library()
    info = _Info()
    h = lib.sf_open(path.encode(), SFM_READ, ctypes.byref(info))
    if not h:
        raise RuntimeError(f"{path}: libsndfile cannot read it: {lib.sf_strerror(None).decode()}")
    try:
        chunks, block = [], 65536
        while True:
            buf = np.zeros(block * info.channels, dtype=np.float32)
            got = lib.sf_readf_float(h, buf.ctypes.data, block)
            if got <= 0:
                break
            chunks.append(buf[: got * info.channels])
    finally:
        lib.sf_close(h)
    data = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return data.reshape(-1, info.channels), info.samplerate


def write_opus(path, data, sr, compression_level):
    """data (frames x channels, float) as Ogg Opus at the given libsndfile compression level
    (0 best … 1 smallest; bitrate about linear in it). libsndfile picks the Ogg stream's
    serial number at random: two writes of the same samples differ in those bytes, not in
    what they decode to."""
    lib = _library()
    info = _Info(0, sr, data.shape[1], SF_FORMAT_OGG_OPUS, 0, 0)
    h = lib.sf_open(path.encode(), SFM_WRITE, ctypes.byref(info))
    if not h:
        raise RuntimeError(f"{path}: libsndfile cannot write Ogg Opus: {lib.sf_strerror(None).decode()}")
    try:
        level = ctypes.c_double(compression_level)
        lib.sf_command(h, SFC_SET_COMPRESSION_LEVEL, ctypes.byref(level), ctypes.sizeof(level))
        frames = np.ascontiguousarray(data, dtype=np.float32)
        written = lib.sf_writef_float(h, frames.ctypes.data, len(frames))
    finally:
        lib.sf_close(h)
    if written != len(frames):
        raise RuntimeError(f"{path}: libsndfile wrote {written} of {len(frames)} frames")
