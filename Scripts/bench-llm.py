#!/usr/bin/env python3
"""Llama-7B-shaped benchmark: `htsr analyze` against the numpy float64 floor, per block.

Generates (once, into .cache/llm/; never committed) a sharded BF16 checkpoint with the real
Hugging Face layout — `model-0000k-of-0000n.safetensors` shards and a
`model.safetensors.index.json` whose `weight_map` is written with sorted keys as transformers
writes it — of Llama-2-7B's shapes (hidden 4096, intermediate 11008, vocabulary 32000):
q, k, v, o 4096 × 4096; gate, up 11008 × 4096; down 4096 × 11008; two norms per block; with
--whole, 32 blocks plus embed_tokens and lm_head (32000 × 4096) and the final norm (13.5 GB,
two shards as the real one: at most 10 GB each). Entries are Gaussian (σ = 0.02) rounded to BF16.

Then, in the same run, on the same matrices:
  (a) the numpy floor: float64 Gram of the smaller side (`w.T @ w` / `w @ w.T`) + numpy.linalg.eigvalsh,
      per layer, loading and BF16 -> float64 conversion excluded; measured with numpy's own
      OpenBLAS threads and with one thread (multi-threaded OpenBLAS busy-waits and collapses
      when the machine is loaded), the floor being the faster of the two;
  (b) `htsr analyze` as a whole process (reading, conversion, spectra, fits, JSON), with its peak RSS.
Per block, (a) and (b) alternate `--repeat` times on block 0 (`--layers`, a whole-process run each);
best and median are printed with their ratio. Then one `htsr analyze` of the whole checkpoint
gives the whole-model time and peak RSS; its floor is numpy over every layer when --numpy-all
(default for up to 4 blocks), else numpy's block-0 time × blocks + the embeddings, measured once
(printed as extrapolated). Targets: per block htsr/numpy <= 0.8; peak RSS <= 2 x the largest
layer in float64 + 100 MB.

    Scripts/bench-llm [--blocks N | --whole] [--repeat R] [--threads T] [--numpy-all | --no-numpy-all] [--clean]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HIDDEN, INTERMEDIATE, VOCAB, BLOCKS_7B = 4096, 11008, 32000, 32


def model_tensors(blocks, whole):
    """(name, shape) in the model's own order (the order of its state_dict)."""
    out = []
    if whole:
        out.append(("model.embed_tokens.weight", (VOCAB, HIDDEN)))
    for i in range(blocks):
        p = f"model.layers.{i}."
        out += [(p + f"self_attn.{x}_proj.weight", (HIDDEN, HIDDEN)) for x in "qkvo"]
        out += [(p + "mlp.gate_proj.weight", (INTERMEDIATE, HIDDEN)), (p + "mlp.up_proj.weight", (INTERMEDIATE, HIDDEN)),
                (p + "mlp.down_proj.weight", (HIDDEN, INTERMEDIATE)),
                (p + "input_layernorm.weight", (HIDDEN,)), (p + "post_attention_layernorm.weight", (HIDDEN,))]
    if whole:
        out += [("model.norm.weight", (HIDDEN,)), ("lm_head.weight", (VOCAB, HIDDEN))]
    return out


def nbytes(shape):
    return int(np.prod(shape)) * 2


def to_bf16(x):
    """float32 -> bfloat16 bits, rounded to nearest even."""
    u = x.view(np.uint32)
    return ((u + (0x7FFF + ((u >> 16) & 1))) >> 16).astype(np.uint16)


def write_shard(path, tensors, rng):
    """One safetensors file, tensors stored in name order (as the safetensors library does)."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in sorted(tensors):
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + nbytes(shape)]}
        offset += nbytes(shape)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for name, shape in sorted(tensors):
            n = int(np.prod(shape))
            if len(shape) == 1:
                f.write(to_bf16(np.ones(n, dtype=np.float32)).tobytes())
                continue
            chunk = 1 << 24
            for start in range(0, n, chunk):
                x = rng.standard_normal(min(chunk, n - start), dtype=np.float32) * np.float32(0.02)
                f.write(to_bf16(x).tobytes())
    os.replace(path + ".tmp", path)


def generate(folder, blocks, whole, seed=7):
    """The checkpoint in `folder` (reused when complete)."""
    marker = os.path.join(folder, "bench-llm.json")
    config = {"blocks": blocks, "whole": whole, "seed": seed, "version": 1}
    if os.path.exists(marker) and json.load(open(marker)) == config:
        return
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    tensors = model_tensors(blocks, whole)
    total = sum(nbytes(s) for _, s in tensors)
    # Greedy sharding as transformers does it: 10 GB shards for the whole model (two, like
    # Llama-2-7b-hf); smaller models are split in two as well.
    limit = 10 * 10**9 if whole else total * 0.6
    shards, current, size = [], [], 0
    for t in tensors:
        if current and size + nbytes(t[1]) > limit:
            shards.append(current)
            current, size = [], 0
        current.append(t)
        size += nbytes(t[1])
    shards.append(current)
    rng = np.random.default_rng(seed)
    weight_map = {}
    print(f"bench-llm: generating {total / 1e9:.2f} GB into {folder} ({len(shards)} shards)", file=sys.stderr)
    for k, shard in enumerate(shards):
        name = f"model-{k + 1:05d}-of-{len(shards):05d}.safetensors"
        write_shard(os.path.join(folder, name), shard, rng)
        weight_map.update({t[0]: name for t in shard})
    with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
        f.write("\n")
    json.dump(config, open(marker, "w"))


class Checkpoint:
    """Reads tensors of the generated checkpoint as float64 (for the numpy floor)."""

    def __init__(self, folder):
        self.folder = folder
        index = json.load(open(os.path.join(folder, "model.safetensors.index.json")))
        self.where = index["weight_map"]
        self.headers = {}

    def header(self, shard):
        if shard not in self.headers:
            with open(os.path.join(self.folder, shard), "rb") as f:
                n = int.from_bytes(f.read(8), "little")
                self.headers[shard] = (json.loads(f.read(n)), 8 + n)
        return self.headers[shard]

    def float64(self, name):
        shard = self.where[name]
        header, base = self.header(shard)
        t = header[name]
        b, e = t["data_offsets"]
        with open(os.path.join(self.folder, shard), "rb") as f:
            f.seek(base + b)
            bits = np.frombuffer(f.read(e - b), dtype=np.uint16)
        return (bits.astype(np.uint32) << 16).view(np.float32).reshape(t["shape"]).astype(np.float64)


def numpy_seconds(ckpt, names):
    """Seconds of Gram + eigvalsh over `names` (loading excluded), one matrix in memory at a time."""
    total = 0.0
    for name in names:
        w = ckpt.float64(name)
        t0 = time.perf_counter()
        g = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
        np.linalg.eigvalsh(g)
        total += time.perf_counter() - t0
        del w, g
    return total


def numpy_floor(folder, names, threads):
    """numpy_seconds in a fresh process whose OpenBLAS has `threads` threads (None: its default)."""
    env = dict(os.environ)
    for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        env.pop(v, None)
        if threads:
            env[v] = str(threads)
    p = subprocess.run([sys.executable, __file__, "--numpy-floor", folder, ",".join(names)], env=env,
                       capture_output=True, text=True, check=True)
    return float(p.stdout)


def run_htsr(htsr, folder, threads, layers=None):
    """Wall seconds and peak RSS (bytes) of one whole `htsr analyze` process; the JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "a.json")
        cmd = [htsr, "analyze", folder, "--threads", str(threads), "--output", out, "--quiet"]
        if layers:
            cmd += ["--layers", layers]
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit(f"bench-llm: htsr failed ({p.returncode}): {p.stderr}")
        rss = int(p.stderr.strip().splitlines()[-1]) * 1024
        return seconds, rss, json.load(open(out))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--numpy-floor":
        print(numpy_seconds(Checkpoint(sys.argv[2]), sys.argv[3].split(",")))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--blocks", type=int, default=1)
    ap.add_argument("--whole", action="store_true", help="32 blocks + embeddings + lm_head (13.5 GB)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--numpy-all", action=argparse.BooleanOptionalAction, default=None)
    ap.add_argument("--clean", action="store_true", help="delete the generated checkpoint afterwards")
    args = ap.parse_args()
    blocks = BLOCKS_7B if args.whole else args.blocks
    if not 1 <= blocks <= BLOCKS_7B:
        sys.exit("bench-llm: --blocks must be between 1 and 32")
    numpy_all = args.numpy_all if args.numpy_all is not None else (blocks <= 4 and not args.whole)
    folder = os.path.join(ROOT, ".cache/llm", "llama7b-whole" if args.whole else f"llama7b-{blocks}block")
    generate(folder, blocks, args.whole)

    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "htsr"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    htsr = os.path.join(ROOT, ".build/release/htsr")
    doctor = subprocess.run([htsr, "doctor"], capture_output=True, text=True).stdout
    core = re.search(r"core:\s+(\S+)", doctor).group(1)
    load_before = os.getloadavg()
    names = [n for n, s in model_tensors(blocks, args.whole) if len(s) == 2]
    block0 = [n for n in names if n.startswith("model.layers.0.")]

    # Per block: block 0 alone; htsr, numpy (its threads) and numpy (one thread) alternating.
    t_htsr, t_numpy, t_numpy1, rss_block = [], [], [], 0
    for _ in range(args.repeat):
        s, rss, report = run_htsr(htsr, folder, args.threads, None if blocks == 1 and not args.whole else r"^model\.layers\.0\.")
        t_htsr.append(s)
        rss_block = max(rss_block, rss)
        t_numpy.append(numpy_floor(folder, block0, None))
        t_numpy1.append(numpy_floor(folder, block0, 1))
    assert sorted(l["name"] for l in report["layers"]) == sorted(block0), "htsr analysed other layers than block 0"
    floor_best = min(min(t_numpy), min(t_numpy1))
    floor_median = min(statistics.median(t_numpy), statistics.median(t_numpy1))

    largest = max(int(np.prod(s)) for n, s in model_tensors(blocks, args.whole) if len(s) == 2) * 8
    target_rss = 2 * largest + 100 * 2**20
    print(f"checkpoint: {folder} ({blocks} block(s){' + embeddings + lm_head' if args.whole else ''}, BF16)")
    print(f"machine: {os.cpu_count()} cores; OpenBLAS core {core}; htsr threads {args.threads}; "
          f"load average {load_before[0]:.2f} before the runs")
    print(f"per block (block 0: q, k, v, o, gate, up, down), {args.repeat} alternating runs:")
    print(f"  htsr analyze (whole process)      best {min(t_htsr):8.2f} s   median {statistics.median(t_htsr):8.2f} s")
    print(f"  numpy Gram + eigvalsh, its threads best {min(t_numpy):8.2f} s   median {statistics.median(t_numpy):8.2f} s")
    print(f"  numpy Gram + eigvalsh, one thread  best {min(t_numpy1):8.2f} s   median {statistics.median(t_numpy1):8.2f} s")
    print(f"  htsr / numpy floor = {min(t_htsr) / floor_best:.2f}x best, {statistics.median(t_htsr) / floor_median:.2f}x median"
          f" (target <= 0.8x)")
    print(f"  peak RSS {rss_block / 2**20:.0f} MB")

    # The whole checkpoint, once.
    if blocks > 1 or args.whole:
        s, rss, report = run_htsr(htsr, folder, args.threads)
        print(f"whole checkpoint: {len(report['layers'])} layers, htsr analyze {s:.1f} s ({s / 60:.1f} min), peak RSS {rss / 2**20:.0f} MB")
        threads = None if statistics.median(t_numpy) <= statistics.median(t_numpy1) else 1
        if numpy_all:
            floor = numpy_floor(folder, names, threads)
            print(f"  numpy floor over every layer {floor:.1f} s: htsr / numpy = {s / floor:.2f}x")
        else:
            extra = [n for n in names if not n.startswith("model.layers.")]
            floor = floor_median * blocks + (numpy_floor(folder, extra, threads) if extra else 0)
            print(f"  numpy floor extrapolated (block-0 median x {blocks} + embeddings measured once) {floor:.1f} s:"
                  f" htsr / numpy = {s / floor:.2f}x")
        rss_block = max(rss_block, rss)
    print(f"peak RSS {rss_block / 2**20:.0f} MB; target <= {target_rss / 2**20:.0f} MB "
          f"(2 x largest layer {largest / 2**20:.0f} MB in float64 + 100 MB)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.clean:
        shutil.rmtree(folder)


if __name__ == "__main__":
    sys.exit(main())
