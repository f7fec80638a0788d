"""A constructor with required arguments (num_classes, in_channels): built with
--model-args '{"num_classes": 7, "in_channels": 1}'. Input: 1 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "ArgsNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7,
         "args": {"num_classes": 7, "in_channels": 1}}


class ArgsNet(nn.Module):
    def __init__(self, num_classes, in_channels, width=8):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(in_channels, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
                                  nn.MaxPool2d(4), nn.Conv2d(width, 2 * width, 3, padding=1), nn.ReLU(),
                                  nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        return self.classifier(self.body(x))
