"""A constructor that calls self.to("cuda") and .cuda() unconditionally (no device parameter):
it must still build on a machine without CUDA. Input: 1 x 48 x 48, logits."""

import torch
import torch.nn as nn

INPUT = {"name": "MovesToCudaNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class MovesToCudaNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 5, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 7)
        self.register_buffer("scale", torch.ones(1).cuda())
        self.to("cuda")

    def forward(self, x):
        return self.fc(self.pool(torch.relu(self.conv(x)) * self.scale).flatten(1))
