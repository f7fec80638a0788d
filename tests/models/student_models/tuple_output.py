"""Returns a tuple (logits, features), for a feature-space loss or t-SNE plots: the class scores are
the first element. Input: 1 x 48 x 48, logits in a tuple."""

import torch.nn as nn

INPUT = {"name": "TupleNet", "channels": 1, "size": 48, "output": "logits", "tuple": True, "classes": 7}


class TupleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4),
                                     nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                     nn.Flatten())
        self.classifier = nn.Linear(16, 7)

    def forward(self, x):
        features = self.encoder(x)
        return self.classifier(features), features
