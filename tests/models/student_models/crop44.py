"""Trained on 44x44 random crops of the 48x48 faces, with the flattened size fixed for 44x44
(x.view(x.size(0), -1) into Linear(16*11*11)). Input: 1 x 44 x 44, logits."""

import torch.nn as nn

INPUT = {"name": "Crop44Net", "channels": 1, "size": 44, "output": "logits", "tuple": False, "classes": 7}


class Crop44Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(16 * 11 * 11, 7)

    def forward(self, x):
        x = self.features(x)
        return self.fc(x.view(x.size(0), -1))
