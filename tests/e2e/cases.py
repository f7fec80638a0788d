"""The record every bad-input case is (tests/e2e/test_bad_input.py runs them), and the cheap command they run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

BASE = ["build", "--sections", "architecture", "--out", "out", "--synthetic-size", "tiny", "-q"]
CLASS_DIRS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


@dataclass(frozen=True)
class Case:
    id: str
    case: str  # the wording
    fmt: str  # which data format / input it concerns
    what: str  # what the input holds, for the table
    make: Callable[[Path], list[str]]  # writes the input into the folder, returns the command line after BASE
    expect: tuple[str, ...]  # substrings the message must contain
    code: int = 2  # 0: not an error, the build goes on (with one warning line)
    command: tuple[str, ...] = tuple(BASE)


def writing(files: dict[str, str], *args: str) -> Callable[[Path], list[str]]:
    """A case's ``make``: write ``files`` (name -> text) into the folder, then run with ``args``."""
    def make(folder: Path) -> list[str]:
        for name, text in files.items():
            (folder / name).write_text(text)
        return list(args)
    return make
