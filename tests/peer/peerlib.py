"""What the peer scripts share: reading the bundled IDX files, and the
lesson's MNISTClassifier (the same layers and key names as ember's)."""
import gzip

import numpy as np
import torch.nn as nn


def read_idx(path):
    """An IDX file (gzip) of uint8 values as a numpy array."""
    b = gzip.open(path).read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


class MNISTClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
                                      nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2))
        self.classifier = nn.Linear(128, 10)

    def forward(self, x):
        return self.classifier(self.features(x))
