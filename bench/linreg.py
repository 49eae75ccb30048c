"""Benchmark 4 twin: the linear-regression loop, 100 epochs."""
import sys
import time

import torch

from common import report

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
torch.manual_seed(42)
X = torch.arange(0, 1, 0.02).unsqueeze(1)
y = X * 0.7 + 0.3
Xtr, ytr = X[:40], y[:40]
w = torch.nn.Parameter(torch.randn(1))
b = torch.nn.Parameter(torch.randn(1))
opt = torch.optim.SGD([w, b], lr=0.01)
loss_fn = torch.nn.MSELoss()
t0 = time.perf_counter()
for _ in range(100):
    opt.zero_grad()
    loss = loss_fn(Xtr * w + b, ytr)
    loss.backward()
    opt.step()
report(time.perf_counter() - t0)
