#!/usr/bin/env python3
"""Reference throughput of PDEBench's FNO2d in PyTorch on the CPU (not part of set-up or CI).

The model is PDEBench's `FNO2d` (`pdebench/models/fno/fno.py`): fc0 (initial_step*channels + 2
-> width), four SpectralConv2d_fast + 1x1 Conv2d layers with GELU, padding 2, fc1 (width -> 128),
GELU, fc2 (128 -> channels). One training step = forward on a batch, MSE loss, backward, Adam
(weight decay 1e-4) -- one autoregressive step, the unit PDEBench's training loop repeats.

Prints one line: `torch_samples_per_second <value>` (best of --repeats timings of --steps steps).
Usage: bench-fno-torch.py [--threads 1] [--size 64] [--batch 20] [--width 20] [--modes 12]
       [--channels 4] [--initial-step 10] [--steps 10] [--repeats 3]
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SpectralConv2d_fast(nn.Module):
    def __init__(self, in_channels, out_channels, modes1, modes2):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.modes1, self.modes2 = modes1, modes2
        self.scale = 1 / (in_channels * out_channels)
        self.weights1 = nn.Parameter(self.scale * torch.rand(in_channels, out_channels, modes1, modes2, dtype=torch.cfloat))
        self.weights2 = nn.Parameter(self.scale * torch.rand(in_channels, out_channels, modes1, modes2, dtype=torch.cfloat))

    def compl_mul2d(self, input, weights):
        return torch.einsum("bixy,ioxy->boxy", input, weights)

    def forward(self, x):
        batchsize = x.shape[0]
        x_ft = torch.fft.rfft2(x)
        out_ft = torch.zeros(batchsize, self.out_channels, x.size(-2), x.size(-1) // 2 + 1, dtype=torch.cfloat, device=x.device)
        out_ft[:, :, :self.modes1, :self.modes2] = self.compl_mul2d(x_ft[:, :, :self.modes1, :self.modes2], self.weights1)
        out_ft[:, :, -self.modes1:, :self.modes2] = self.compl_mul2d(x_ft[:, :, -self.modes1:, :self.modes2], self.weights2)
        return torch.fft.irfft2(out_ft, s=(x.size(-2), x.size(-1)))


class FNO2d(nn.Module):
    def __init__(self, num_channels, modes1=12, modes2=12, width=20, initial_step=10):
        super().__init__()
        self.modes1, self.modes2, self.width = modes1, modes2, width
        self.padding = 2
        self.fc0 = nn.Linear(initial_step * num_channels + 2, self.width)
        self.conv0 = SpectralConv2d_fast(width, width, modes1, modes2)
        self.conv1 = SpectralConv2d_fast(width, width, modes1, modes2)
        self.conv2 = SpectralConv2d_fast(width, width, modes1, modes2)
        self.conv3 = SpectralConv2d_fast(width, width, modes1, modes2)
        self.w0 = nn.Conv2d(width, width, 1)
        self.w1 = nn.Conv2d(width, width, 1)
        self.w2 = nn.Conv2d(width, width, 1)
        self.w3 = nn.Conv2d(width, width, 1)
        self.fc1 = nn.Linear(width, 128)
        self.fc2 = nn.Linear(128, num_channels)

    def forward(self, x, grid):
        x = torch.cat((x, grid), dim=-1)
        x = self.fc0(x)
        x = x.permute(0, 3, 1, 2)
        x = F.pad(x, [0, self.padding, 0, self.padding])
        for k, (conv, w) in enumerate([(self.conv0, self.w0), (self.conv1, self.w1), (self.conv2, self.w2), (self.conv3, self.w3)]):
            x = conv(x) + w(x)
            if k < 3:
                x = F.gelu(x)
        x = x[..., :-self.padding, :-self.padding]
        x = x.permute(0, 2, 3, 1)
        x = self.fc1(x)
        x = F.gelu(x)
        x = self.fc2(x)
        return x.unsqueeze(-2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--batch", type=int, default=20)
    p.add_argument("--width", type=int, default=20)
    p.add_argument("--modes", type=int, default=12)
    p.add_argument("--channels", type=int, default=4)
    p.add_argument("--initial-step", type=int, default=10)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = FNO2d(a.channels, a.modes, a.modes, a.width, a.initial_step)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    s = a.size
    x = torch.randn(a.batch, s, s, a.initial_step * a.channels)
    y = torch.randn(a.batch, s, s, 1, a.channels)
    gx, gy = torch.meshgrid(torch.linspace(0, 1, s), torch.linspace(0, 1, s), indexing="ij")
    grid = torch.stack((gx, gy), dim=-1).unsqueeze(0).repeat(a.batch, 1, 1, 1)
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x, grid).reshape(a.batch, -1), y.reshape(a.batch, -1))
        loss.backward()
        opt.step()

    for _ in range(2):
        step()
    best = float("inf")
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        best = min(best, time.perf_counter() - t0)
    print(f"torch_samples_per_second {a.batch * a.steps / best:.3f}")


if __name__ == "__main__":
    main()
