"""In-place functional activations in forward (``F.relu(x, inplace=True)``, ``x.relu_()``), which a module
switch cannot turn off: hooks must copy what they keep. Input: 1 x 48 x 48, logits."""

import torch.nn as nn
import torch.nn.functional as F

INPUT = {"name": "InplaceFunctionalNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class InplaceFunctionalNet(nn.Module):
    def __init__(self, num_classes=7):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(6, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 12 * 12, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x), inplace=True), 2)
        x = self.conv2(x).relu_()
        x = F.max_pool2d(x, 2)
        return self.fc(x.flatten(1))
