"""The optimiser and the learning-rate schedule of a training run (``Settings``: optimizer, lr,
weight_decay, schedule, warmup_epochs), stepped once per epoch by ``fer_report.training.train``.

The schedule follows the warm-up: during the warm-up the learning rate is set each epoch and the
schedule is not stepped, so cosine then runs its full curve over the remaining epochs and the plateau
schedule counts no warm-up epoch as one without progress. The plateau schedule watches the validation
accuracy (never the test split's).
"""

from __future__ import annotations

import torch
from torch import nn


def optimiser(settings, model: nn.Module):
    """The optimiser and the schedule that follows the warm-up (``warm_up``), stepped once per epoch.

    Adam's weight decay is AdamW's (decoupled, Loshchilov & Hutter): added to Adam's gradient, as L2,
    it would be divided by the gradient's running scale and barely regularise.
    """
    wd = settings.weight_decay if settings.weight_decay is not None else (1e-4 if settings.optimizer == "sgd" else 0.0)
    if settings.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=settings.lr, momentum=0.9, nesterov=True, weight_decay=wd)
    elif wd > 0:
        opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=wd)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=settings.lr)
    if settings.schedule == "plateau":  # as in Khaireddin & Chen: x0.75 after 5 epochs without a better val_acc
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", factor=0.75, patience=5)
    else:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, settings.epochs - settings.warmup_epochs))
    warm_up(opt, settings, 0)
    return opt, scheduler


def warm_up(optimizer: torch.optim.Optimizer, settings, epoch: int) -> None:
    """Set the learning rate of ``epoch`` while warming up: epoch e < W trains at lr (e + 1) / (W + 1), and
    epoch W starts the schedule at the full lr (the schedule is not stepped before). Nothing after W."""
    w = settings.warmup_epochs
    if epoch > w or w == 0:
        return
    for group in optimizer.param_groups:
        group["lr"] = settings.lr * (epoch + 1) / (w + 1) if epoch < w else settings.lr
