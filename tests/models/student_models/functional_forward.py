"""Functional calls in forward and no nn.Sequential at all: F.relu, F.max_pool2d and
F.dropout(training=self.training) (the wrapper must keep the user's train/eval flag).
Input: 1 x 48 x 48, logits."""

import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT = {"name": "FunctionalNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class FunctionalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc1 = nn.Linear(16 * 12 * 12, 32)
        self.fc2 = nn.Linear(32, 7)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.dropout(F.relu(self.fc1(x)), p=0.5, training=self.training)
        return self.fc2(x)
