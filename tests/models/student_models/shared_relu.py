"""One nn.ReLU module reused at three call sites (a hook on it fires three times), convs in an
nn.ModuleList. Input: 1 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "SharedReluNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class SharedReluNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(1, 8, 3, padding=1), nn.Conv2d(8, 8, 3, padding=1),
                                    nn.Conv2d(8, 16, 3, padding=1)])
        self.relu = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.head = nn.Linear(16, 7)

    def forward(self, x):
        for conv in self.convs:
            x = self.pool(self.relu(conv(x)))
        return self.head(x.mean(dim=(2, 3)))
