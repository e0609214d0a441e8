#!/usr/bin/env python3
"""Reference values from WeightWatcher 0.7.7 itself, for htsr's metric tests.

    Scripts/reference-weightwatcher.py [--minilm MODEL.safetensors] [--time] [--out FILE.json]

Writes (default fixtures/metrics/weightwatcher-reference.json):
  synthetic: for the matrices of SYNTHETIC (generated bit-identically by the Swift tests from
             SplitMix64, see `synthetic_matrix`), WeightWatcher's columns with mp_fit=True, and
             with fix_fingers='clip_xmax'; plus sum and sum of squares of each matrix so the tests
             can check they built the same matrix;
  minilm:    the same for every layer of all-MiniLM-L6-v2 (when --minilm is given), and with
             --time the wall time of WeightWatcher on it with mp_fit, randomize and clip_xmax.
For every layer with Q > 1 also `mp_objective`: WeightWatcher's own objective (`resid_mp`) at its
sigma_mp, so the tests can check that htsr's sigma_mp scores at least as well on that objective.
For the synthetic matrices `tpl_status`: what WeightWatcher's fit='TPL' gives (it fails with
powerlaw 2.0.0).

NOT part of Scripts/setup or CI. It needs WeightWatcher and its dependencies, e.g. in a venv:

    python3 -m venv --system-site-packages /tmp/wwenv
    /tmp/wwenv/bin/pip install pandas matplotlib powerlaw scikit-learn safetensors tqdm
    /tmp/wwenv/bin/pip install --no-deps weightwatcher==0.7.7
    /tmp/wwenv/bin/python Scripts/reference-weightwatcher.py --minilm .cache/minilm/.../model.safetensors

WeightWatcher 0.7.7 references `torch.Tensor` when given a dict of numpy arrays even though it
never needs torch for them; without torch installed that is a NameError, so the script gives its
module a `torch` namespace whose `Tensor` class no array is an instance of. Nothing else of
WeightWatcher is changed. Its randomisation is unseeded; numpy's global seed is fixed here so the
file is reproducible (htsr's shuffles differ anyway, so randomised values are compared only
statistically).
"""
import argparse
import json
import logging
import math
import os
import sys
import time
import types

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MASK = (1 << 64) - 1

# name: (rows, cols, seed, spikes)
SYNTHETIC = {
    "uniform_q1": (128, 128, 11, 0),
    "uniform_q2": (256, 128, 12, 0),
    "uniform_q4": (512, 128, 13, 0),
    "spiked_q3_k4": (384, 128, 14, 4),
}


class SplitMix64:
    """The generator of Sources/Spectrum/Randomization.swift (and the Swift test helpers)."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        """[0, 1) with 53 random bits."""
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)


def synthetic_matrix(rows, cols, seed, spikes):
    """Entries uniform on [-√3, √3) (variance 1), row-major, then `spikes` rank-one terms
    θ_k·u_k·v_kᵀ with unit u, v (entries uniform on [-1, 1) normalised) and
    θ_k = (3 + k)·(√rows + √cols). Only +, −, ×, ÷ and √ are used, so Swift builds the same bits."""
    g = SplitMix64(seed)
    r3 = math.sqrt(3.0)
    w = [(2.0 * g.uniform() - 1.0) * r3 for _ in range(rows * cols)]
    edge = math.sqrt(rows) + math.sqrt(cols)
    for k in range(spikes):
        u = [2.0 * g.uniform() - 1.0 for _ in range(rows)]
        v = [2.0 * g.uniform() - 1.0 for _ in range(cols)]
        nu = math.sqrt(sum(x * x for x in u))
        nv = math.sqrt(sum(x * x for x in v))
        theta = (3.0 + k) * edge
        for i in range(rows):
            a = theta * (u[i] / nu)
            base = i * cols
            for j in range(cols):
                w[base + j] += a * (v[j] / nv)
    return np.array(w, dtype=np.float64).reshape(rows, cols)


COLUMNS = ["alpha", "D", "xmin", "xmax", "sigma", "num_pl_spikes", "norm", "log_norm", "spectral_norm",
           "log_spectral_norm", "alpha_weighted", "log_alpha_norm", "stable_rank", "matrix_rank", "entropy",
           "sv_max", "sv_min", "rank_loss", "weak_rank_loss", "lambda_max", "num_evals", "N", "M",
           "num_spikes", "sigma_mp", "mp_softrank", "W_scale", "bulk_max", "bulk_min",
           "num_fingers", "raw_alpha", "status", "warning"]


def weightwatcher():
    import weightwatcher as ww
    from weightwatcher import weightwatcher as wwm
    wwm.torch = types.SimpleNamespace(Tensor=type("NoTorchTensor", (), {}))
    logging.getLogger("weightwatcher").setLevel(logging.ERROR)
    return ww


def rows_of(details):
    out = {}
    for _, r in details.iterrows():
        row = {}
        for c in COLUMNS:
            if c in r and r[c] is not None:
                v = r[c]
                if isinstance(v, (np.integer,)):
                    v = int(v)
                elif isinstance(v, (np.floating, float)):
                    v = None if not np.isfinite(v) else float(v)
                elif isinstance(v, (np.bool_,)):
                    v = bool(v)
                row[c] = v
        out[str(r["name"]) + ".weight"] = row
    return out


def mp_objective(w, sigma):
    """WeightWatcher's MP objective (resid_mp) at sigma for the matrix w (Q > 1 only)."""
    from weightwatcher.RMT_Util import resid_mp
    m = w if w.shape[0] >= w.shape[1] else w.T
    evals = np.linalg.svd(m, compute_uv=False) ** 2
    q = m.shape[0] / m.shape[1]
    scaled = evals * len(evals) / evals.sum()
    return float(resid_mp(sigma, scaled, q, 0.1, False))


def analyse(ww, model):
    """mp_fit (and the default PL fit), then clip_xmax, merged per layer (fingers_ prefix)."""
    np.random.seed(0)
    watcher = ww.WeightWatcher(model=model)
    base = rows_of(watcher.analyze(mp_fit=True))
    for name, row in base.items():
        w = model[name]
        if w.ndim == 2 and w.shape[0] != w.shape[1] and row.get("sigma_mp") not in (None, -1):
            row["mp_objective"] = mp_objective(w, row["sigma_mp"])
    fingers = rows_of(ww.WeightWatcher(model=model).analyze(fix_fingers="clip_xmax"))
    for name, row in fingers.items():
        for k in ("alpha", "D", "xmin", "xmax", "num_pl_spikes", "num_fingers", "raw_alpha"):
            if k in row:
                base[name]["fingers_" + k] = row[k]
    return base


def time_weightwatcher(model_path):
    """Seconds WeightWatcher takes on a safetensors file with mp_fit, randomize and clip_xmax
    (reading included, as htsr's timing includes it)."""
    from safetensors.numpy import load_file
    ww = weightwatcher()
    np.random.seed(0)
    start = time.perf_counter()
    tensors = {k: v.astype(np.float64) for k, v in load_file(model_path).items()}
    ww.WeightWatcher(model=tensors).analyze(mp_fit=True, randomize=True, fix_fingers="clip_xmax")
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minilm")
    ap.add_argument("--time", action="store_true", help="also time WeightWatcher on MiniLM with every option")
    ap.add_argument("--out", default=os.path.join(ROOT, "fixtures/metrics/weightwatcher-reference.json"))
    args = ap.parse_args()
    ww = weightwatcher()
    result = {"weightwatcher": ww.__version__, "synthetic": {}, "minilm": None}
    for name, (rows, cols, seed, spikes) in SYNTHETIC.items():
        w = synthetic_matrix(rows, cols, seed, spikes)
        values = analyse(ww, {name + ".weight": w})[name + ".weight"]
        values["shape"] = [rows, cols]
        values["seed"] = seed
        values["spikes"] = spikes
        values["sum"] = float(w.sum())
        values["sum_of_squares"] = float((w * w).sum())
        tpl = ww.WeightWatcher(model={name + ".weight": w}).analyze(fit="TPL", pl_package="powerlaw")
        values["tpl_status"] = str(tpl["status"][0])
        values["tpl_alpha"] = float(tpl["alpha"][0])
        result["synthetic"][name] = values
        print(f"{name}: sigma_mp {values.get('sigma_mp')}, num_spikes {values.get('num_spikes')}, alpha {values.get('alpha')}",
              file=sys.stderr)
    if args.minilm:
        from safetensors.numpy import load_file
        tensors = {k: v.astype(np.float64) for k, v in load_file(args.minilm).items()}
        layers = analyse(ww, tensors)
        result["minilm"] = {"layers": layers}
        if args.time:
            seconds = time_weightwatcher(args.minilm)
            result["minilm"]["seconds_mp_fit_randomize_clip_xmax"] = seconds
            print(f"minilm: WeightWatcher with mp_fit, randomize, clip_xmax: {seconds:.1f} s", file=sys.stderr)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out + ".tmp", "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    sys.exit(main())
