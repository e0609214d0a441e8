#!/usr/bin/env python3
"""Writes the GGUF fixtures (fixtures/formats/gguf/) with the `gguf` package (gguf-py), and the
reference values from gguf-py's own dequantizers.

    PY=$(Scripts/python-env numpy gguf); "$PY" Scripts/make-gguf-fixtures.py

Files:
  types.gguf          GGUF v3, architecture 'llama' (block_count 4, context_length 2048, a
                      token list): one 8 x 256 matrix per dequantized type (Q8_0, Q4_0, Q4_1,
                      Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) and 8 x 32 plain ones (F32, F16,
                      BF16, F64), named blk.N.*, plus an IQ2_XXS matrix (no dequantizer: skipped
                      by name), an I32 matrix and a 1-D norm.
  types-v2.gguf       the same file as GGUF version 2 (same layout for these fields).
  types.expected.bin  every dequantized matrix of types.gguf, float64 little-endian, in the
                      order of types.expected.json (name, type, shape).
"""
import json
import pathlib
import shutil
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from ggufwrite import quantize, dequantize  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "formats" / "gguf"
QUANTS = [T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K]
PLAIN = [T.F32, T.F16, T.BF16, T.F64]


def main():
    if ROOT.exists():
        shutil.rmtree(ROOT)
    ROOT.mkdir(parents=True)
    rng = np.random.default_rng(7)
    writer = gguf.GGUFWriter(str(ROOT / "types.gguf"), arch="llama")
    writer.add_block_count(4)
    writer.add_context_length(2048)
    writer.add_token_list(["<s>", "</s>", "hello", "world"])
    writer.add_array("htsr.nested", [[1, 2], [3, 4, 5]])
    expected, blobs = [], []
    for i, qtype in enumerate(QUANTS + PLAIN):
        cols = 256 if qtype in QUANTS else 32
        w = (rng.standard_normal((8, cols)) * 0.05).astype(np.float32)
        data = quantize(w, qtype, rng)
        name = f"blk.{i // 4}.ffn_{qtype.name.lower()}.weight"
        if qtype in (T.F32, T.F64):
            writer.add_tensor(name, data)
        elif qtype == T.F16:
            writer.add_tensor(name, w.astype(np.float16))
            data = w.astype(np.float16)
        else:
            writer.add_tensor(name, data, raw_shape=data.shape, raw_dtype=qtype)
        values = w.astype(np.float16).astype(np.float64) if qtype == T.F16 else dequantize(data, qtype).astype(np.float64)
        assert values.shape == (8, cols), (qtype, values.shape)
        assert np.all(np.isfinite(values)), qtype
        expected.append({"name": name, "type": qtype.name, "shape": [8, cols]})
        blobs.append(values.reshape(-1))
    writer.add_tensor("blk.3.attn_norm.weight", np.ones(32, dtype=np.float32))
    iq = quantize(np.zeros((8, 256), dtype=np.float32), T.IQ2_XXS, rng)
    writer.add_tensor("blk.3.ffn_iq2_xxs.weight", iq, raw_shape=iq.shape, raw_dtype=T.IQ2_XXS)
    writer.add_tensor("blk.3.ffn_i32.weight", np.arange(64, dtype=np.int32).reshape(8, 8))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    raw = bytearray((ROOT / "types.gguf").read_bytes())
    raw[4:8] = (2).to_bytes(4, "little")
    (ROOT / "types-v2.gguf").write_bytes(bytes(raw))
    np.concatenate(blobs).astype("<f8").tofile(ROOT / "types.expected.bin")
    (ROOT / "types.expected.json").write_text(json.dumps({"gguf": "0.19.0", "tensors": expected}, indent=1) + "\n")
    print("wrote", ROOT)


if __name__ == "__main__":
    main()
