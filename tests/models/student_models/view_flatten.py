"""x.view(-1, C*H*W) with the flattened size hard-coded for 48x48: it runs at 48 and nowhere else.
Input: 1 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "ViewNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class ViewNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(16 * 6 * 6, 7)

    def forward(self, x):
        x = self.conv(x)
        x = x.view(-1, 16 * 6 * 6)
        return self.fc(x)
