"""A VGG-ish net built from a config list by a make_layers helper (torchvision style), with in-place
ReLU after every conv. Input: 1 x 48 x 48, logits."""

import torch.nn as nn

INPUT = {"name": "MiniVGG", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}

CFG = [8, 8, "M", 16, 16, "M", 16, 16, "M"]


def make_layers(cfg, in_channels=1):
    layers = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(in_channels, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


class MiniVGG(nn.Module):
    def __init__(self, num_classes=7):
        super().__init__()
        self.features = make_layers(CFG)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 6 * 6, 32), nn.ReLU(inplace=True),
                                        nn.Dropout(), nn.Linear(32, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))
