"""A 3-channel input model (grey faces copied to R, G and B by the data pipeline).
Input: 3 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "RGBNet", "channels": 3, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class RGBNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                                 nn.Flatten(), nn.Linear(16, 7))

    def forward(self, x):
        return self.net(x)
