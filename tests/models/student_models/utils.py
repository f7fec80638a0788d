"""Not a model: the sibling helper file that uses_utils.py imports with `from utils import ConvBlock`."""

import torch.nn as nn

MOMENTUM = 0.1


class ConvBlock(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.bn = nn.BatchNorm2d(c_out, momentum=MOMENTUM)
        self.act = nn.ReLU()
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        return self.pool(self.act(self.bn(self.conv(x))))


def unused_in_model():
    return "not part of the model"
