"""torchvision resnet18(num_classes=7) with a 1-channel 7x7 stem, inside a wrapper class (the usual
transfer-learning script); torchvision's in-place ReLUs are kept. Input: 1 x 64 x 64, logits."""

import torch.nn as nn
from torchvision.models import resnet18

INPUT = {"name": "ResNetFER", "channels": 1, "size": 64, "output": "logits", "tuple": False, "classes": 7}


class ResNetFER(nn.Module):
    def __init__(self, num_classes=7):
        super().__init__()
        self.backbone = resnet18(weights=None, num_classes=num_classes)
        self.backbone.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)

    def forward(self, x):
        return self.backbone(x)
