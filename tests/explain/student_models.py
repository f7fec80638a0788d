"""Models as students write them, for the layer-choice tests: a ResNet18 in the style of the most-copied
FER2013 repositories (github kuangliu/pytorch-cifar: its own ``BasicBlock`` with a ``self.shortcut``
Sequential), and plain ``nn.Sequential`` stacks such as a Keras Sequential becomes."""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn


class BasicBlock(nn.Module):
    """kuangliu/pytorch-cifar's block, as copied: the residual add is in ``forward``, not in the class name."""

    expansion = 1

    def __init__(self, in_planes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class AddBlock(BasicBlock):
    """The same block written as one expression (out-of-place add), as the issue quotes it."""

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + self.shortcut(x))


class ResNet(nn.Module):
    """kuangliu's ResNet with the FER2013 copies' changes: 1 input channel, 7 classes, 48x48 faces."""

    def __init__(self, block=BasicBlock, num_blocks=(2, 2, 2, 2), num_classes: int = 7, width: int = 64) -> None:
        super().__init__()
        self.in_planes = width
        self.conv1 = nn.Conv2d(1, width, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.layer1 = self._make_layer(block, width, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 2 * width, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, 4 * width, num_blocks[2], stride=2)
        self.layer4 = self._make_layer(block, 8 * width, num_blocks[3], stride=2)
        self.linear = nn.Linear(8 * width * block.expansion, num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        layers = []
        for s in [stride] + [1] * (num_blocks - 1):
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
        out = F.avg_pool2d(out, 4)  # 6x6 at 48x48 input: one 4x4 window
        out = out.view(out.size(0), -1)
        out = F.dropout(out, p=0.5, training=self.training)
        return self.linear(out)


def resnet18(width: int = 64, block=BasicBlock) -> ResNet:
    return ResNet(block, (2, 2, 2, 2), width=width)


def sequential(activation=nn.ReLU, norm: bool = True) -> nn.Sequential:
    """conv -> [BN] -> activation -> pool, twice, then a head that takes any input side."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), *([nn.BatchNorm2d(8)] if norm else []), activation(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), *([nn.BatchNorm2d(16)] if norm else []), activation(), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 7))
