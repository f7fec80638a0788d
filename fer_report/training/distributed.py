"""Training in several processes with PyTorch's own engine: ``torchrun --nproc_per_node N -m fer_report
train ...`` starts N copies of the command; each trains on one shard of every global batch and
DistributedDataParallel averages the gradients (NCCL between GPUs, gloo between CPU processes).

torchrun tells each process its place through environment variables (RANK, WORLD_SIZE, LOCAL_RANK,
LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT); without them this is one process and every helper
here does nothing. Rank 0 alone reads and writes the training cache and broadcasts what it found, so
the ranks never disagree about whether to train (no shared filesystem is needed between nodes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def shard(self, n: int) -> tuple[int, int]:
        """This rank's rows [start, end) of n: contiguous, sizes differing by at most one."""
        return n * self.rank // self.size, n * (self.rank + 1) // self.size

    def broadcast(self, obj: Any) -> Any:
        """Rank 0's ``obj`` on every rank (pickled; tensors come back on the CPU)."""
        if self.size == 1:
            return obj
        box = [obj if self.is_main else None]
        torch.distributed.broadcast_object_list(box, src=0)
        return box[0]

    def sum(self, t: torch.Tensor) -> torch.Tensor:
        """Element-wise sum of ``t`` over the ranks (a new tensor; ``t`` itself is left alone)."""
        if self.size == 1:
            return t
        t = t.clone()
        torch.distributed.all_reduce(t)
        return t


def join(device: torch.device) -> tuple[World, torch.device]:
    """This process's World, joining the process group torchrun describes (once per process), and the
    device it trains on: ``cuda:LOCAL_RANK`` for CUDA, so that each GPU has one process."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size == 1:
        return World(), device
    import torch.distributed as dist

    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    world = World(rank=dist.get_rank(), size=dist.get_world_size(),
                  local_size=int(os.environ.get("LOCAL_WORLD_SIZE", str(size))))
    return world, device


def is_launched() -> bool:
    """True in a process that torchrun started as one of several."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def leave() -> None:
    """Leave the process group (at the end of a command), so the process exits without a warning."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
