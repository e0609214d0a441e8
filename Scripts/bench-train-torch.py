#!/usr/bin/env python3
"""PyTorch reference for Scripts/bench-train: the same MLP (Linear+ReLU layers, PyTorch default
init), SGD momentum 0.9, one fixed random batch; times zero_grad + forward + cross-entropy +
backward + step on the CPU with the given threads. Prints one JSON line.

Needs torch (not part of set-up or CI): Scripts/bench-train installs it into .cache/venv (Scripts/python-env).
"""
import argparse, json, time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--hidden", default="256,256,256,256")
p.add_argument("--inputs", type=int, default=784)
p.add_argument("--classes", type=int, default=10)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--steps", type=int, default=300)
p.add_argument("--warmup", type=int, default=30)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
widths = [a.inputs] + [int(h) for h in a.hidden.split(",")] + [a.classes]
layers = []
for i in range(len(widths) - 1):
    layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
    if i < len(widths) - 2:
        layers.append(torch.nn.ReLU())
model = torch.nn.Sequential(*layers)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = torch.rand(a.batch, a.inputs)
y = torch.randint(0, a.classes, (a.batch,))


def step():
    opt.zero_grad(set_to_none=False)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(a.warmup):
    step()
t0 = time.perf_counter()
for _ in range(a.steps):
    last = step()
seconds = time.perf_counter() - t0
print(json.dumps({"impl": "torch " + torch.__version__, "batch": a.batch, "threads": a.threads, "steps": a.steps,
                  "seconds": seconds, "examples_per_second": a.steps * a.batch / seconds, "loss": last}))
