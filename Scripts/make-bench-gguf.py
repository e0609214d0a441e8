#!/usr/bin/env python3
"""Writes a generated GGUF model and the same weights in safetensors, for Scripts/bench-formats
(into .cache/formats/bench/, never committed):

  model.gguf          BLOCKS transformer blocks of width HIDDEN (attn_q/k/v/output in Q8_0,
                      ffn_up / ffn_gate / ffn_down in Q4_K) with Gaussian weights, token_embd Q8_0
  model.safetensors   every tensor of model.gguf dequantized by gguf-py, in F32 (exact: every
                      dequantized value is a float32), under the same names

    PY=$(Scripts/python-env numpy gguf); "$PY" Scripts/make-bench-gguf.py [BLOCKS [HIDDEN [FFN]]]
"""
import json
import pathlib
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from ggufwrite import quantize, dequantize  # noqa: E402

OUT = HERE.parent / ".cache/formats/bench"


def main():
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    hidden = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    ffn = int(sys.argv[3]) if len(sys.argv) > 3 else 4096
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    shapes = [("token_embd.weight", (32000, hidden), T.Q8_0)]
    for b in range(blocks):
        for n in ["attn_q", "attn_k", "attn_v", "attn_output"]:
            shapes.append((f"blk.{b}.{n}.weight", (hidden, hidden), T.Q8_0))
        shapes += [(f"blk.{b}.ffn_up.weight", (ffn, hidden), T.Q4_K), (f"blk.{b}.ffn_gate.weight", (ffn, hidden), T.Q4_K),
                   (f"blk.{b}.ffn_down.weight", (hidden, ffn), T.Q4_K)]
    w = gguf.GGUFWriter(str(OUT / "model.gguf.tmp"), arch="llama")
    w.add_block_count(blocks)
    w.add_context_length(4096)
    header, offset, blobs = {}, 0, []
    st = open(OUT / "model.safetensors.data.tmp", "wb")
    for name, shape, qtype in shapes:
        x = (rng.standard_normal(shape, dtype=np.float32) * 0.02)
        data = quantize(x, qtype, rng)
        w.add_tensor(name, data, raw_shape=data.shape, raw_dtype=qtype)
        values = dequantize(data, qtype).astype("<f4")
        b = values.tobytes()
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + len(b)]}
        st.write(b)
        offset += len(b)
    st.close()
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(OUT / "model.safetensors.tmp", "wb") as f, open(OUT / "model.safetensors.data.tmp", "rb") as d:
        f.write(len(text).to_bytes(8, "little") + text)
        while chunk := d.read(1 << 24):
            f.write(chunk)
    (OUT / "model.safetensors.data.tmp").unlink()
    (OUT / "model.gguf.tmp").replace(OUT / "model.gguf")
    (OUT / "model.safetensors.tmp").replace(OUT / "model.safetensors")
    print(f"wrote {OUT}: model.gguf {(OUT / 'model.gguf').stat().st_size / 1e9:.2f} GB, "
          f"model.safetensors {(OUT / 'model.safetensors').stat().st_size / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
