"""The course's Keras-style CNN at a tenth of the width: 4 blocks Conv-BatchNorm-ReLU-MaxPool-Dropout,
then Dense-BatchNorm-ReLU-Dropout twice and the output layer. Input: 1 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "KerasStyleCNN", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


def block(c_in, c_out, k):
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.BatchNorm2d(c_out), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Dropout(0.25))


class KerasStyleCNN(nn.Module):
    def __init__(self, num_classes=7):
        super().__init__()
        self.features = nn.Sequential(block(1, 4, 3), block(4, 8, 5), block(8, 8, 3), block(8, 4, 3))
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(4 * 3 * 3, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(16, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.5),
            nn.Linear(32, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))
