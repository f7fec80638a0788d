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
    from fer_report.artifacts import Artefacts

    root = tmp_path_factory.mktemp("tiny")
    settings = tiny_settings(root / "build")
    return Artefacts(settings, root / "build", progress=False)
