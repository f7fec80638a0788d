"""Imports its building block from a sibling file (`from utils import ConvBlock`), so the model's
folder must be on sys.path while it is imported. Input: 1 x 48 x 48, logits."""

import torch.nn as nn
from utils import ConvBlock

INPUT = {"name": "UtilsNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class UtilsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(ConvBlock(1, 8), ConvBlock(8, 16), ConvBlock(16, 16))
        self.out = nn.Linear(16 * 6 * 6, 7)

    def forward(self, x):
        return self.out(self.blocks(x).flatten(1))
