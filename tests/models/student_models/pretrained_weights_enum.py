"""Fine-tuning as tutorials teach it: torchvision resnet18 built with its ImageNet weights in the
constructor (``weights=ResNet18_Weights.DEFAULT``), a 7-class head. Input: 3 x 32 x 32, logits.

No INPUT dict: building it needs the weights (``--weights`` skips their download, or torch's hub
cache holds them), so the every-model test of tests/test_user_model.py leaves it to
tests/test_downloads.py."""

import torch.nn as nn
from torchvision.models import ResNet18_Weights, resnet18


class PretrainedResNet(nn.Module):
    def __init__(self, num_classes=7):
        super().__init__()
        self.backbone = resnet18(weights=ResNet18_Weights.DEFAULT)
        self.backbone.fc = nn.Linear(self.backbone.fc.in_features, num_classes)

    def forward(self, x):
        return self.backbone(x)
