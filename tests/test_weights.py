"""Checkpoints in every layout students save them, whole saved models, and the one-line refusals."""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from fer_report.model.checkpoints import UnsafeCheckpoint
from fer_report.errors import UserError
from fer_report.model.output import ClassScores, OutputKind, class_scores
from fer_report.model.weights import capabilities, load_model_file, load_weights
from tests.test_user_model import STUDENT_MODELS, load

KERAS = (STUDENT_MODELS / "keras_style.py", {"name": "KerasStyleCNN"})


def trained() -> nn.Module:
    """A student model whose weights and BatchNorm statistics differ from a fresh one's."""
    torch.manual_seed(1)
    model = load(*KERAS)
    with torch.no_grad():
        model(torch.randn(16, 1, 48, 48))  # moves the running statistics
    return model


def fresh() -> nn.Module:
    torch.manual_seed(2)
    return load(*KERAS)


def assert_same(a: nn.Module, b: nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for key in sa:
        torch.testing.assert_close(sa[key], sb[key], rtol=0, atol=0)


def error_of(fn, *args, **kw) -> str:
    with pytest.raises(UserError) as err:
        fn(*args, **kw)
    msg = str(err.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def layouts(model: nn.Module) -> dict[str, object]:
    sd = model.state_dict()
    opt = torch.optim.Adam(model.parameters())
    model(torch.randn(4, 1, 48, 48)).sum().backward()
    opt.step()  # an optimizer state with tensors, ints and floats
    extras = {"epoch": 12, "optimizer": opt.state_dict(), "best_acc": 0.61, "val_acc": np.float64(0.6)}
    return {
        "plain": sd,
        **{key: {key: sd, **extras} for key in ("state_dict", "model_state_dict", "model", "net")},
        "dataparallel": nn.DataParallel(model).state_dict(),
        # the keys torch.compile(model).state_dict() gives (measured), without paying for importing dynamo
        "compile": {f"_orig_mod.{k}": v for k, v in sd.items()},
        "compiled_dataparallel": {f"module._orig_mod.{k}": v for k, v in sd.items()},
    }


@pytest.fixture(scope="module")
def saved():
    """A trained model's state (after one optimizer step) and every layout of it, built once."""
    source = trained()
    objects = layouts(source)
    return {k: v.clone() for k, v in source.state_dict().items()}, objects


@pytest.mark.parametrize("layout", ["plain", "state_dict", "model_state_dict", "model", "net", "dataparallel",
                                    "compile", "compiled_dataparallel"])
def test_round_trip(tmp_path, saved, layout):
    source_state, objects = saved
    path = tmp_path / "best.pth"
    torch.save(objects[layout], path)
    target = fresh()
    load_weights(target, path)
    assert list(target.state_dict()) == list(source_state)
    for key, value in target.state_dict().items():
        torch.testing.assert_close(value, source_state[key], rtol=0, atol=0)


def test_safetensors(tmp_path):
    from safetensors.torch import save_file

    source = trained()
    save_file(source.state_dict(), str(tmp_path / "model.safetensors"))
    target = fresh()
    load_weights(target, tmp_path / "model.safetensors")
    assert_same(source, target)
    assert error_of(load_weights, fresh(), tmp_path / "none.safetensors") == (
        f"weights file {tmp_path / 'none.safetensors'}: no such file; expected a .safetensors file")
    (tmp_path / "bad.safetensors").write_bytes(b"\x10\x00\x00\x00not json")
    assert error_of(load_weights, fresh(), tmp_path / "bad.safetensors").startswith(
        f"weights file {tmp_path / 'bad.safetensors'}: not a readable safetensors file (")


def test_torchscript_file_as_weights(tmp_path):
    source = trained().eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.trace(source, torch.randn(2, 1, 48, 48)), str(tmp_path / "model.ts"))
    target = fresh()
    load_weights(target, tmp_path / "model.ts")
    assert_same(source, target)


def test_old_checkpoint_without_num_batches_tracked(tmp_path):
    source = trained()
    state = {k: v for k, v in source.state_dict().items() if not k.endswith("num_batches_tracked")}
    torch.save(state, tmp_path / "old.pth")
    load_weights(fresh(), tmp_path / "old.pth")


def test_mismatch_lists_missing_unexpected_and_wrong_shape_in_one_line(tmp_path):
    file = tmp_path / "net.py"
    file.write_text("import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self, classes=7, extra=0):\n"
                    "        super().__init__()\n        self.conv = nn.Conv2d(1, 4, 3)\n"
                    "        self.fc = nn.Linear(4, classes)\n"
                    "        self.more = nn.ModuleList([nn.Linear(2, 2) for _ in range(extra)])\n")
    from fer_report.model.user_model import load_user_model

    saved = load_user_model(f"{file}:Net", args={"classes": 10, "extra": 4})
    torch.save(saved.state_dict(), tmp_path / "best.pth")
    model = load_user_model(f"{file}:Net")
    model.head = nn.Linear(1, 1)
    msg = error_of(load_weights, model, tmp_path / "best.pth")
    assert error_of(load_weights, ClassScores(model, OutputKind("logits", False, 7)), tmp_path / "best.pth") == msg
    assert msg == (f"weights file {tmp_path / 'best.pth'} does not fit Net: 2 missing (head.weight, head.bias); "
                   "8 unexpected (more.0.weight, more.0.bias, more.1.weight, more.1.bias, more.2.weight, ...); "
                   "2 wrong shape (fc.weight (10, 4) in the file, (7, 4) in the model, fc.bias (10,) in the file, "
                   "(7,) in the model); expected the state dict of this model built with the same arguments")


def test_checkpoint_without_a_state_dict_lists_its_keys(tmp_path):
    torch.save({"epoch": 3, "weights": [torch.zeros(2)], "acc": 0.5}, tmp_path / "ckpt.pt")
    assert error_of(load_weights, fresh(), tmp_path / "ckpt.pt") == (
        f"weights file {tmp_path / 'ckpt.pt'}: a dict without a state dict (keys: 'epoch', 'weights', 'acc'); "
        "expected a state dict, or a checkpoint holding one under 'state_dict', 'model_state_dict', 'model', 'net'")
    torch.save([torch.zeros(2)], tmp_path / "list.pt")
    assert error_of(load_weights, fresh(), tmp_path / "list.pt") == (
        f"weights file {tmp_path / 'list.pt'}: holds list; expected a state dict "
        "(torch.save(model.state_dict(), path))")


def save_as_if_from_main(model: nn.Module, path, monkeypatch) -> None:
    """torch.save(model) in a training script: the class pickles as __main__.KerasStyleCNN."""
    cls = type(model)
    monkeypatch.setattr(cls, "__module__", "__main__")
    monkeypatch.setattr(sys.modules["__main__"], cls.__name__, cls, raising=False)
    torch.save(model, path)
    monkeypatch.undo()


def test_whole_pickled_model_is_refused_then_loaded_with_trust(tmp_path, monkeypatch):
    source = trained()
    path = tmp_path / "best.pth"
    save_as_if_from_main(source, path, monkeypatch)
    target = fresh()
    with pytest.raises(UnsafeCheckpoint) as err:
        load_weights(target, path)
    assert str(err.value) == (
        f"weights file {path}: refused: it is a whole pickled model (torch.save(model)), and loading it runs code "
        "from the file; save the weights instead with torch.save(model.state_dict(), \"best.pth\"), or pass "
        "--trust-pickle to load a file you made yourself")
    load_weights(target, path, trust_pickle=True)  # __main__.KerasStyleCNN found in the user's module
    assert_same(source, target)


def test_trusted_pickle_whose_class_is_nowhere(tmp_path, monkeypatch):
    source = trained()
    save_as_if_from_main(source, tmp_path / "best.pth", monkeypatch)
    msg = error_of(load_weights, nn.Linear(2, 2), tmp_path / "best.pth", trust_pickle=True)
    assert msg.startswith(f"{tmp_path / 'best.pth'}: the pickled model's class cannot be found (")
    assert msg.endswith("save a state dict with torch.save(model.state_dict(), \"best.pth\") and pass "
                        "--model yourfile.py:ClassName --weights")


def test_other_pickled_objects_are_refused_with_the_trust_hint(tmp_path):
    source = trained()
    torch.save({"state_dict": source.state_dict(), "args": argparse.Namespace(lr=0.1)}, tmp_path / "ckpt.pt")
    with pytest.raises(UnsafeCheckpoint) as err:
        load_weights(fresh(), tmp_path / "ckpt.pt")
    assert str(err.value) == (
        f"weights file {tmp_path / 'ckpt.pt'}: refused: it holds a pickled Python object (argparse.Namespace), "
        "and loading that could run code; expected only tensors (torch.load weights_only=True); "
        "pass --trust-pickle to load a file you made yourself")
    target = fresh()
    load_weights(target, tmp_path / "ckpt.pt", trust_pickle=True)
    assert_same(source, target)


def test_truncated_and_foreign_files(tmp_path):
    torch.save(trained().state_dict(), tmp_path / "full.pth")
    data = (tmp_path / "full.pth").read_bytes()
    (tmp_path / "cut.pth").write_bytes(data[: len(data) // 2])
    msg = error_of(load_weights, fresh(), tmp_path / "cut.pth")
    assert msg.startswith(f"weights file {tmp_path / 'cut.pth'}: not a readable torch checkpoint (")
    (tmp_path / "notes.pth").write_text("epoch,acc\n1,0.5\n")
    assert error_of(load_weights, fresh(), tmp_path / "notes.pth") == (
        f"weights file {tmp_path / 'notes.pth'}: not a readable torch checkpoint (it starts with b'epoch,ac', "
        "not a zip or pickle); expected a state dict saved by torch.save")
    assert error_of(load_weights, fresh(), tmp_path / "nope.pth") == (
        f"weights file {tmp_path / 'nope.pth'}: no such file; expected a torch state dict (.pt)")


# --- whole model files -------------------------------------------------------------------------

def small() -> nn.Module:
    torch.manual_seed(0)
    return load(STUDENT_MODELS / "inplace_activations.py", {"name": "InplaceNet"}).eval()


def test_torchscript_model_file(tmp_path):
    model = small()
    x = torch.randn(3, 1, 48, 48)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.script(model), str(tmp_path / "scripted.pt"))
        torch.jit.save(torch.jit.trace(model, x), str(tmp_path / "traced.pt"))
    for name in ("scripted.pt", "traced.pt"):
        loaded, kind = load_model_file(tmp_path / name)
        assert kind == "torchscript"
        torch.testing.assert_close(loaded(x), model(x))
        assert capabilities(loaded, x) == {"hooks": False, "gradients": True, "conv_layers": False}


def export_onnx(model: nn.Module, path, **kw) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.randn(2, 1, 48, 48),), str(path), dynamo=False, input_names=["x"],
                          dynamic_axes={"x": {0: "n"}}, **kw)


def test_onnx_model_file(tmp_path):
    model = small()
    export_onnx(model, tmp_path / "model.onnx", opset_version=17)
    loaded, kind = load_model_file(tmp_path / "model.onnx")
    assert kind == "onnx"
    x = torch.randn(5, 1, 48, 48)
    torch.testing.assert_close(loaded(x), model(x), atol=1e-5, rtol=1e-4)
    assert capabilities(loaded, x) == {"hooks": True, "gradients": True, "conv_layers": True}
    assert capabilities(model) == {"hooks": True, "gradients": True, "conv_layers": True}
    wrapped = class_scores(loaded, x)
    assert [n for n, _ in wrapped.named_modules()] == [n for n, _ in loaded.named_modules()]
    torch.testing.assert_close(wrapped(x), model(x), atol=1e-5, rtol=1e-4)


def test_onnx_that_onnx2torch_cannot_convert(tmp_path):
    pooled = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(2 * 23 * 23, 7))
    export_onnx(pooled, tmp_path / "pool.onnx", opset_version=19)  # AveragePool-19: no onnx2torch converter
    msg = error_of(load_model_file, tmp_path / "pool.onnx")
    assert msg.startswith(f"model file {tmp_path / 'pool.onnx'}: onnx2torch cannot convert it (")
    assert msg.endswith("expected a graph onnx2torch supports: export with torch.onnx.export(..., opset_version=17)")


def test_onnx_without_onnx2torch_says_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "m.onnx").write_bytes(b"whatever")
    monkeypatch.setitem(sys.modules, "onnx2torch", None)
    assert error_of(load_model_file, tmp_path / "m.onnx") == (
        f"model file {tmp_path / 'm.onnx'}: reading ONNX needs onnx and onnx2torch; pip install 'fer-report[onnx]'")


def test_broken_onnx_file(tmp_path):
    (tmp_path / "m.onnx").write_bytes(b"\x00\x01garbage")
    assert error_of(load_model_file, tmp_path / "m.onnx").startswith(
        f"model file {tmp_path / 'm.onnx'}: not a readable ONNX file (")


def test_pickled_model_file_needs_trust(tmp_path):
    model = small()
    torch.save(model, tmp_path / "whole.pt")  # its class lives in the imported user module: findable
    with pytest.raises(UnsafeCheckpoint) as err:
        load_model_file(tmp_path / "whole.pt")
    assert str(err.value) == (
        f"model file {tmp_path / 'whole.pt'}: refused: a pickled model runs code from the file when loaded; pass "
        "--trust-pickle to load a file you made yourself, or save a state dict (torch.save(model.state_dict(), "
        "\"whole.pth\")) and pass --model yourfile.py:ClassName --weights")
    loaded, kind = load_model_file(tmp_path / "whole.pt", trust_pickle=True)
    assert kind == "pickle" and type(loaded) is type(model)
    x = torch.randn(2, 1, 48, 48)
    torch.testing.assert_close(loaded(x), model(x))
    torch.save({"model": model, "epoch": 3}, tmp_path / "ckpt.pt")
    loaded, kind = load_model_file(tmp_path / "ckpt.pt", trust_pickle=True)
    assert kind == "pickle" and type(loaded) is type(model)


def test_state_dict_given_as_a_model_file(tmp_path):
    torch.save(small().state_dict(), tmp_path / "best.pth")
    assert error_of(load_model_file, tmp_path / "best.pth") == (
        f"model file {tmp_path / 'best.pth'}: holds weights (a state dict or checkpoint), not a whole model; pass "
        f"the class that uses them with --model yourfile.py:ClassName --weights {tmp_path / 'best.pth'}")
    assert error_of(load_model_file, tmp_path / "none.pt") == (
        f"model file {tmp_path / 'none.pt'}: no such file; expected a TorchScript (.pt), ONNX (.onnx) or Python "
        "(.py:ClassName) model")
    torch.save([1, 2], tmp_path / "list.pt")
    assert error_of(load_model_file, tmp_path / "list.pt") == (
        f"model file {tmp_path / 'list.pt'}: holds a list, not a model; expected a TorchScript (.pt), ONNX (.onnx) "
        "or pickled model")
