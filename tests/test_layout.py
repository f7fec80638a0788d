"""The package's layout rules (docs/architecture.md): folders follow the way a report is made, each imports
only from folders before it, no section imports another, no import loops, no module over 300 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each folder may import from the folders before it; the top-level modules (cli, config, ...) from any.
ORDER = ("maths", "draw", "data", "logs", "model", "training", "explain", "report", "sections")
# confusion_code's answer is the confusion section's own source (the course asks to paste it): it reads that
# module's functions with inspect and calls none of them. Not yet rewritten to read the file alone.
READS_ANOTHER_SECTION = {("fer_report.sections.confusion_code", "fer_report.sections.confusion"),
                         ("fer_report.sections.confusion_code", "fer_report.sections")}


def _modules() -> dict[str, Path]:
    found = {}
    for top in ("fer_report", "sections"):
        for f in (ROOT / top).rglob("*.py"):
            parts = list(f.relative_to(ROOT).with_suffix("").parts)
            if parts[0] == "sections":
                parts = ["fer_report", *parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = f
    return found


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in names if n.startswith("fer_report")}


def _folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ORDER) else None


def test_each_folder_imports_only_from_folders_before_it():
    mods = _modules()
    wrong = []
    for name, path in mods.items():
        mine = _folder(name)
        if mine not in ORDER:
            continue  # the top-level modules may import anything
        for imported in _imports(path):
            theirs = _folder(imported)
            if theirs in ORDER and ORDER.index(theirs) > ORDER.index(mine):
                wrong.append(f"{name} imports {imported}")
            if mine == theirs == "sections" and imported.split(".")[:3] != name.split(".")[:3] \
                    and (name, imported) not in READS_ANOTHER_SECTION:
                wrong.append(f"section {name} imports another section, {imported}")
    assert not wrong, wrong


def test_no_import_loops():
    mods = _modules()
    edges = {m: {n for n in _imports(f) if n in mods and n != m} for m, f in mods.items()}
    state: dict[str, int] = {}
    loops = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(edges[m]):
            if state.get(n) == 1:
                loops.append(" -> ".join(stack[stack.index(n):] + [m, n]) if n in stack else f"{m} -> {n}")
            elif n not in state:
                visit(n, stack + [m])
        state[m] = 2

    for m in sorted(mods):
        if m not in state:
            visit(m, [])
    assert not loops, loops


def test_no_module_over_300_lines():
    files = [*_modules().values(), *(ROOT / "bench").glob("*.py")]
    long = {str(f.relative_to(ROOT)): n for f in files if (n := len(f.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long, long
