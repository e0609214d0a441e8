#!/usr/bin/env python3
"""Writes quantized safetensors fixtures (fixtures/formats/quantized/) with numpy, and the
matrices they stand for (float64, computed here independently of htsr):

  float.safetensors  the float model: model.layers.0.{q_proj,k_proj,mlp}.weight (16 x 64), biases
  int8.safetensors   q_proj as qweight (I8) + scales (F32, per row); k_proj as weight (I8) +
                     weight_scale (F16, (16, 1)); mlp.weight left in float
  bnb.safetensors    bitsandbytes LLM.int8: weight (I8) + SCB (F32) + weight_format (U8)
  gptq.safetensors   4-bit GPTQ, group size 32: qweight (I32, (8, 16)), scales (F16, (2, 16)),
                     qzeros (I32, (2, 2)), g_idx (I32, (64)) with an act-order permutation
  expected.bin / expected.json   per file and weight: the dequantized (out, in) matrix, then
                     the raw integer matrix, float64 little-endian, in the order of the JSON.

    PY=$(Scripts/python-env numpy); "$PY" Scripts/make-quantized-fixtures.py
"""
import json
import pathlib
import shutil

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "formats" / "quantized"
NAMES = {np.dtype("f4"): "F32", np.dtype("f2"): "F16", np.dtype("i1"): "I8", np.dtype("i4"): "I32", np.dtype("u1"): "U8"}


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": NAMES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def main():
    if ROOT.exists():
        shutil.rmtree(ROOT)
    ROOT.mkdir(parents=True)
    rng = np.random.default_rng(11)
    out_f, in_f = 16, 64
    W = {k: (rng.standard_normal((out_f, in_f)) * 0.1).astype(np.float32) for k in ["q_proj", "k_proj", "mlp"]}
    p = "model.layers.0."
    write_safetensors(ROOT / "float.safetensors", {**{p + k + ".weight": w for k, w in W.items()},
                                                    p + "q_proj.bias": np.zeros(out_f, np.float32)})
    expected, blobs = [], []

    def record(file, name, scheme, deq, raw):
        expected.append({"file": file, "name": name, "quantization": scheme, "shape": list(deq.shape)})
        blobs.extend([deq.astype(np.float64).ravel(), raw.astype(np.float64).ravel()])

    # int8 per output channel.
    s_q = (np.abs(W["q_proj"]).max(axis=1) / 127).astype(np.float32)
    q_q = np.rint(W["q_proj"] / s_q[:, None]).clip(-127, 127).astype(np.int8)
    s_k = (np.abs(W["k_proj"]).max(axis=1, keepdims=True) / 127).astype(np.float16)
    q_k = np.rint(W["k_proj"] / s_k.astype(np.float32)).clip(-127, 127).astype(np.int8)
    write_safetensors(ROOT / "int8.safetensors", {p + "q_proj.qweight": q_q, p + "q_proj.scales": s_q,
                                                   p + "k_proj.weight": q_k, p + "k_proj.weight_scale": s_k,
                                                   p + "mlp.weight": W["mlp"]})
    record("int8.safetensors", p + "q_proj.weight", "int8-per-channel", q_q * s_q.astype(np.float64)[:, None], q_q)
    record("int8.safetensors", p + "k_proj.weight", "int8-per-channel", q_k * s_k.astype(np.float64), q_k)

    # bitsandbytes int8: W = CB * SCB / 127.
    bnb = {}
    for k in ["q_proj", "k_proj", "mlp"]:
        scb = np.abs(W[k]).max(axis=1).astype(np.float32)
        cb = np.rint(W[k] * 127 / scb[:, None]).astype(np.int8)
        bnb.update({p + k + ".weight": cb, p + k + ".SCB": scb, p + k + ".weight_format": np.zeros(1, np.uint8)})
        record("bnb.safetensors", p + k + ".weight", "bnb-int8", cb.astype(np.float64) * scb.astype(np.float64)[:, None] / 127, cb)
    write_safetensors(ROOT / "bnb.safetensors", bnb)

    # GPTQ 4-bit, group 32, act order (g_idx a permutation of the groups).
    gptq = {}
    for k in ["q_proj", "k_proj", "mlp"]:
        w = W[k].astype(np.float64)                                  # (out, in)
        g_idx = (np.arange(in_f) // 32)[rng.permutation(in_f)].astype(np.int32)
        scales = np.zeros((2, out_f), np.float16)
        zeros = np.zeros((2, out_f), np.int64)
        q = np.zeros((in_f, out_f), np.int64)                        # (in, out)
        for g in range(2):
            cols = g_idx == g
            lo, hi = w[:, cols].min(axis=1), w[:, cols].max(axis=1)
            scales[g] = ((hi - lo) / 15).astype(np.float16)
            s = scales[g].astype(np.float64)
            zeros[g] = np.rint(-lo / s).clip(1, 15)
            q[cols] = (np.rint(w[:, cols] / s[:, None]).T + zeros[g]).clip(0, 15)
        packed = np.zeros((in_f // 8, out_f), np.uint32)
        for i in range(in_f):
            packed[i // 8] |= (q[i].astype(np.uint32) << np.uint32(4 * (i % 8)))
        qz = np.zeros((2, out_f // 8), np.uint32)
        for o in range(out_f):
            qz[:, o // 8] |= ((zeros[:, o] - 1).astype(np.uint32) << np.uint32(4 * (o % 8)))
        gptq.update({p + k + ".qweight": packed.view(np.int32), p + k + ".scales": scales,
                     p + k + ".qzeros": qz.view(np.int32), p + k + ".g_idx": g_idx,
                     p + k + ".bias": np.zeros(out_f, np.float16)})
        deq = np.zeros((out_f, in_f))
        for i in range(in_f):
            g = g_idx[i]
            deq[:, i] = scales[g].astype(np.float64) * (q[i] - zeros[g])
        record("gptq.safetensors", p + k + ".weight", "gptq-4bit-g32", deq, q.T)
    write_safetensors(ROOT / "gptq.safetensors", gptq)

    np.concatenate(blobs).astype("<f8").tofile(ROOT / "expected.bin")
    (ROOT / "expected.json").write_text(json.dumps({"weights": expected}, indent=1) + "\n")
    print("wrote", ROOT)


if __name__ == "__main__":
    main()
