#!/usr/bin/env python3
"""Writes fixtures/golden/mlp.safetensors: PyTorch's reference for htsr's MLP and optimizers
(llm.c's golden test; read by Tests/TrainTests/MLPGoldenTests.swift).

    PY=$(Scripts/python-env torch numpy); "$PY" Scripts/make-mlp-golden.py

The model is htsr's MLP (Sources/Train/Models/MLP.swift) with the same parameter names and order:
fc1 … fc{L+1} (nn.Linear), optional ln{i} (nn.LayerNorm, eps 1e-5) after each hidden Linear, the
activation (ReLU, or exact-erf GELU), the head, and F.cross_entropy (mean). Two models, "relu"
(no LayerNorm) and "gelu_ln" (GELU + LayerNorm, γ and β perturbed from 1 and 0 so a swapped pair
shows), initialised by PyTorch's defaults from torch.manual_seed(0), on one fixed batch (x ~ N(0, 1)
[B, I], y uniform in 0..<C).

Tensors (float32 unless noted; per model M):
  x [B, I], y [B] (int64)
  M.init.<param>              the initial weights
  M.logits [B, C], M.loss [1] the forward pass on the batch
  M.grad.<param>              the gradient of the mean loss
  M.multipliers [K]           the per-tensor learning-rate multipliers m_k (layout order)
  M.<run>.losses [STEPS]      the loss before each of STEPS optimizer steps on the same batch
  M.<run>.final.<param>       the weights after STEPS steps
  M.<run>.grad_norms [STEPS]  the global gradient norm before clipping (runs with "clip")
Metadata (JSON strings): "models" {M: {inputs, hidden, classes, activation, layer_norm}},
"runs" {run: {optimizer, lr, momentum, nesterov, weight_decay, clip, schedule, …}}, "steps", "batch".

Every run is one param group per tensor (htsr's per-tensor rates): lr = lr·m_k·λ(t) through LambdaLR
with htsr's schedule formulas (constant; StepLR γ^⌊t/size⌋; cosine to min_ratio; Hugging Face's
linear warmup + linear decay), weight decay on tensors of rank ≥ 2 only (weights, not biases or
LayerNorm), torch.nn.utils.clip_grad_norm_ before the step when "clip" is set.
"""
import json, math, pathlib, struct
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
B, I, C, STEPS = 8, 12, 5, 10
MODELS = {
    'relu': dict(inputs=I, hidden=[16, 16], classes=C, activation='relu', layer_norm=False),
    'gelu_ln': dict(inputs=I, hidden=[16, 16], classes=C, activation='gelu', layer_norm=True),
}
RUNS = {
    'sgd': dict(optimizer='sgd', lr=0.1, momentum=0.0, nesterov=False, weight_decay=0.0, schedule='constant'),
    'sgd_momentum': dict(optimizer='sgd', lr=0.05, momentum=0.9, nesterov=False, weight_decay=0.01,
                         schedule='step', step_size=4, gamma=0.5),
    'sgd_nesterov': dict(optimizer='sgd', lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01,
                         schedule='cosine', total_steps=STEPS, min_ratio=0.1),
    'adam': dict(optimizer='adam', lr=0.01, weight_decay=0.01, schedule='constant'),
    'adamw': dict(optimizer='adamw', lr=0.01, weight_decay=0.05, clip=0.6,
                  schedule='linear', warmup=3, total_steps=12),
}


class MLP(torch.nn.Module):
    def __init__(self, inputs, hidden, classes, activation, layer_norm):
        super().__init__()
        widths = [inputs] + hidden + [classes]
        self.depth, self.layer_norm = len(hidden), layer_norm
        self.act = torch.nn.ReLU() if activation == 'relu' else torch.nn.GELU()
        for l in range(len(hidden) + 1):
            setattr(self, f'fc{l + 1}', torch.nn.Linear(widths[l], widths[l + 1]))
            if layer_norm and l < len(hidden):
                setattr(self, f'ln{l + 1}', torch.nn.LayerNorm(widths[l + 1], eps=1e-5))

    def forward(self, x):
        for l in range(self.depth):
            x = getattr(self, f'fc{l + 1}')(x)
            if self.layer_norm:
                x = getattr(self, f'ln{l + 1}')(x)
            x = self.act(x)
        return getattr(self, f'fc{self.depth + 1}')(x)


def schedule(run):
    """λ(t), the factor on the base rate at step t (htsr's Schedule.swift formulas)."""
    kind = run['schedule']
    if kind == 'constant':
        return lambda t: 1.0
    if kind == 'step':
        return lambda t: run['gamma'] ** (t // run['step_size'])
    if kind == 'cosine':
        T, lo = run['total_steps'], run['min_ratio']
        return lambda t: lo + (1 - lo) * (1 + math.cos(math.pi * min(t, T) / T)) / 2
    if kind == 'linear':  # transformers.get_linear_schedule_with_warmup
        W, T = run['warmup'], run['total_steps']
        return lambda t: t / max(1, W) if t < W else max(0.0, (T - t) / max(1, T - W))
    raise ValueError(kind)


def optimizer(run, named, multipliers):
    groups = [{'params': [p], 'lr': run['lr'] * m, 'weight_decay': run['weight_decay'] if p.ndim >= 2 else 0.0}
              for (_, p), m in zip(named, multipliers)]
    if run['optimizer'] == 'sgd':
        return torch.optim.SGD(groups, lr=run['lr'], momentum=run['momentum'], nesterov=run['nesterov'])
    cls = torch.optim.Adam if run['optimizer'] == 'adam' else torch.optim.AdamW
    return cls(groups, lr=run['lr'], betas=(0.9, 0.999), eps=1e-8)


def main():
    out = {}
    torch.manual_seed(0)
    x = torch.randn(B, I)
    y = torch.randint(0, C, (B,))
    out['x'], out['y'] = x, y
    for name, spec in MODELS.items():
        model = MLP(**spec)
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n.startswith('ln'):
                    p.add_(0.1 * torch.randn_like(p))
        named = list(model.named_parameters())
        init = {n: p.detach().clone() for n, p in named}
        multipliers = [[0.5, 0.75, 1.0, 1.25, 1.5][k % 5] for k in range(len(named))]
        for n, p in init.items():
            out[f'{name}.init.{n}'] = p
        out[f'{name}.multipliers'] = torch.tensor(multipliers, dtype=torch.float32)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        out[f'{name}.logits'], out[f'{name}.loss'] = logits.detach(), loss.detach().reshape(1)
        for n, p in named:
            out[f'{name}.grad.{n}'] = p.grad.detach().clone()
        for run_name, run in RUNS.items():
            with torch.no_grad():
                for n, p in named:
                    p.copy_(init[n])
            opt = optimizer(run, named, multipliers)
            sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule(run))
            losses, norms = [], []
            for _ in range(STEPS):
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                losses.append(loss.item())
                loss.backward()
                if 'clip' in run:
                    norms.append(torch.nn.utils.clip_grad_norm_(model.parameters(), run['clip']).item())
                opt.step()
                sched.step()
            out[f'{name}.{run_name}.losses'] = torch.tensor(losses, dtype=torch.float32)
            if norms:
                out[f'{name}.{run_name}.grad_norms'] = torch.tensor(norms, dtype=torch.float32)
            for n, p in named:
                out[f'{name}.{run_name}.final.{n}'] = p.detach().clone()
    metadata = {'models': json.dumps(MODELS), 'runs': json.dumps(RUNS), 'steps': str(STEPS), 'batch': str(B),
                'source': 'Scripts/make-mlp-golden.py, torch ' + torch.__version__}
    path = pathlib.Path(__file__).resolve().parent.parent / 'fixtures' / 'golden' / 'mlp.safetensors'
    write_safetensors(path, out, metadata)
    print('wrote', path, path.stat().st_size, 'bytes')


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: u64 header length, JSON header (padded to 8 bytes), raw data."""
    header, blobs, offset = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        a = t.detach().numpy()
        dtype = {np.dtype('float32'): 'F32', np.dtype('int64'): 'I64'}[a.dtype]
        data = np.ascontiguousarray(a).astype(a.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(a.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack('<Q', len(text)) + text + b''.join(blobs))


if __name__ == '__main__':
    main()
