"""Returns F.log_softmax(x, dim=1) for NLLLoss (the PyTorch MNIST example's habit): log-probabilities.
Input: 1 x 48 x 48, log-probabilities."""

import torch.nn as nn
import torch.nn.functional as F

INPUT = {"name": "LogSoftmaxNet", "channels": 1, "size": 48, "output": "log-probabilities", "tuple": False,
         "classes": 7}


class LogSoftmaxNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, stride=2)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2)
        self.fc = nn.Linear(16, 7)

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return F.log_softmax(self.fc(x), dim=1)
