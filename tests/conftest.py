"""Shared fixtures: a tiny synthetic dataset and one tiny trained model per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from fer_report.config import Settings


def tiny_settings(out: Path, **overrides) -> Settings:
    """Settings small enough for a 2-core CI box: 210 training faces, two epochs."""
    values = dict(synthetic_size="tiny", epochs=2, batch_size=32, out=str(out), cache=str(out / "cache"))
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def tiny_artefacts(tmp_path_factory):
    """Artefacts of one tiny build (trained once for the whole session); sections tests share it."""
    from fer_report.report.artifacts import Artefacts

    root = tmp_path_factory.mktemp("tiny")
    settings = tiny_settings(root / "build")
    return Artefacts(settings, root / "build", progress=False)


def dies_in_second_epoch(monkeypatch) -> tuple:
    """Make ``fer_report.training.train`` stop with KeyboardInterrupt as its second epoch starts (a killed run).

    Returns the real epoch function, to put back before resuming, and the list that counts the epochs started."""
    import fer_report.training.train as tr

    real_epoch, calls = tr._train_epoch, []

    def dies(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_epoch(*args, **kwargs)

    monkeypatch.setattr(tr, "_train_epoch", dies)
    return real_epoch, calls
