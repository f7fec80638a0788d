"""A constructor with a default device="cuda" that moves itself there and moves its input in forward
(Colab habit); on a machine without CUDA it must be built with device="cpu".
Input: 1 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "CudaDefaultNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class CudaDefaultNet(nn.Module):
    def __init__(self, num_classes=7, device="cuda"):
        super().__init__()
        self.device = device
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4),
                                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2))
        self.classifier = nn.Linear(16 * 2 * 2, num_classes)
        self.to(device)

    def forward(self, x):
        x = x.to(self.device)
        return self.classifier(self.features(x).flatten(1))
