"""The pre-0.13 torchvision spelling from the issue: ``nn.Sequential(*list(models.resnet18(pretrained=True)
.children())[:-1])`` as features and a new head. Input: 3 x 32 x 32, logits.

No INPUT dict: building it needs the weights (see pretrained_weights_enum.py)."""

import torch.nn as nn
from torchvision import models


class LegacyPretrained(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*list(models.resnet18(pretrained=True).children())[:-1])
        self.fc = nn.Linear(512, 7)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))
