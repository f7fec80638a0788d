"""The model's code for the report: the course asks students to "paste the complete code of the CNN".

Pasting the whole file would bury the model under data loading and training loops, so the listing is
the model's class (or builder function) and exactly the top-level code it depends on in that file:
helpers, constants, the import lines they need, recursively, in file order. Names imported from a
``.py`` file in the same folder (``from utils import ConvBlock``) bring their own code, listed first.
Found with ``ast``, so the file is never run.
"""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
from pathlib import Path
from typing import Any

from fer_report.errors import UserError

_IMPORTS = (ast.Import, ast.ImportFrom)


def model_source(ref_or_class: str | Any) -> str:
    """``"model.py:Net"``, a built-in name (``"cnn4"``) or a class/function -> its code and what it uses."""
    if isinstance(ref_or_class, str):
        from fer_report.model.user_model import parse_ref

        parsed = parse_ref(ref_or_class)
        if parsed is None:
            from fer_report.model.builtin import _MODULES, check_name

            module = importlib.import_module(f"fer_report.model.builtin.{_MODULES[check_name(ref_or_class)]}")
            file, name = Path(inspect.getsourcefile(module) or ""), "build"
        else:
            file, name = parsed
    else:
        source_file = inspect.getsourcefile(ref_or_class)
        if source_file is None:
            raise UserError(f"{ref_or_class!r}: no Python source file to list")
        file, name = Path(source_file), ref_or_class.__name__
    blocks = _closure(file, [name], seen=set())
    if not any(name in _bound(node) for f, node, _ in blocks if Path(f).resolve() == file.resolve()):
        raise UserError(f"{file}: no top-level class or function '{name}' to list")
    return _join(blocks)


def _closure(file: Path, names: list[str], seen: set[tuple[Path, str]]) -> list[tuple[Path, ast.stmt, str]]:
    """(file, statement, text) for ``names`` and everything they use, sibling files' code first."""
    try:
        source = file.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise UserError(f"{file}: cannot read its source ({type(exc).__name__}: {exc}); expected a Python file"
                        ) from None
    body = [n for n in tree.body if not _is_main_guard(n)]
    binders: dict[str, list[int]] = {}
    for i, node in enumerate(body):
        for bound in _bound(node):
            binders.setdefault(bound, []).append(i)
    wanted: dict[int, set[str]] = {}  # statement index -> the names it is wanted for
    queue = list(names)
    while queue:
        name = queue.pop()
        for i in binders.get(name, []):
            if name in wanted.setdefault(i, set()):
                continue
            wanted[i].add(name)
            if not isinstance(body[i], _IMPORTS):
                queue.extend(_used(body[i]))
    if wanted:  # __future__ imports and star imports change what the rest means: keep them
        wanted.update({i: set() for i, n in enumerate(body) if _always(n) and i not in wanted})
    lines = source.splitlines()
    siblings: list[tuple[Path, ast.stmt, str]] = []
    own: list[tuple[Path, ast.stmt, str]] = []
    for i in sorted(wanted):
        node = body[i]
        if isinstance(node, _IMPORTS) and not _always(node):
            node = _trimmed(node, wanted[i])
            sibling = _sibling(file, node)
            if sibling is not None:
                todo = [a.name for a in node.names if (sibling, a.name) not in seen]
                seen.update((sibling, n) for n in todo)
                siblings += _closure(sibling, todo, seen) if todo else []
        own.append((file, node, _text(body[i], node, lines, body)))
    return siblings + own


def _is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` never runs on import, so the model cannot depend on it."""
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) and "__name__" in ast.unparse(node.test)


def _always(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and (node.module == "__future__" or any(a.name == "*" for a in node.names))


def _bound(node: ast.stmt) -> set[str]:
    """Top-level names a statement defines (or mutates: ``CONFIG["x"] = 1`` belongs with CONFIG)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Import):
        return {a.asname or a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom):
        return {a.asname or a.name for a in node.names if a.name != "*"}
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
        elif isinstance(sub, (ast.Attribute, ast.Subscript)) and isinstance(sub.ctx, ast.Store):
            root = sub
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name):
                names.add(root.id)
        elif sub is not node and isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif sub is not node and isinstance(sub, _IMPORTS):
            names |= _bound(sub)
    return names


def _used(node: ast.stmt) -> set[str]:
    """Every name read anywhere in the statement (over-approximate: a local that shadows a global counts)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _trimmed(node: ast.Import | ast.ImportFrom, wanted: set[str]) -> ast.Import | ast.ImportFrom:
    """The import with only the names the listing uses (``from torch import nn, optim`` -> ``nn``)."""
    keep = [a for a in node.names if (a.asname or (a.name.split(".")[0] if isinstance(node, ast.Import) else a.name))
            in wanted]
    if len(keep) == len(node.names):
        return node
    trimmed = copy.copy(node)
    trimmed.names = keep
    return trimmed


def _sibling(file: Path, node: ast.Import | ast.ImportFrom) -> Path | None:
    """The .py file next to ``file`` that ``from X import ...`` reads, if there is one."""
    if not isinstance(node, ast.ImportFrom) or not node.module or node.level > 1:
        return None
    candidate = file.parent / (node.module.replace(".", "/") + ".py")
    return candidate if candidate.is_file() else None


def _text(original: ast.stmt, node: ast.stmt, lines: list[str], body: list[ast.stmt]) -> str:
    """The statement's own lines, decorators and the comment block right above it included."""
    if node is not original:  # a trimmed import
        return ast.unparse(node)
    first = min([original.lineno] + [d.lineno for d in getattr(original, "decorator_list", [])])
    last = original.end_lineno or original.lineno
    shares_a_line = any(o is not original and (o.lineno <= last and (o.end_lineno or o.lineno) >= first)
                        for o in body)
    if shares_a_line:  # "import torch; import numpy as np": only this statement
        return ast.get_source_segment("\n".join(lines), original) or ast.unparse(original)
    while first > 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return "\n".join(lines[first - 1:last])


def _join(blocks: list[tuple[Path, ast.stmt, str]]) -> str:
    """PEP 8 spacing: imports and one-line constants together, two blank lines around definitions."""
    multi = len({file for file, _, _ in blocks}) > 1
    out: list[str] = []
    previous: tuple[Path, ast.stmt] | None = None
    for file, node, text in blocks:
        if previous is None or previous[0] != file:
            out.append("" if previous is None else "\n\n\n")
            out.append(f"# {file.name}\n" if multi else "")
        else:
            compact = (isinstance(previous[1], _IMPORTS) and isinstance(node, _IMPORTS)) or \
                      (_simple(previous[1]) and _simple(node))
            out.append("\n" if compact else "\n\n\n")
        out.append(text)
        previous = (file, node)
    return "".join(out) + "\n"


def _simple(node: ast.stmt) -> bool:
    return isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.lineno == node.end_lineno


def highlight(code: str, language: str = "python") -> tuple[str, str]:
    """(HTML, CSS) of the listing: spans with Pygments classes inside ``<pre class="source-code">``.

    Classes, not inline styles, so one stylesheet serves every listing; ``pre-wrap`` because a PDF
    page cannot scroll, so long lines must wrap; a CJK monospace fallback for comments in Chinese.
    """
    from pygments import highlight as render
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name

    formatter = HtmlFormatter(nowrap=True)
    # one block per source line (Pygments closes its spans at each line end), so a line too long for the page
    # wraps with a hanging indent instead of back to column 0; an empty line keeps a space to keep its height
    lines = render(code, get_lexer_by_name(language), formatter).rstrip("\n").split("\n")
    html = ('<pre class="source-code">' + "".join(f'<span class="line">{line or " "}</span>' for line in lines)
            + "</pre>")
    css = "\n".join([
        ".source-code { background: #f8f8f8; border: 0.5pt solid #ddd; padding: 4pt 6pt; "
        'white-space: pre-wrap; overflow-wrap: anywhere; font-family: "DejaVu Sans Mono", '
        '"Noto Sans Mono CJK TC", monospace; font-size: 8pt; line-height: 1.3; }',
        ".source-code .line { display: block; padding-left: 4ch; text-indent: -4ch; }",
        *formatter.get_token_style_defs(".source-code"),
    ])
    return html, css


def listing(module, names: list[str], *, skip: set[str] = frozenset()) -> tuple[str, list[str]]:
    """(code, functions listed): the top-level statements of ``module`` that ``names`` need, recursively
    (functions, constants, imports), in file order; ``skip`` names a branch that did not run."""
    source = inspect.getsource(module)
    body = ast.parse(source).body
    binders: dict[str, list[int]] = {}
    for i, node in enumerate(body):
        for bound in _bound_names(node):
            binders.setdefault(bound, []).append(i)
    wanted: set[int] = set()
    queue = list(names)
    while queue:
        name = queue.pop()
        for i in binders.get(name, []) if name not in skip else []:
            if i not in wanted:
                wanted.add(i)
                if not isinstance(body[i], (ast.Import, ast.ImportFrom)):
                    queue.extend(n.id for n in ast.walk(body[i]) if isinstance(n, ast.Name))
    lines = source.splitlines()
    out, previous = [], None
    for i in sorted(wanted):
        node = body[i]
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        kind = "import" if isinstance(node, (ast.Import, ast.ImportFrom)) else \
            "def" if isinstance(node, (ast.FunctionDef, ast.ClassDef)) or node.lineno != node.end_lineno else "const"
        if previous is not None:  # PEP 8: imports together, then the constants, two blank lines around definitions
            out.append("\n" if kind == previous != "def" else "\n\n" if "def" not in (kind, previous) else "\n\n\n")
        out.append("\n".join(lines[first - 1:node.end_lineno]))
        previous = kind
    defined = [body[i].name for i in sorted(wanted) if isinstance(body[i], ast.FunctionDef)]
    return "".join(out) + "\n", defined


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Import):
        return {a.asname or a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom):  # a __future__ import binds nothing the listing could use
        return set() if node.module == "__future__" else {a.asname or a.name for a in node.names}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
