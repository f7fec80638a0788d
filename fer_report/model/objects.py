"""A model handed over as a Python object (``fer_report.Report(model=net)`` in a notebook).

Settings hold strings (they go into report.json and the cache keys), so the object is registered here
under a name, ``object:Net:HASH`` (``:train`` added when it is to be trained with our recipe), and
``network.build_network`` takes it back by that name. HASH covers its state dict and its class's source:
re-running a cell after retraining, or after editing the class, gives another name, so no cache entry
made for the old model is ever reused.

A class defined in a notebook cell has no file; its source is looked up in what IPython keeps of the
cells (``In``, and ``linecache`` for the cell that defined the class) and written to a file in the
build's inputs, so ``model.source`` lists it with the helpers it uses, as for a class in a file.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import inspect
import linecache
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from fer_report.errors import ConfigError

PREFIX = "object:"


@dataclass(frozen=True)
class ObjectModel:
    module: nn.Module  # a copy taken when registered, on the CPU: later training in the notebook does not touch it
    train: bool  # trained here with our recipe (from re-initialised weights) instead of evaluated as it is
    class_name: str
    source: str | None  # the class and the helpers it uses, or None when no source was found
    source_from: str  # where the source came from (a file, the notebook's cells), or why none was found

    def fresh(self) -> nn.Module:
        """A copy for one run: as given, or with every layer re-initialised when it is to be trained here."""
        model = copy.deepcopy(self.module)
        if self.train:
            for m in model.modules():
                if hasattr(m, "reset_parameters") and m is not model:
                    m.reset_parameters()
        return model


_REGISTRY: dict[str, ObjectModel] = {}


def is_object(model: str) -> bool:
    return model.startswith(PREFIX)


def register(module: nn.Module, *, train: bool = False, inputs: Path | None = None) -> str:
    """The name ``Settings.model`` takes for ``module``; ``inputs`` is where a notebook's source is written."""
    if not isinstance(module, nn.Module):
        raise ConfigError(f"model: expected a torch.nn.Module, a Keras model, a built-in name or a file, got "
                          f"{type(module).__name__}")
    cls = type(module)
    source, source_from = find_source(cls, inputs)
    h = hashlib.sha256((source or f"{cls.__module__}.{cls.__qualname__}").encode())
    for name, tensor in module.state_dict().items():
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}:{t.dtype}:{tuple(t.shape)}".encode())
        h.update(t.flatten().view(torch.uint8).numpy().tobytes())  # bytes of any dtype, bfloat16 too
    name = f"{PREFIX}{cls.__name__}:{h.hexdigest()[:16]}" + (":train" if train else "")
    if name not in _REGISTRY:
        _REGISTRY[name] = ObjectModel(copy.deepcopy(module).cpu(), train, cls.__name__, source, source_from)
    return name


def lookup(name: str) -> ObjectModel:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"model '{name}': no such model object in this Python process; a model object is passed "
                          "as fer_report.Report(model=net), not by name") from None


def find_source(cls: type, inputs: Path | None) -> tuple[str | None, str]:
    """(the class's code and the helpers it uses, where it came from) or (None, why it was not found)."""
    from fer_report.model.source import model_source

    file = inspect.getsourcefile(cls) if cls.__module__ != "__main__" else _code_file(cls)
    if file and Path(file).is_file() and not _is_cell(file):
        try:
            return model_source(cls), file
        except Exception as exc:  # noqa: BLE001: a class whose file cannot be listed still reports
            return None, f"{file}: {exc}"
    cells = notebook_cells(cls)
    if not cells:
        return None, (f"class {cls.__name__} was defined in {file or 'an interactive session'}, whose source Python "
                      "no longer holds (define it in a notebook cell or a .py file)")
    if inputs is None:
        return None, "the notebook's cells were found but there is no folder to list them from"
    inputs.mkdir(parents=True, exist_ok=True)
    path = inputs / f"notebook-{cls.__name__}.py"
    path.write_text(cells, encoding="utf-8")
    try:
        return model_source(f"{path}:{cls.__name__}"), "the notebook's cells"
    except Exception as exc:  # noqa: BLE001
        return None, f"the notebook's cells: {exc}"


def _code_file(cls: type) -> str | None:
    """The file a class's methods were compiled from (a notebook cell's pseudo-file under ipykernel)."""
    for value in vars(cls).values():
        code = getattr(value, "__code__", None)
        if code is not None:
            return code.co_filename
    return None


def _is_cell(file: str) -> bool:
    return file.startswith("<") or "ipykernel_" in file


def notebook_cells(cls: type) -> str:
    """The notebook's cells as one module: IPython's ``In`` (magics already turned into Python), and the
    class's own cell from ``linecache``; a name defined in several cells keeps its last definition."""
    texts: list[str] = []
    ip = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    if ip is not None:
        texts += [t for t in ip.user_ns.get("In", []) if isinstance(t, str) and t.strip()]
    file = _code_file(cls)
    if file:
        own = "".join(linecache.getlines(file))
        if own.strip() and own not in texts:
            texts.append(own)
    statements: list[tuple[str, str | None]] = []  # (text, name it defines)
    for text in texts:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        lines = text.splitlines()
        for node in tree.body:
            named = node.name if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) else None
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            statements.append(("\n".join(lines[start - 1:node.end_lineno]), named))
    last = {name: i for i, (_, name) in enumerate(statements) if name}
    kept = [text for i, (text, name) in enumerate(statements) if name is None or last[name] == i]
    return "\n\n".join(kept) + "\n" if any(n == cls.__name__ for _, n in statements) else ""
