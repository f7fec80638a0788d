"""File names in a hand-in as the student gave them, never more of their disk.

A header that prints "/home/alice/hw3/model.py" shows the reader a user name and a folder tree that are
none of their business; the student typed "model.py". An absolute path inside the folder the command
ran in is shown relative to it; one outside it by its file name alone.
"""

from __future__ import annotations

import re
from pathlib import Path

_ABSOLUTE = re.compile(r"(?<![\w.])(/[^\s:()\[\],;'\"]+)")
_OBJECT = re.compile(r"\bobject:(\w+):[0-9a-f]{16}(?::train)?")  # fer_report.model.objects' names
_KERAS_OBJECT = re.compile(r"[^\s:()\[\],;'\"]*\bkeras-[0-9a-f]{16}/([\w-]+)\.(?:keras|h5)\b")  # model.keras.objects


def as_given(text: object, cwd: Path | None = None) -> str:
    """``text`` with each absolute path made relative to ``cwd`` (default: the current folder), or cut to its
    file name when it lies outside it, and a notebook model object's registry name (or the file a Keras object
    was saved to) cut to its class name (the Keras model's name);
    relative paths and other words are left alone."""
    cwd = (cwd or Path.cwd()).resolve()

    def short(match: re.Match) -> str:
        path = Path(match.group(1))
        try:
            return str(path.resolve().relative_to(cwd))
        except (ValueError, OSError):
            return path.name or match.group(1)

    return _OBJECT.sub(r"\1", _ABSOLUTE.sub(short, _KERAS_OBJECT.sub(r"\1", str(text))))
