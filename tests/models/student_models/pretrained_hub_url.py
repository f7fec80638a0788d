"""A small CNN whose constructor loads its own weights from a URL with
``torch.hub.load_state_dict_from_url`` (a name imported at the top of the file, as course code does).
Input: 1 x 48 x 48, logits.

No INPUT dict: building it needs the weights (see pretrained_weights_enum.py)."""

import torch.nn as nn
from torch.hub import load_state_dict_from_url

URL = "https://example.com/fer-report-tests/hubnet-0123abcd.pth"


class HubNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4))
        self.head = nn.Linear(4 * 4 * 4, 7)
        self.load_state_dict(load_state_dict_from_url(URL, progress=False))

    def forward(self, x):
        return self.head(self.features(x).flatten(1))
