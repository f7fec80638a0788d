"""The machine's own speed, measured beside every benchmark.

Machines here differ by up to 2x (the same default build took 156 s on one VM and 264 s on another),
and a shared machine drifts within an hour. A timing alone cannot be compared across them; a timing
divided by the seconds of one fixed workload run in the same process, just before and just after,
can. Every script in bench/ calls ``begin`` first, ``end`` after its work and ``save`` last, so its JSON carries
``reference`` (the workload, its seconds at start and end, their mean) beside its own figures, and
the README quotes timings also as multiples of it.

    .venv/bin/python bench/reference.py      # the workload alone, a few times
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

WORKLOAD = "200 fp32 training steps of cnn4 (batch 64, 48x48x1, Adam, cross-entropy) on the CPU"
STEPS, BATCH = 200, 64


def reference_seconds() -> float:
    """Seconds of ``WORKLOAD``: the built-in default model, plain fp32 (no bf16 autocast, no
    channels_last), so it measures the machine and not our training loop's optimisations."""
    from fer_report.model.builtin.cnn4 import CNN4

    torch.manual_seed(0)
    model = CNN4()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x, y = torch.randn(BATCH, 1, 48, 48), torch.randint(0, 7, (BATCH,))

    def step() -> None:
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    step()  # untimed: allocations and kernel selection
    start = time.perf_counter()
    for _ in range(STEPS):
        step()
    return round(time.perf_counter() - start, 3)


def machine() -> dict:
    return {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(), "platform": platform.platform(),
            "python": platform.python_version(), "torch": torch.__version__}


def _load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def begin(benchmark: str) -> dict:
    """The head of a result: what ran, on what, under which load, and the reference before the work."""
    return {"benchmark": benchmark, "command": " ".join([os.path.relpath(sys.argv[0]), *sys.argv[1:]]),
            "machine": machine(), "loadavg_at_start": _load(),
            "reference": {"workload": WORKLOAD, "seconds_at_start": reference_seconds()}}


def end(result: dict) -> dict:
    """The reference again after the work, and their mean: the unit the README's multiples use."""
    ref = result["reference"]
    ref["seconds_at_end"] = reference_seconds()
    ref["seconds"] = round((ref["seconds_at_start"] + ref["seconds_at_end"]) / 2, 3)
    result["loadavg_at_end"] = _load()
    return result


def save(result: dict, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {dest}: reference {result['reference'].get('seconds')} s")


def in_reference_units(seconds: float, result: dict) -> float:
    """``seconds`` as a multiple of this run's reference (e.g. 156 s at a 7.8 s reference: 20.0)."""
    return round(seconds / result["reference"]["seconds"], 2)


if __name__ == "__main__":
    runs = [reference_seconds() for _ in range(3)]
    print(f"{WORKLOAD}: median {statistics.median(runs)} s, runs {runs}, load {_load()}")
