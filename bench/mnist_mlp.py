"""Benchmark 1/2 twin: one epoch of the MNISTClassifier, training loop only.
    python3 bench/mnist_mlp.py BATCH THREADS"""
import sys
import time

import torch

from common import digits, report

batch = int(sys.argv[1]) if len(sys.argv) > 1 else 64
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
torch.manual_seed(0)
x, y = digits()
model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.2),
                            torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(128, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
n, steps = x.shape[0], 60000 // batch
t0 = time.perf_counter()
for step in range(steps):
    start = (step * batch) % (n - batch + 1)
    xb, yb = x[start:start + batch], y[start:start + batch]
    opt.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    opt.step()
report(time.perf_counter() - t0)
