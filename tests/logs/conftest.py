"""Logs are written by each test into its own folder and read by relative name, so messages are exact."""

from __future__ import annotations

import pytest

from fer_report.errors import UserError


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def message():
    """The one-line message a call raises; a traceback or a second line would break the CLI's contract."""

    def run(call, *args, kind=UserError, **kwargs) -> str:
        with pytest.raises(kind) as info:
            call(*args, **kwargs)
        text = str(info.value)
        assert "\n" not in text and "Traceback" not in text
        return text

    return run
