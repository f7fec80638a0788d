"""A student's trained weights into their model, or a whole saved model, in whatever layout they saved:
a plain ``state_dict``, ``{"model_state_dict": ..., "optimizer": ..., "epoch": 12}``, keys prefixed with
``module.`` (DataParallel) or ``_orig_mod.`` (torch.compile), or ``.safetensors``. All load with
``weights_only=True`` (nothing in the file runs); a whole pickled model (``torch.save(model)``) can only be
read by running the pickle, so it needs ``trust_pickle``.
"""

from __future__ import annotations

import pickle
import sys
import types
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from fer_report.model.checkpoints import UnsafeCheckpoint, load_tensors
from fer_report.errors import UserError

WRAPPER_KEYS = ("state_dict", "model_state_dict", "model", "net")
PREFIXES = ("module.", "_orig_mod.")


def load_weights(model: nn.Module, path: str | Path, *, trust_pickle: bool = False, missing_hint: str = "") -> None:
    """Load the file's state dict into ``model``; one line naming every key that does not fit
    (``missing_hint`` ends it when keys are missing: the backbone's skipped download)."""
    path = Path(path)
    state = _state_dict(_read(path, model, trust_pickle), path)
    own = model.state_dict()
    state = _strip_prefixes(state, own)
    missing = [k for k in own if k not in state and not k.endswith("num_batches_tracked")]
    unexpected = [k for k in state if k not in own]
    wrong = [f"{k} {tuple(state[k].shape)} in the file, {tuple(own[k].shape)} in the model"
             for k in state if k in own and state[k].shape != own[k].shape]
    problems = [f"{len(keys)} {label} ({', '.join(keys[:5])}{', ...' if len(keys) > 5 else ''})"
                for label, keys in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong))
                if keys]
    if problems:
        from fer_report.model.output import ClassScores

        name = type(model.inner if isinstance(model, ClassScores) else model).__name__
        raise UserError(f"weights file {path} does not fit {name}: {'; '.join(problems)}; "
                        "expected the state dict of this model built with the same arguments"
                        f"{missing_hint if missing else ''}")
    model.load_state_dict(state, strict=False)


def _read(path: Path, model: nn.Module | None, trust_pickle: bool) -> Any:
    if path.suffix == ".safetensors":
        return _read_safetensors(path)
    if _is_torchscript_zip(path):  # torch.jit.save: its tensors load without running Python
        return _jit_load(path).state_dict()
    try:
        with torch.serialization.safe_globals(_numpy_globals()):  # np.float64(best_acc) is data, not code
            return load_tensors(path, "weights file")
    except UnsafeCheckpoint as exc:
        if trust_pickle:
            return _load_pickle(path, model)
        if any(g.startswith("torch.nn.") for g in _unsafe_globals(path)):
            raise UnsafeCheckpoint(
                f"weights file {path}: refused: it is a whole pickled model (torch.save(model)), and loading it "
                f"runs code from the file; save the weights instead with torch.save(model.state_dict(), "
                f"\"{path.name}\"), or pass --trust-pickle to load a file you made yourself") from None
        raise UnsafeCheckpoint(f"{exc}; pass --trust-pickle to load a file you made yourself") from None


def _read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if not path.is_file():
        raise UserError(f"weights file {path}: no such file; expected a .safetensors file")
    try:
        return load_file(str(path), device="cpu")
    except (SafetensorError, OSError, ValueError) as exc:
        raise UserError(f"weights file {path}: not a readable safetensors file ({str(exc).splitlines()[0][:160]}); "
                        "expected a file written by safetensors.torch.save_file") from None


def _numpy_globals() -> list:
    """numpy scalars and arrays, which checkpoints often hold (accuracies, label arrays)."""
    import numpy as np

    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    dtypes = [type(np.dtype(t)) for t in ("f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "b1")]
    return [_reconstruct, scalar, np.ndarray, np.dtype, *dtypes]


def _unsafe_globals(path: Path) -> list[str]:
    try:
        return list(torch.serialization.get_unsafe_globals_in_checkpoint(str(path)))
    except Exception:  # a legacy (non-zip) file: we cannot tell what it holds without running it
        return []


def _load_pickle(path: Path, model: nn.Module | None) -> Any:
    """torch.load(weights_only=False), finding classes saved from ``__main__`` in the user's modules."""
    namespaces = []
    if model is not None:
        names = dict.fromkeys(type(m).__module__ for m in model.modules())
        namespaces = [sys.modules[n] for n in names if n in sys.modules]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=False, pickle_module=_pickle_in(namespaces))
    except (AttributeError, ImportError) as exc:  # the class it was saved from is not importable here
        raise UserError(f"{path}: the pickled model's class cannot be found ({str(exc).splitlines()[0][:160]}); "
                        f"save a state dict with torch.save(model.state_dict(), \"{path.name}\") and pass "
                        "--model yourfile.py:ClassName --weights") from None
    except Exception as exc:
        raise UserError(f"{path}: not a readable torch file ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0][:160] if str(exc) else ''}); expected a file saved by torch.save"
                        ) from None


def _pickle_in(namespaces: list[types.ModuleType]) -> types.ModuleType:
    """A pickle module whose Unpickler falls back to the given modules for classes saved elsewhere."""

    class Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            try:
                return super().find_class(module, name)
            except (ImportError, AttributeError):
                for ns in namespaces:
                    if hasattr(ns, name):
                        return getattr(ns, name)
                raise

    shim = types.ModuleType("fer_report_pickle")
    shim.Unpickler = Unpickler
    shim.load = lambda f, **kw: Unpickler(f, **kw).load()
    return shim


def _state_dict(obj: Any, path: Path) -> dict[str, torch.Tensor]:
    """The tensors to load: the object itself, or what a checkpoint dict holds under a known key."""
    if isinstance(obj, nn.Module):
        return dict(obj.state_dict())
    if not isinstance(obj, Mapping):
        raise UserError(f"weights file {path}: holds {type(obj).__name__}; expected a state dict "
                        "(torch.save(model.state_dict(), path))")
    if obj and all(isinstance(v, torch.Tensor) for v in obj.values()):
        return dict(obj)
    for key in WRAPPER_KEYS:
        inner = obj.get(key)
        if isinstance(inner, nn.Module):
            return dict(inner.state_dict())
        if isinstance(inner, Mapping) and inner and all(isinstance(v, torch.Tensor) for v in inner.values()):
            return dict(inner)
    keys = ", ".join(repr(k) for k in list(obj)[:12]) or "none"
    raise UserError(f"weights file {path}: a dict without a state dict (keys: {keys}); expected a state dict, "
                    f"or a checkpoint holding one under {', '.join(repr(k) for k in WRAPPER_KEYS)}")


def _strip_prefixes(state: dict[str, torch.Tensor], own: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    """Remove DataParallel / torch.compile prefixes (in any nesting) the model's own keys do not have."""
    changed = True
    while changed and state:
        changed = False
        for prefix in PREFIXES:
            if all(k.startswith(prefix) for k in state) and not all(k.startswith(prefix) for k in own):
                state = {k[len(prefix):]: v for k, v in state.items()}
                changed = True
    return state


def load_model_file(path: str | Path, *, trust_pickle: bool = False) -> tuple[nn.Module, str]:
    """A whole saved model and its format: "torchscript", "onnx" or (with ``trust_pickle``) "pickle"."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"model file {path}: no such file; expected a TorchScript (.pt), ONNX (.onnx) "
                        "or Python (.py:ClassName) model")
    if path.suffix == ".onnx":
        from fer_report.model.onnx_file import load_onnx

        return load_onnx(path), "onnx"
    if _is_torchscript_zip(path):
        return _jit_load(path), "torchscript"
    try:
        obj = _read(path, None, trust_pickle)
    except UnsafeCheckpoint:
        raise UnsafeCheckpoint(
            f"model file {path}: refused: a pickled model runs code from the file when loaded; pass --trust-pickle "
            f"to load a file you made yourself, or save a state dict (torch.save(model.state_dict(), "
            f"\"{path.with_suffix('.pth').name}\")) and pass --model yourfile.py:ClassName --weights") from None
    if isinstance(obj, Mapping):  # torch.save({"model": model, "epoch": 3})
        obj = next((obj[k] for k in WRAPPER_KEYS if isinstance(obj.get(k), nn.Module)), obj)
    if isinstance(obj, nn.Module):
        return obj, "pickle"
    if isinstance(obj, Mapping):
        raise UserError(f"model file {path}: holds weights (a state dict or checkpoint), not a whole model; pass "
                        f"the class that uses them with --model yourfile.py:ClassName --weights {path}")
    raise UserError(f"model file {path}: holds a {type(obj).__name__}, not a model; expected a TorchScript (.pt), "
                    "ONNX (.onnx) or pickled model")


def _is_torchscript_zip(path: Path) -> bool:
    """torch.jit.save archives hold code/ and constants.pkl; torch.save ones only data.pkl and data/."""
    try:
        with zipfile.ZipFile(path) as z:
            return any(n.endswith("constants.pkl") or "/code/" in n for n in z.namelist())
    except (zipfile.BadZipFile, OSError):  # not a zip (legacy torch.save, safetensors) or no such file
        return False


def _jit_load(path: Path) -> nn.Module:
    try:
        with warnings.catch_warnings():  # "torch.jit.load is deprecated": not the user's to act on
            warnings.simplefilter("ignore")
            return torch.jit.load(str(path), map_location="cpu")
    except Exception as exc:
        raise UserError(f"model file {path}: not a readable TorchScript file ({type(exc).__name__}: "
                        f"{str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ''}); "
                        "expected a file written by torch.jit.save") from None


def capabilities(model: nn.Module, x: torch.Tensor | None = None) -> dict[str, bool]:
    """What explanations can do with this model, found by trying on ``x`` (a probe input if None).

    hooks: a forward hook on a layer fires (Grad-CAM, filter outputs, layer tables need it);
    gradients: the input gets a gradient (saliency, SmoothGrad, filter ascent);
    conv_layers: ``nn.Conv2d`` modules are visible (filters, Grad-CAM layer choice).
    Measured on torch 2.14.1: a loaded TorchScript module refuses ``register_forward_hook``
    ("not supported on ScriptModules") and its layers are ``RecursiveScriptModule``s, so hooks and
    conv_layers are False, while gradients (and captum's Saliency) work. An onnx2torch module is a
    torch.fx GraphModule of ordinary layers named like ``conv1/Conv``: all three are True.
    """
    from fer_report.model.output import find_input

    if x is None:
        channels, size = find_input(model)
        x = torch.randn(2, channels, size, size)
    param = next(model.parameters(), None)
    x = x.to(param.device) if param is not None else x
    was_training = model.training
    model.eval()
    try:
        return {"hooks": _hooks_fire(model, x), "gradients": _gradients_flow(model, x),
                "conv_layers": any(isinstance(m, nn.Conv2d) for m in model.modules())}
    finally:
        model.train(was_training)


def _hooks_fire(model: nn.Module, x: torch.Tensor) -> bool:
    layers = [m for _, m in model.named_modules() if m is not model and not list(m.children())]
    if not layers:
        return False
    fired: list[bool] = []
    try:
        handle = layers[0].register_forward_hook(lambda *_: fired.append(True))
    except RuntimeError:
        return False
    try:
        with torch.no_grad():
            model(x)
    except Exception:
        return False
    finally:
        handle.remove()
    return bool(fired)


def _gradients_flow(model: nn.Module, x: torch.Tensor) -> bool:
    x = x.detach().clone().requires_grad_(True)
    try:
        out = model(x)
        out = out[0] if isinstance(out, (tuple, list)) else out
        out.flatten(1)[:, 0].sum().backward()
    except Exception:
        return False
    finally:
        model.zero_grad(set_to_none=True)
    return x.grad is not None and bool(torch.isfinite(x.grad).all()) and bool(x.grad.abs().sum() > 0)
