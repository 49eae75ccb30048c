"""bench/ops.lua's twin: the same ops, given as PyTorch expressions in x and
y on the command line ("name=expr" each, from `ember run bench/ops.lua
--list`), each on 1e6 float32 elements, best of 7 calls after 3 warm-ups,
one thread. Prints "TIME_name seconds" per op."""
import sys
import time

import torch
import torch.nn.functional as F  # noqa: F401 (used by the expressions)

torch.set_num_threads(1)
torch.manual_seed(0)
n = 1000000
x, y = torch.rand(n) * 2 + 0.5, torch.rand(n) * 2 + 0.5


def best_of(fn, reps=7):
    for _ in range(3):
        fn()
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


for spec in sys.argv[1:]:
    name, expr = spec.split("=", 1)
    code = compile(expr, name, "eval")
    print("TIME_%s %.9f" % (name, best_of(lambda: eval(code, {"torch": torch, "F": F, "x": x, "y": y}))))
