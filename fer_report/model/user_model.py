"""Build a student's own model from their Python file: ``--model path/to/model.py:FaceExpressionNet``.

The file is imported the way ``python train.py`` would see it (its folder first on ``sys.path``, so
``from utils import ConvBlock`` works), under a module name of its own so two students' ``model.py``
never collide. Whatever goes wrong, the user gets one line naming their file, the line and the cause,
because a traceback through importlib tells a student nothing they can act on.

Importing runs the file's top-level code, as running it would; code under
``if __name__ == "__main__":`` does not run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import re
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

import torch
from torch import nn

from fer_report.errors import UserError, did_you_mean
from fer_report.model.downloads import PretrainedUnavailable, failure_hint

# module name -> folder, for every module imported from a user's folder: the next import of a model gets its
# own `utils.py` as it is on disk now, not one cached from an earlier import or from another folder.
_IMPORTED_FROM: dict[str, Path] = {}
# model file -> the other files of its folder that its import loaded (they enter the cache key)
_HELPERS: dict[Path, list[Path]] = {}


def parse_ref(ref: str) -> tuple[Path, str] | None:
    """``"dir/model.py:Net"`` -> ``(Path("dir/model.py"), "Net")``; a built-in name (``"cnn4"``) -> None."""
    path, colon, name = ref.rpartition(":")
    if colon and name.isidentifier() and path:
        return Path(path), name
    if not colon and not ref.endswith(".py"):
        return None
    file = Path(ref.rstrip(":"))  # "model.py", "model.py:" or a Windows path without a name
    defined = _names_in(file) if file.is_file() else []
    example = defined[0] if defined else "ClassName"
    listing = f" ({file.name} defines: {', '.join(defined)})" if defined else ""
    raise UserError(f"--model {ref}: name the class or function that builds the model after a colon, "
                    f"e.g. --model {file}:{example}{listing}")


def load_user_model(ref: str, *, args: dict[str, Any] | None = None, device: str | None = None) -> nn.Module:
    """The model built by NAME(**args) from the user's file, on the CPU.

    ``device`` is given to a constructor's ``device`` parameter the user did not set (``--model-args``);
    without it, ``"cpu"`` where CUDA is missing, so a ``device="cuda"`` default still builds here.
    """
    parsed = parse_ref(ref)
    if parsed is None:
        raise UserError(f"--model {ref}: not a model file; expected path/to/model.py:ClassName")
    path, name = parsed
    kwargs = dict(args or {})
    module = _import_file(path)
    factory = _find(module, path, name)
    params = _parameters(factory)
    if params is not None and "device" in params and "device" not in kwargs:
        if device is not None or not torch.cuda.is_available():
            kwargs["device"] = device or "cpu"
    _check_args(params, kwargs, path, name)
    call = f"{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
    try:
        with _cuda_as_cpu():
            model = factory(**kwargs)
    except PretrainedUnavailable as exc:  # weights it downloads, not at hand here (model/downloads.py)
        raise UserError(f"{_where(exc, path)}: {call} {exc}") from None
    except (Exception, SystemExit) as exc:  # the user's constructor: any exception is theirs to fix
        raise UserError(f"{_where(exc, path)}: {call} raised {type(exc).__name__}: {_first_line(exc)}"
                        f"{_cuda_hint(exc)}{failure_hint()}") from None
    if not isinstance(model, nn.Module):
        raise UserError(f"{path}: {call} returned {_describe(model)}, not a torch.nn.Module; "
                        "expected it to return the model")
    return model.cpu()


def model_file_hash(ref: str, args: dict[str, Any] | None = None) -> str:
    """Cache key of a user model: sha256 of the file's bytes and of every file of the user's folder that
    importing it loaded (an edited ``utils.py`` defining a block changes the key), NAME and the args.

    Finding those files means importing the model file once (as building the model does anyway).
    """
    parsed = parse_ref(ref)
    if parsed is None:
        raise UserError(f"--model {ref}: not a model file; expected path/to/model.py:ClassName")
    path, name = parsed
    try:
        data = path.read_bytes()
    except OSError:
        raise UserError(f"model file {path}: no such file; expected a Python file defining {name}") from None
    digest = hashlib.sha256(data)
    file = path.resolve()
    if file not in _HELPERS:
        _import_file(path)
    for helper in _HELPERS[file]:
        digest.update(b"\0" + helper.relative_to(file.parent).as_posix().encode() + b"\0" + helper.read_bytes())
    digest.update(f"\0{name}\0{json.dumps(args or {}, sort_keys=True, default=str)}".encode())
    return digest.hexdigest()


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        what = "a folder" if path.is_dir() else "no such file"
        raise UserError(f"model file {path}: {what}; expected a Python file (.py) defining the model")
    file = path.resolve()
    stem = re.sub(r"\W", "_", file.stem)
    unique = f"fer_user_model_{stem}_{hashlib.sha1(str(file).encode()).hexdigest()[:8]}"
    spec = importlib.util.spec_from_file_location(unique, file)
    if spec is None or spec.loader is None:
        raise UserError(f"model file {path}: cannot be imported; expected a Python file (.py)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module  # dataclasses, pickle and inspect look the module up by name
    try:
        with _on_path(file.parent) as loaded:
            spec.loader.exec_module(module)
        _HELPERS[file] = sorted(f for f in loaded if f != file)
    except SyntaxError as exc:  # also a syntax error in a sibling file it imports: name that file
        del sys.modules[unique]
        where = path if exc.filename and Path(exc.filename).resolve() == file else (exc.filename or path)
        raise UserError(f"{where} line {exc.lineno}: syntax error: {exc.msg}; expected valid Python") from None
    except ModuleNotFoundError as exc:
        del sys.modules[unique]
        raise UserError(f"{_where(exc, path)}: imports '{exc.name or _first_line(exc)}', which is neither a file "
                        f"next to {path.name} nor installed here; install it or copy it next to {path.name}"
                        ) from None
    except ImportError as exc:
        del sys.modules[unique]
        raise UserError(f"{_where(exc, path)}: {_first_line(exc)}; expected the import to succeed") from None
    except PretrainedUnavailable as exc:  # top-level code that builds a pretrained backbone
        del sys.modules[unique]
        raise UserError(f"{_where(exc, path)}: the file's top-level code {exc}") from None
    except SystemExit as exc:  # argparse or sys.exit() at top level would end fer-report itself
        del sys.modules[unique]
        raise UserError(f"{_where(exc, path)}: running the file called sys.exit({exc.code!r}); expected top-level "
                        "code such as argparse or training to sit under if __name__ == \"__main__\":") from None
    except Exception as exc:  # the file's own top-level code failed
        del sys.modules[unique]
        raise UserError(f"{_where(exc, path)}: running the file raised {type(exc).__name__}: "
                        f"{_first_line(exc)}") from None
    return module


@contextmanager
def _on_path(folder: Path) -> Iterator[list[Path]]:
    """The folder first on sys.path while the file runs; no __pycache__ written into the user's folder.
    Yields the list it fills with the files of that folder the import loaded."""
    for name in list(_IMPORTED_FROM):  # every user module is imported afresh
        sys.modules.pop(name, None)
        del _IMPORTED_FROM[name]
    before = set(sys.modules)
    sys.path.insert(0, str(folder))
    bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    loaded: list[Path] = []
    try:
        yield loaded
    finally:
        sys.dont_write_bytecode = bytecode
        sys.path.remove(str(folder))
        for name in set(sys.modules) - before:
            file = getattr(sys.modules.get(name), "__file__", None)
            if file and Path(file).resolve().is_relative_to(folder):
                _IMPORTED_FROM[name] = folder
                loaded.append(Path(file).resolve())


@contextmanager
def _cuda_as_cpu() -> Iterator[None]:
    """Without CUDA, a constructor's ``.cuda()`` / ``.to("cuda")`` stays on the CPU instead of failing."""
    if torch.cuda.is_available():
        yield
        return
    saved = {(cls, attr): cls.__dict__.get(attr) for cls in (nn.Module, torch.Tensor) for attr in ("to", "cuda")}

    def to(original: Callable) -> Callable:
        def patched(self, *a, **kw):
            a = tuple("cpu" if _is_cuda(v) else v for v in a)
            kw = {k: "cpu" if k == "device" and _is_cuda(v) else v for k, v in kw.items()}
            return original(self, *a, **kw)
        return patched

    for cls, attr in saved:
        setattr(cls, attr, to(getattr(cls, attr)) if attr == "to" else lambda self, *a, **kw: self)
    try:
        yield
    finally:
        for (cls, attr), original in saved.items():
            if original is None:
                delattr(cls, attr)  # torch.Tensor inherits these from the C base class
            else:
                setattr(cls, attr, original)


def _is_cuda(value: object) -> bool:
    return (isinstance(value, str) and value.startswith("cuda")) or \
        (isinstance(value, torch.device) and value.type == "cuda")


def _find(module: ModuleType, path: Path, name: str) -> Callable:
    defined = [n for n, v in vars(module).items()
               if (inspect.isclass(v) or inspect.isfunction(v)) and getattr(v, "__module__", None) == module.__name__]
    if not hasattr(module, name):
        hint = did_you_mean(name, defined)
        listing = f"defined there: {', '.join(defined)}" if defined else "it defines no classes or functions"
        raise UserError(f"{path}: no class or function '{name}'{hint} ({listing})")
    factory = getattr(module, name)
    if inspect.isclass(factory):
        if not issubclass(factory, nn.Module):
            bases = ", ".join(b.__name__ for b in factory.__mro__[1:-1]) or "object"
            raise UserError(f"{path}: '{name}' is a class derived from {bases}, not from torch.nn.Module; "
                            "expected the model class or a function returning the model")
    elif not callable(factory):
        raise UserError(f"{path}: '{name}' is {_describe(factory)}, not a class or function; "
                        "expected the model class or a function returning the model")
    return factory


def _parameters(factory: Callable) -> dict[str, inspect.Parameter] | None:
    try:
        return dict(inspect.signature(factory).parameters)
    except (TypeError, ValueError):  # a builtin or C-implemented callable: let the call itself decide
        return None


def _check_args(params: dict[str, inspect.Parameter] | None, kwargs: dict[str, Any], path: Path, name: str) -> None:
    """Missing or unknown constructor arguments, caught before the call so the message can say which."""
    if params is None:
        return
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    named = [n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = [k for k in kwargs if k not in named]
    if unknown and not takes_any:
        hint = did_you_mean(unknown[0], named)
        raise UserError(f"{path}: {name}() has no parameter '{unknown[0]}'{hint} "
                        f"(it takes: {', '.join(named) or 'no arguments'})")
    missing = [n for n, p in params.items() if p.default is p.empty and n not in kwargs
               and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if missing:
        example = json.dumps({m: "..." for m in missing}).replace('"..."', "...")
        raise UserError(f"{path}: {name}() needs argument{'s' if len(missing) > 1 else ''} "
                        f"{', '.join(repr(m) for m in missing)}; pass {'them' if len(missing) > 1 else 'it'} "
                        f"with --model-args '{example}' (or [model_args] in the config file)")


def _where(exc: BaseException, path: Path) -> str:
    """'model.py line 12': the deepest traceback frame inside the user's folder."""
    folder = path.resolve().parent
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename and Path(f.filename).resolve().is_relative_to(folder)]
    if not frames:
        return str(path)
    frame = frames[-1]
    file = path if Path(frame.filename).resolve() == path.resolve() else Path(frame.filename)
    return f"{file} line {frame.lineno}"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else "(no message)"


def _cuda_hint(exc: BaseException) -> str:
    text = str(exc)
    if torch.cuda.is_available() or not re.search(r"CUDA|NVIDIA|cuda", text):
        return ""
    return "; this machine has no CUDA: give the constructor a device parameter (it is passed device='cpu')"


def _describe(value: object) -> str:
    if isinstance(value, ModuleType):
        return f"the module {value.__name__}"
    text = repr(value)
    shown = f" ({text})" if len(text) <= 40 else ""
    article = "an" if type(value).__name__[:1].lower() in "aeiou" else "a"
    return f"{article} {type(value).__name__}{shown}"


def _names_in(file: Path) -> list[str]:
    """Top-level classes, then functions, of a file, without running it (for the 'add :Name' hint)."""
    import ast

    try:
        tree = ast.parse(file.read_text(encoding="utf-8", errors="replace"))
    except (SyntaxError, OSError, ValueError):
        return []
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    functions = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return classes + functions
