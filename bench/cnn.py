"""Benchmark 3 twin: the seed-lesson CNN, 200 batches of 64.
    python3 bench/cnn.py BATCHES THREADS"""
import sys
import time

import torch
import torch.nn as nn

from common import digits, report

batches = int(sys.argv[1]) if len(sys.argv) > 1 else 200
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
torch.manual_seed(0)
x, y = digits()
model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(3136, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
n = x.shape[0]
t0 = time.perf_counter()
for step in range(batches):
    start = (step * 64) % (n - 63)
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(x[start:start + 64]), y[start:start + 64])
    loss.backward()
    opt.step()
report(time.perf_counter() - t0)
