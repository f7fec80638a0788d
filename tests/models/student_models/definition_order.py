"""Layers defined in another order than they run: conv2 (8 -> 16 channels) is defined before conv1
(1 -> 8), so the first Conv2d in definition order takes 8 channels, but the model takes 1.
Input: 1 x 48 x 48, logits."""

import torch.nn as nn
import torch.nn.functional as F

INPUT = {"name": "OrderNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class OrderNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 7)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2)
        self.conv1 = nn.Conv2d(1, 8, 3, stride=2)

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        return self.fc(F.adaptive_max_pool2d(x, 1).flatten(1))
