"""Reference for tests/peer/test_range_parity.lua: float32 torch.arange
values as PyTorch 1.13 computes them (its vectorised kernel rounds a base
per 8-lane vector, so the last bits differ from start + i*step), printed with
9 significant digits (enough to identify a float32 exactly)."""
import sys

import torch

CASES = [(0, 1, 0.02), (0, 3.7, 0.1), (-2, 2, 0.3), (0.5, 40, 0.7), (10, -3, -0.37),
         (0, 100, 0.013), (1e3, 1e3 + 5, 0.001), (0, 15, 1.1), (0, 1, 0.1)]

with open(sys.argv[1], "w") as out:
    out.write("return {\n")
    for start, end, step in CASES:
        values = torch.arange(start, end, step).tolist()
        out.write("  {start = %r, stop = %r, step = %r, values = {%s}},\n" % (
            start, end, step, ", ".join('"%.9g"' % v for v in values)))
    out.write("}\n")
