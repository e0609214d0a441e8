#!/usr/bin/env python3
"""PyTorch reference for Scripts/bench-finetune: the same BERT classifier (Hugging Face's
BertForSequenceClassification written with torch.nn, eager, float32, dropout on), loaded from the
same MiniLM weights, one fixed batch of random token ids (every position unmasked); times
zero_grad + forward + cross-entropy + backward + clip_grad_norm_(1) + AdamW (weight decay 0.1 on
matrices, foreach) on the CPU with the given threads. Prints one JSON line (wall-clock and
per-CPU-second throughput, peak RSS).

--attention eager: scores = QKᵀ/√d + mask, softmax, dropout, ·V (BertSelfAttention);
--attention sdpa: F.scaled_dot_product_attention (BertSdpaSelfAttention, Hugging Face's default).
"""
import argparse
import json
import math
import os
import resource
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("model_dir")
p.add_argument("--batch", type=int, default=16)
p.add_argument("--length", type=int, default=128)
p.add_argument("--classes", type=int, default=8)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--steps", type=int, default=5)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--attention", choices=["eager", "sdpa"], default="eager")
p.add_argument("--no-dropout", action="store_true")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
cfg = json.load(open(os.path.join(a.model_dir, "config.json")))
C, NH, L, FF = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"], cfg["intermediate_size"]
HS, EPS = C // NH, cfg["layer_norm_eps"]
PD = 0.0 if a.no_dropout else cfg["hidden_dropout_prob"]
AD = 0.0 if a.no_dropout else cfg["attention_probs_dropout_prob"]


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(C, C), nn.Linear(C, C), nn.Linear(C, C)
        self.attention_output = nn.Linear(C, C)
        self.attention_norm = nn.LayerNorm(C, eps=EPS)
        self.intermediate = nn.Linear(C, FF)
        self.output = nn.Linear(FF, C)
        self.output_norm = nn.LayerNorm(C, eps=EPS)
        self.drop = nn.Dropout(PD)
        self.attention_drop = nn.Dropout(AD)

    def forward(self, x, ext):
        B, T, _ = x.shape
        def heads(t):
            return t.view(B, T, NH, HS).transpose(1, 2)
        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        if a.attention == "sdpa":
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=ext, dropout_p=AD if self.training else 0.0)
        else:
            s = q @ k.transpose(-1, -2) / math.sqrt(HS) + ext
            ctx = self.attention_drop(s.softmax(-1)) @ v
        ctx = ctx.transpose(1, 2).reshape(B, T, C)
        h = self.attention_norm(self.drop(self.attention_output(ctx)) + x)
        return self.output_norm(self.drop(self.output(F.gelu(self.intermediate(h)))) + h)


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.word = nn.Embedding(cfg["vocab_size"], C)
        self.position = nn.Embedding(cfg["max_position_embeddings"], C)
        self.token_type = nn.Embedding(cfg["type_vocab_size"], C)
        self.norm = nn.LayerNorm(C, eps=EPS)
        self.layers = nn.ModuleList([Layer() for _ in range(L)])
        self.pooler = nn.Linear(C, C)
        self.drop = nn.Dropout(PD)
        self.classifier = nn.Linear(C, a.classes)

    def forward(self, ids, types, mask):
        T = ids.shape[1]
        x = self.drop(self.norm(self.word(ids) + self.position.weight[:T][None] + self.token_type(types)))
        ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, ext)
        return self.classifier(self.drop(torch.tanh(self.pooler(x[:, 0]))))


def load(model):
    with open(os.path.join(a.model_dir, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    def t(name):
        h = header.get(name) or header["bert." + name]
        b, e = h["data_offsets"]
        return torch.from_numpy(np.frombuffer(data[b:e], dtype=np.float32).reshape(h["shape"]).copy())
    sd = {"word.weight": t("embeddings.word_embeddings.weight"), "position.weight": t("embeddings.position_embeddings.weight"),
          "token_type.weight": t("embeddings.token_type_embeddings.weight"), "norm.weight": t("embeddings.LayerNorm.weight"),
          "norm.bias": t("embeddings.LayerNorm.bias"), "pooler.weight": t("pooler.dense.weight"), "pooler.bias": t("pooler.dense.bias")}
    names = {"query": "attention.self.query", "key": "attention.self.key", "value": "attention.self.value",
             "attention_output": "attention.output.dense", "attention_norm": "attention.output.LayerNorm",
             "intermediate": "intermediate.dense", "output": "output.dense", "output_norm": "output.LayerNorm"}
    for l in range(L):
        for ours, theirs in names.items():
            for kind in ["weight", "bias"]:
                sd[f"layers.{l}.{ours}.{kind}"] = t(f"encoder.layer.{l}.{theirs}.{kind}")
    missing = model.load_state_dict(sd, strict=False).missing_keys
    assert missing == ["classifier.weight", "classifier.bias"], missing
    nn.init.normal_(model.classifier.weight, 0, cfg.get("initializer_range", 0.02))
    nn.init.zeros_(model.classifier.bias)


model = Bert()
t0 = time.perf_counter()
load(model)
load_seconds = time.perf_counter() - t0
model.train()
decay = [q for n, q in model.named_parameters() if q.ndim >= 2]
no_decay = [q for n, q in model.named_parameters() if q.ndim < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=3e-5)
g = torch.Generator().manual_seed(0)
ids = torch.randint(1000, 21000, (a.batch, a.length), generator=g)
ids[:, 0] = 101
types = torch.zeros_like(ids)
mask = torch.ones_like(ids)
labels = torch.randint(0, a.classes, (a.batch,), generator=g)


def step():
    opt.zero_grad(set_to_none=False)
    loss = F.cross_entropy(model(ids, types, mask), labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


for _ in range(a.warmup):
    step()
times = []
cpu0 = time.process_time()
for _ in range(a.steps):
    t0 = time.perf_counter()
    last = step()
    times.append(time.perf_counter() - t0)
seconds = sum(times)
cpu = time.process_time() - cpu0
print(json.dumps({"impl": f"torch {torch.__version__} {a.attention}", "batch": a.batch, "length": a.length, "threads": a.threads,
                  "steps": a.steps, "dropout": not a.no_dropout, "seconds": seconds, "sequences_per_second": a.steps * a.batch / seconds,
                  "best_step_sequences_per_second": a.batch / min(times), "cpu_seconds": cpu,
                  "sequences_per_cpu_second": a.steps * a.batch / cpu, "loss": last, "load_seconds": load_seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
