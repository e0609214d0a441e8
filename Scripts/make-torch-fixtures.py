#!/usr/bin/env python3
"""Writes the PyTorch checkpoint fixtures (fixtures/formats/torch/) with real torch.save, and
fixtures/formats/torch/expected.json: every tensor's name, dtype, shape and row-major values (as
exact decimal strings).

    PY=$(Scripts/python-env torch numpy); "$PY" Scripts/make-torch-fixtures.py

Files:
  state_dict.bin     OrderedDict of F32, F64, F16, BF16, I64, I8, U8, BOOL tensors, a transposed
                     (non-contiguous) view, two views of one shared storage (one at an offset),
                     an every-other-column view, and a 0-element tensor.
  checkpoint.pt      {'epoch', 'model': state dict, 'optimizer': {...}}: the reader takes 'model'.
  nested.pth         {'state_dict': state dict, 'config': {...}}.
  sharded/           pytorch_model-0000{1,2}-of-00002.bin + pytorch_model.bin.index.json.
  hf-bin/            a Hugging Face folder holding only pytorch_model.bin (and config.json).
  legacy.pt          the pre-1.6 format (_use_new_zipfile_serialization=False): must be refused.
"""
import collections
import json
import pathlib
import shutil

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "formats" / "torch"
NAMES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
         torch.int64: "I64", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


def state_dict():
    g = torch.Generator().manual_seed(13)
    sd = collections.OrderedDict()
    sd["encoder.layer.0.dense.weight"] = torch.randn(16, 12, generator=g)
    sd["encoder.layer.0.dense.bias"] = torch.randn(16, generator=g)
    sd["encoder.layer.1.dense.weight"] = torch.randn(12, 10, generator=g, dtype=torch.float64)
    sd["encoder.layer.1.half.weight"] = torch.randn(10, 9, generator=g).half()
    sd["encoder.layer.1.bf16.weight"] = torch.randn(9, 11, generator=g).bfloat16()
    base = torch.randn(12, 16, generator=g)
    sd["decoder.transposed.weight"] = base.t()                  # strides (1, 16): not contiguous
    shared = torch.randn(200, generator=g)
    sd["shared.first.weight"] = shared[:96].view(12, 8)         # one storage ...
    sd["shared.second.weight"] = shared[104:200].view(8, 12)    # ... viewed at offset 104
    wide = torch.randn(10, 20, generator=g)
    sd["strided.every_other.weight"] = wide[:, ::2]             # strides (20, 2)
    sd["embeddings.position_ids"] = torch.arange(7).unsqueeze(0)
    sd["quant.int8"] = torch.tensor([[-128, -1, 0], [1, 2, 127]], dtype=torch.int8)
    sd["quant.uint8"] = torch.tensor([0, 7, 255], dtype=torch.uint8)
    sd["mask"] = torch.tensor([[True, False], [False, True]])
    sd["empty"] = torch.zeros(0, 4)
    return sd


def expected(sd):
    out = []
    for name, t in sd.items():
        values = [repr(v) for v in t.to(torch.float64).reshape(-1).tolist()]
        out.append({"name": name, "dtype": NAMES[t.dtype], "shape": list(t.shape), "values": values})
    return out


def main():
    if ROOT.exists():
        shutil.rmtree(ROOT)
    ROOT.mkdir(parents=True)
    sd = state_dict()
    torch.save(sd, ROOT / "state_dict.bin")
    torch.save({"epoch": 3, "model": sd, "optimizer": {"lr": 0.1, "state": {0: {"exp_avg": torch.ones(3)}}}},
               ROOT / "checkpoint.pt")
    torch.save({"state_dict": sd, "config": {"hidden": 16, "names": ["a", "b"]}}, ROOT / "nested.pth")

    # A sharded checkpoint: the first five tensors in shard 1, the rest in shard 2.
    (ROOT / "sharded").mkdir()
    names = list(sd.keys())
    shards = [names[:5], names[5:]]
    weight_map = {}
    for i, part in enumerate(shards):
        file = f"pytorch_model-{i + 1:05d}-of-00002.bin"
        torch.save(collections.OrderedDict((n, sd[n]) for n in part), ROOT / "sharded" / file)
        weight_map.update({n: file for n in part})
    index = {"metadata": {"total_size": 0}, "weight_map": weight_map}
    (ROOT / "sharded" / "pytorch_model.bin.index.json").write_text(json.dumps(index, indent=2) + "\n")

    (ROOT / "hf-bin").mkdir()
    torch.save(sd, ROOT / "hf-bin" / "pytorch_model.bin")
    (ROOT / "hf-bin" / "config.json").write_text('{"model_type": "bert"}\n')

    torch.save({"w": torch.ones(2, 2)}, ROOT / "legacy.pt", _use_new_zipfile_serialization=False)

    doc = {"torch": torch.__version__, "tensors": expected(sd)}
    (ROOT / "expected.json").write_text(json.dumps(doc) + "\n")
    print("wrote", ROOT)


if __name__ == "__main__":
    main()
