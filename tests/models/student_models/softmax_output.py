"""Ends in nn.Softmax(dim=1) (trained with NLLLoss on log of it, or plain cross-entropy by mistake):
it returns probabilities. Input: 1 x 48 x 48, probabilities."""

import torch.nn as nn

INPUT = {"name": "SoftmaxNet", "channels": 1, "size": 48, "output": "probabilities", "tuple": False, "classes": 7}


class SoftmaxNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                   nn.Linear(8, 7), nn.Softmax(dim=1))

    def forward(self, x):
        return self.model(x)
