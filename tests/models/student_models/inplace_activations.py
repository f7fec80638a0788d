"""In-place activations: ReLU(inplace=True), LeakyReLU(inplace=True) and RReLU(inplace=True) in one
nn.Sequential, as students copy them from tutorials (they break some captum/backward hooks).
Input: 1 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "InplaceNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class InplaceNet(nn.Module):
    def __init__(self, num_classes=7):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.LeakyReLU(0.1, inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.RReLU(inplace=True),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.fc(x.flatten(1))
