"""Its helper (conv_bn_relu) and a constant are defined AFTER the class that uses them; the file also
holds an unused helper and training code that model_source must leave out. Input: 1 x 48 x 48, logits."""

import torch
import torch.nn as nn
from torch import optim

INPUT = {"name": "LateHelperNet", "channels": 1, "size": 48, "output": "logits", "tuple": False, "classes": 7}


class LateHelperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer1 = conv_bn_relu(1, WIDTH)
        self.layer2 = conv_bn_relu(WIDTH, 2 * WIDTH)
        self.fc = nn.Linear(2 * WIDTH, 7)

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.fc(torch.mean(x, dim=(2, 3)))


# the block every layer uses
def conv_bn_relu(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.BatchNorm2d(c_out), nn.ReLU())


WIDTH = 8


def unused_helper():
    return optim.SGD


def train(model, loader, epochs=10):
    opt = optim.Adam(model.parameters())
    for _ in range(epochs):
        for x, y in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()


if __name__ == "__main__":
    train(LateHelperNet(), [])
