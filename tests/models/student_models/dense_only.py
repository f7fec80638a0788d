"""A fully connected net (the course's DNN comparison): no conv at all, first layer Linear on the
flattened 48x48 image, so it takes 1 channel. Input: 1 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "MLPNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class MLPNet(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, hidden), nn.ReLU(), nn.Dropout(0.3),
                                    nn.Linear(hidden, 7))

    def forward(self, x):
        return self.layers(x)
