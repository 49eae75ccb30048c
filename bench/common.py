"""Shared by the PyTorch twins: the bundled digits (assets/mnist, gzip IDX)
as float tensors, and the machine-readable result lines the driver parses."""
import gzip
import os
import resource
import struct

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8).view(*dims)


def digits():
    x = read_idx(os.path.join(ROOT, "assets/mnist/train-images-idx3-ubyte.gz")).float().div(255)
    y = read_idx(os.path.join(ROOT, "assets/mnist/train-labels-idx1-ubyte.gz")).long()
    return x.view(-1, 1, 28, 28), y


def report(seconds):
    print("TIME %.6f" % seconds)
    print("RSS_KB %d" % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
