#!/usr/bin/env python3
"""Writes tests/data/quant/<TYPE>.bin: reference quantized bytes and dequantized values for
ggml's block types, from gguf-py (quantize/dequantize) and ggml's own reference C code.

ggml's quantize_row_*_ref and dequantize_row_* are called through ctypes in the libggml-base.so
that the pywhispercpp wheel ships (ggml 0.13.1), so the K-quant bytes, which gguf-py cannot
produce, come from llama.cpp's reference code itself. Where both exist they must agree, or this
script stops. Run outside CI, in a venv:
    python3 -m venv /work/venv-quant
    /work/venv-quant/bin/pip install gguf==0.19.0 numpy
    /work/venv-quant/bin/pip install --no-deps pywhispercpp==1.5.1
    /work/venv-quant/bin/python tools/make_quant_fixtures.py
"""
import ctypes
import glob
import importlib.metadata
import os
import struct
import sys

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants
from gguf.constants import GGML_QUANT_SIZES

TYPES = ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"]
ROWS, COLS, RANDOM_ELEMENTS = 4, 512, 1024
F16_FIELDS = {"Q8_0": [0], "Q4_0": [0], "Q5_0": [0], "Q4_1": [0, 2], "Q5_1": [0, 2],
              "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208]}  # byte offsets of d (and m/dmin)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "quant")


def load_ggml():
    import site
    for base in site.getsitepackages():
        for path in glob.glob(os.path.join(base, "libggml-base.so")):
            return ctypes.CDLL(path)
    sys.exit("libggml-base.so not found: pip install --no-deps pywhispercpp==1.5.1")


def inputs(rng):
    """Rows that exercise the quantizers: Gaussian; positive with an offset; per-block scales
    from 1e-6 to 1e3 with an all-zero block, a constant block and outliers; exact halves (ties)."""
    x = np.empty((ROWS, COLS), dtype=np.float32)
    x[0] = rng.standard_normal(COLS)
    x[1] = rng.uniform(0.5, 2.0, COLS)
    scales = 10.0 ** rng.uniform(-6, 3, COLS // 32)
    x[2] = rng.standard_normal(COLS) * np.repeat(scales, 32)
    x[2, 0:32] = 0.0
    x[2, 32:64] = -0.75
    x[2, 64 + rng.integers(0, 32)] = 50.0
    x[2, 300] = -1e4
    x[3] = rng.integers(-16, 17, COLS) / 2.0
    return x


def random_blocks(rng, qtype):
    """Random bytes with every f16 field set to a random finite value (subnormals included)."""
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    n = RANDOM_ELEMENTS // block_size
    raw = rng.integers(0, 256, (n, type_size), dtype=np.uint8)
    for off in F16_FIELDS[qtype.name]:
        bits = rng.integers(0, 0x7C00, n).astype(np.uint16) | (rng.integers(0, 2, n).astype(np.uint16) << 15)
        raw[:, off:off + 2] = bits.view(np.uint8).reshape(n, 2)
    return raw


def ggml_quantize(lib, name, x):
    fn = getattr(lib, f"quantize_row_{name.lower().replace('_k', '_K')}_ref")
    block_size, type_size = GGML_QUANT_SIZES[T[name]]
    out = np.zeros(x.size // block_size * type_size, dtype=np.uint8)
    fn(x.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(x.size))
    return out


def ggml_dequantize(lib, name, raw, n):
    fn = getattr(lib, f"dequantize_row_{name.lower().replace('_k', '_K')}")
    out = np.zeros(n, dtype=np.float32)
    raw = np.ascontiguousarray(raw)
    fn(raw.ctypes.data_as(ctypes.c_void_p), out.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(n))
    return out


def same_bits(a, b):
    return a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))


def main():
    lib = load_ggml()
    lib.ggml_commit.restype = ctypes.c_char_p
    rng = np.random.default_rng(20240601)
    x = inputs(rng)
    os.makedirs(OUT, exist_ok=True)
    for name in TYPES:
        qtype = T[name]
        quant = ggml_quantize(lib, name, x)
        try:
            py = quants.quantize(x, qtype).reshape(-1)
            assert np.array_equal(py, quant), f"{name}: gguf-py and ggml quantize differ"
            source = "gguf-py == ggml"
        except NotImplementedError:
            source = "ggml only"
        deq = quants.dequantize(quant.reshape(ROWS, -1), qtype).reshape(-1).astype(np.float32)
        assert same_bits(deq, ggml_dequantize(lib, name, quant, x.size)), f"{name}: dequantize differs"
        raw = random_blocks(rng, qtype)
        raw_deq = quants.dequantize(raw.reshape(-1), qtype).reshape(-1).astype(np.float32)
        assert same_bits(raw_deq, ggml_dequantize(lib, name, raw, RANDOM_ELEMENTS)), f"{name}: random differs"
        with open(os.path.join(OUT, f"{name}.bin"), "wb") as f:
            f.write(b"YQQ1" + struct.pack("<4I", int(qtype), ROWS, COLS, raw.shape[0]))
            for part in (x, quant, deq, raw, raw_deq):
                f.write(np.ascontiguousarray(part).tobytes())
        print(f"{name}: quantize from {source}, {quant.size} bytes/{ROWS} rows, {raw.shape[0]} random blocks")
    print("ggml", lib.ggml_commit().decode(), "gguf", importlib.metadata.version("gguf"), "numpy", np.__version__)


if __name__ == "__main__":
    main()
