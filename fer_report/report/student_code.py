"""The student's own code for the questions that say "paste the code you used" (``--code KIND=FILE[:PART]``).

A course question asks for *their* augmentation or confusion-matrix code, not ours; only they can point
at it. PART is a function or class name (``Class.method`` for a method) or a line range ``START-END``;
without it the whole file is shown. The file is read as text and parsed, never imported or run.
Every fault is one line naming the file and what was found, at settings time, before any training.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from fer_report.errors import ConfigError, did_you_mean

#: KIND -> the section whose question it answers.
KINDS = {"augmentation": "augmentation_code", "confusion": "confusion_code", "model": "model_code"}
EXAMPLE = "e.g. --code augmentation=train.py:get_transforms or --code confusion=eval.py:40-75"


@dataclass(frozen=True)
class Snippet:
    file: str  # as the student gave it
    part: str | None  # the function / class name or "START-END"; None: the whole file
    first: int  # 1-based line numbers in the file
    last: int
    code: str


def parse_code_options(items: list[str]) -> dict[str, str]:
    """``--code KIND=FILE[:PART]`` (repeatable) -> {kind: "FILE[:PART]"}, each checked now."""
    out: dict[str, str] = {}
    for item in items:
        kind, sep, ref = item.partition("=")
        kind, ref = kind.strip(), ref.strip()
        if not sep or not ref:
            raise ConfigError(f"--code '{item}': expected KIND=FILE[:FUNCTION|:START-END], {EXAMPLE}")
        if kind in out:
            raise ConfigError(f"--code: {kind} given twice ({out[kind]} and {ref}); expected each kind once")
        out[kind] = ref
    check(out, "--code")
    return out


def check(codes: dict[str, str], where: str) -> None:
    for kind, ref in codes.items():
        if kind not in KINDS:
            raise ConfigError(f"{where}: unknown kind '{kind}'{did_you_mean(kind, list(KINDS))} (expected one of "
                              f"{', '.join(KINDS)})")
        read(ref)


def _split(ref: str) -> tuple[Path, str | None]:
    """FILE[:PART]; a Windows drive letter or a colon in a folder name is not a PART (the file must exist)."""
    if ":" in ref:
        head, _, tail = ref.rpartition(":")
        if Path(head).is_file() or not Path(ref).exists():
            return Path(head), tail.strip() or None
    return Path(ref), None


def read(ref: str) -> Snippet:
    """The lines ``ref`` names, or a ConfigError saying what was found and what was expected."""
    path, part = _split(ref)
    if not path.is_file():
        raise ConfigError(f"--code: {path}: no such file; expected the file holding your code, {EXAMPLE}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--code: {path}: cannot be read as UTF-8 text ({exc})") from None
    lines = text.splitlines()
    if part is None:
        return Snippet(str(path), None, 1, len(lines), text.rstrip("\n"))
    span = re.fullmatch(r"(\d+)\s*-\s*(\d+)", part)
    if span:
        first, last = int(span.group(1)), int(span.group(2))
        if not 1 <= first <= last <= len(lines):
            raise ConfigError(f"--code: {path}:{part}: line range outside the file's 1-{len(lines)}; expected "
                              "START-END with 1 <= START <= END")
    else:
        first, last = _definition(path, text, part)
    return Snippet(str(path), part, first, last, "\n".join(lines[first - 1:last]))


def _definition(path: Path, text: str, name: str) -> tuple[int, int]:
    """First and last line of the function or class ``name`` (``Outer.inner`` for a nested one), decorators
    included."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise ConfigError(f"--code: {path} line {exc.lineno}: not valid Python ({exc.msg}); give a line range "
                          "instead, e.g. FILE:10-40") from None
    body, found = tree.body, None
    for piece in name.split("."):
        found = next((n for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and n.name == piece), None)
        if found is None:
            names = [n.name for n in body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
            raise ConfigError(f"--code: {path}: no function or class '{name}'{did_you_mean(piece, names)} "
                              f"(it defines: {', '.join(names) or 'none'})")
        body = found.body
    first = min([found.lineno] + [d.lineno for d in found.decorator_list])
    return first, found.end_lineno or found.lineno

