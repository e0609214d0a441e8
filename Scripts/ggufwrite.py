"""Helpers shared by the GGUF fixture scripts: a Q4_K quantizer (gguf-py has none) and raw
random blocks for the other K-quants, built so every block decodes to finite values.

Quantizing is not what is tested (the reader is checked against gguf-py's *dequantizers* on
whatever blocks the file holds); the quantizer only has to produce valid, realistic blocks.
"""
import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

QK_K = 256


def quantize_q4_k(x):
    """Rows of a float array (last dimension a multiple of 256) as Q4_K blocks (uint8)."""
    x = np.asarray(x, dtype=np.float32)
    blocks = x.reshape(-1, 8, 32)
    mn = np.minimum(blocks.min(axis=-1), 0)
    mx = blocks.max(axis=-1)
    scale = (mx - mn) / 15
    mins = -mn
    d = (scale.max(axis=-1) / 63).astype(np.float16)
    dmin = (mins.max(axis=-1) / 63).astype(np.float16)
    df, dminf = d.astype(np.float32)[:, None], dmin.astype(np.float32)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        sc = np.where(df > 0, np.rint(scale / df), 0).clip(0, 63).astype(np.uint8)
        m = np.where(dminf > 0, np.rint(mins / dminf), 0).clip(0, 63).astype(np.uint8)
    d1 = (df * sc.astype(np.float32))[..., None]
    m1 = (dminf * m.astype(np.float32))[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(d1 > 0, np.rint((blocks + m1) / d1), 0).clip(0, 15).astype(np.uint8)
    n = blocks.shape[0]
    scales = np.zeros((n, 12), dtype=np.uint8)
    scales[:, 0:4] = (sc[:, 0:4] & 63) | ((sc[:, 4:8] >> 4) << 6)
    scales[:, 4:8] = (m[:, 0:4] & 63) | ((m[:, 4:8] >> 4) << 6)
    scales[:, 8:12] = (sc[:, 4:8] & 15) | ((m[:, 4:8] & 15) << 4)
    q = q.reshape(n, 4, 2, 32)
    qs = (q[:, :, 0, :] | (q[:, :, 1, :] << 4)).reshape(n, 128)
    out = np.concatenate([d.view(np.uint8).reshape(n, 2), dmin.view(np.uint8).reshape(n, 2), scales, qs], axis=1)
    return out.reshape(*x.shape[:-1], x.shape[-1] // QK_K * 144)


def random_blocks(qtype, rows, cols, rng):
    """Random bytes in `qtype`'s block layout with its f16 scale fields set to small finite values."""
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    n = rows * cols // block_size
    b = rng.integers(0, 256, size=(n, type_size), dtype=np.uint8)
    def f16(at):
        b[:, at:at + 2] = (rng.uniform(0.001, 0.02, n).astype(np.float16)).view(np.uint8).reshape(n, 2)
    if qtype == T.Q2_K:
        f16(80); f16(82)
    elif qtype == T.Q3_K:
        f16(108)
    elif qtype in (T.Q4_K, T.Q5_K):
        f16(0); f16(2)
    elif qtype == T.Q6_K:
        f16(208)
    else:
        f16(0)
        if qtype in (T.Q4_1, T.Q5_1):
            f16(2)
    return b.reshape(rows, cols // block_size * type_size)


def quantize(w, qtype, rng):
    """`w` (rows × cols) in `qtype`: gguf-py's quantizer where it has one, Q4_K ours, else random blocks."""
    if qtype == T.Q4_K:
        return quantize_q4_k(w)
    if qtype in (T.Q2_K, T.Q3_K, T.Q5_K, T.Q6_K, T.IQ2_XXS):
        return random_blocks(qtype, w.shape[0], w.shape[1], rng)
    if qtype == T.F64:
        return w.astype(np.float64)
    return gguf.quants.quantize(w.astype(np.float32), qtype)


def dequantize(data, qtype):
    """gguf-py's reference dequantization (float32)."""
    if qtype == T.F64:
        return np.asarray(data, dtype=np.float64)
    return gguf.quants.dequantize(np.asarray(data), qtype)
