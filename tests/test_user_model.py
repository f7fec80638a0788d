"""Importing a student's own model file: every model in tests/models/student_models, and every bad input."""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from fer_report.errors import UserError
from fer_report.model.user_model import load_user_model, model_file_hash, parse_ref

STUDENT_MODELS = Path(__file__).parent / "models" / "student_models"


def student_models() -> list[tuple[Path, dict]]:
    """(file, INPUT) of every student model file; INPUT is read with ast, without importing the file."""
    found = []
    for file in sorted(STUDENT_MODELS.glob("*.py")):
        for node in ast.parse(file.read_text()).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "INPUT" for t in node.targets):
                found.append((file, ast.literal_eval(node.value)))
    return found


def load(file: Path, spec: dict) -> nn.Module:
    return load_user_model(f"{file}:{spec['name']}", args=spec.get("args"))


MODELS = student_models()
IDS = [file.stem for file, _ in MODELS]


def test_there_are_at_least_twelve_student_models():
    assert len(MODELS) >= 12
    assert all({"name", "channels", "size", "output", "tuple", "classes"} <= set(spec) for _, spec in MODELS)


@pytest.mark.parametrize(("file", "spec"), MODELS, ids=IDS)
def test_student_model_loads_and_runs(file, spec):
    model = load(file, spec)
    assert isinstance(model, nn.Module)
    assert all(p.device.type == "cpu" for p in model.parameters())
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(8, spec["channels"], spec["size"], spec["size"]))
    scores = out[0] if spec["tuple"] else out
    assert isinstance(out, tuple) == spec["tuple"]
    assert scores.shape == (8, spec["classes"])


def test_student_models_have_a_docstring_saying_what_they_exercise():
    for file, _ in MODELS:
        doc = ast.get_docstring(ast.parse(file.read_text()))
        assert doc and "Input:" in doc, file.name


def test_constructor_args_are_passed():
    model = load_user_model(f"{STUDENT_MODELS / 'required_args.py'}:ArgsNet",
                            args={"num_classes": 3, "in_channels": 3, "width": 4})
    assert model.classifier.out_features == 3 and model.body[0].in_channels == 3


def test_a_build_function_works_like_a_class():
    model = load_user_model(f"{STUDENT_MODELS / 'build_function.py'}:build_model", args={"num_classes": 5})
    assert isinstance(model, nn.Sequential) and model[-1].out_features == 5


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA fallback")
def test_device_cuda_default_gets_cpu_without_cuda():
    model = load_user_model(f"{STUDENT_MODELS / 'cuda_default.py'}:CudaDefaultNet")
    assert model.device == "cpu"
    assert model(torch.zeros(2, 1, 48, 48)).shape == (2, 7)


def test_device_argument_given_by_the_user_or_caller_wins():
    ref = f"{STUDENT_MODELS / 'cuda_default.py'}:CudaDefaultNet"
    assert load_user_model(ref, args={"device": "cpu"}).device == "cpu"
    assert load_user_model(ref, device="cpu").device == "cpu"


def test_moving_itself_to_cuda_still_builds_on_the_cpu_and_leaves_torch_unpatched():
    model = load_user_model(f"{STUDENT_MODELS / 'moves_to_cuda.py'}:MovesToCudaNet")
    assert model.scale.device.type == "cpu" and model.fc.weight.device.type == "cpu"
    assert "to" not in torch.Tensor.__dict__ and "cuda" not in torch.Tensor.__dict__
    assert nn.Module.to.__qualname__ == "Module.to" and nn.Module.cuda.__qualname__ == "Module.cuda"


def test_sibling_utils_of_two_folders_do_not_collide(tmp_path):
    for name, width in (("a", 3), ("b", 5)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "utils.py").write_text(f"import torch.nn as nn\nWIDTH = {width}\n")
        (folder / "model.py").write_text("import torch.nn as nn\nfrom utils import WIDTH\n"
                                         "def build():\n    return nn.Linear(WIDTH, 2)\n")
    assert load_user_model(f"{tmp_path / 'a' / 'model.py'}:build").in_features == 3
    assert load_user_model(f"{tmp_path / 'b' / 'model.py'}:build").in_features == 5
    assert load_user_model(f"{tmp_path / 'a' / 'model.py'}:build").in_features == 3


def test_folder_leaves_sys_path_and_gets_no_pycache(tmp_path):
    (tmp_path / "helper.py").write_text("import torch.nn as nn\nLayer = nn.Linear\n")
    (tmp_path / "net.py").write_text("from helper import Layer\ndef build():\n    return Layer(2, 2)\n")
    load_user_model(f"{tmp_path / 'net.py'}:build")
    assert str(tmp_path) not in sys.path
    assert not (tmp_path / "__pycache__").exists()


def test_main_block_does_not_run(tmp_path):
    (tmp_path / "m.py").write_text("import torch.nn as nn\nclass Net(nn.Linear):\n    def __init__(self):\n"
                                   "        super().__init__(2, 2)\nif __name__ == '__main__':\n"
                                   "    raise SystemExit('training would start here')\n")
    assert isinstance(load_user_model(f"{tmp_path / 'm.py'}:Net"), nn.Linear)


# --- parse_ref ---------------------------------------------------------------------------------

def test_parse_ref():
    assert parse_ref("path/to/model.py:FaceExpressionNet") == (Path("path/to/model.py"), "FaceExpressionNet")
    assert parse_ref("cnn4") is None and parse_ref("resnet18") is None


def test_parse_ref_without_a_name_says_to_add_one(tmp_path):
    file = tmp_path / "model.py"
    file.write_text("import torch.nn as nn\nclass FaceExpressionNet(nn.Module):\n    pass\ndef helper():\n"
                    "    pass\n")
    with pytest.raises(UserError) as err:
        parse_ref(str(file))
    msg = str(err.value)
    assert "\n" not in msg
    assert msg == (f"--model {file}: name the class or function that builds the model after a colon, "
                   f"e.g. --model {file}:FaceExpressionNet (model.py defines: FaceExpressionNet, helper)")
    with pytest.raises(UserError, match="e.g. --model nowhere.py:ClassName$"):
        parse_ref("nowhere.py")


# --- bad input: one line each ------------------------------------------------------------------

def error_of(ref: str, **kw) -> str:
    with pytest.raises(UserError) as err:
        load_user_model(ref, **kw)
    msg = str(err.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def write(tmp_path: Path, text: str, name: str = "model.py") -> Path:
    file = tmp_path / name
    file.write_text(text)
    return file


def test_missing_file(tmp_path):
    assert error_of(f"{tmp_path / 'nope.py'}:Net") == (
        f"model file {tmp_path / 'nope.py'}: no such file; expected a Python file (.py) defining the model")


def test_syntax_error_names_file_and_line(tmp_path):
    file = write(tmp_path, "import torch.nn as nn\n\nclass Net(nn.Module)\n    pass\n")
    msg = error_of(f"{file}:Net")
    assert msg.startswith(f"{file} line 3: syntax error: ") and msg.endswith("; expected valid Python")


def test_syntax_error_in_a_sibling_names_that_file(tmp_path):
    write(tmp_path, "def broken(:\n    pass\n", "utils.py")
    file = write(tmp_path, "from utils import broken\n")
    assert error_of(f"{file}:Net").startswith(f"{tmp_path / 'utils.py'} line 1: syntax error: ")


def test_failing_import_names_the_missing_module(tmp_path):
    file = write(tmp_path, "import torch\nimport timm_not_installed_here\n")
    assert error_of(f"{file}:Net") == (
        f"{file} line 2: imports 'timm_not_installed_here', which is neither a file next to model.py nor "
        "installed here; install it or copy it next to model.py")


def test_missing_name_in_a_sibling(tmp_path):
    write(tmp_path, "X = 1\n", "utils.py")
    file = write(tmp_path, "from utils import ConvBlock\n")
    msg = error_of(f"{file}:Net")
    assert msg.startswith(f"{file} line 1: cannot import name 'ConvBlock' from 'utils'")
    assert msg.endswith("; expected the import to succeed")


def test_top_level_code_that_raises(tmp_path):
    file = write(tmp_path, "import torch\nDATA = open('train.csv').read()\n")
    msg = error_of(f"{file}:Net")
    assert msg.startswith(f"{file} line 2: running the file raised FileNotFoundError: ")
    assert "train.csv" in msg


def test_top_level_argparse_does_not_end_the_program(tmp_path):
    file = write(tmp_path, "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--lr')\n"
                           "args = parser.parse_args(['--epochs', '3'])\n")
    assert error_of(f"{file}:Net") == (
        f"{file} line 4: running the file called sys.exit(2); expected top-level code such as argparse or "
        "training to sit under if __name__ == \"__main__\":")


def test_constructor_that_raises_names_file_name_and_message(tmp_path):
    file = write(tmp_path, "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self, width=4):\n"
                           "        super().__init__()\n        raise ValueError('width must be even')\n")
    assert error_of(f"{file}:Net", args={"width": 3}) == (
        f"{file} line 5: Net(width=3) raised ValueError: width must be even")


def test_constructor_failing_on_cuda_gets_a_hint(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    file = write(tmp_path, "import torch, torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n"
                           "        super().__init__()\n"
                           "        self.register_buffer('m', torch.zeros(2, device='cuda'))\n")
    msg = error_of(f"{file}:Net")
    assert msg.startswith(f"{file} line 5: Net() raised ")
    assert msg.endswith("; this machine has no CUDA: give the constructor a device parameter "
                        "(it is passed device='cpu')")


def test_missing_required_argument_says_how_to_pass_it():
    assert error_of(f"{STUDENT_MODELS / 'required_args.py'}:ArgsNet", args={"in_channels": 1}) == (
        f"{STUDENT_MODELS / 'required_args.py'}: ArgsNet() needs argument 'num_classes'; pass it with "
        "--model-args '{\"num_classes\": ...}' (or [model_args] in the config file)")
    both = error_of(f"{STUDENT_MODELS / 'required_args.py'}:ArgsNet")
    assert "needs arguments 'num_classes', 'in_channels'; pass them with --model-args " \
           "'{\"num_classes\": ..., \"in_channels\": ...}'" in both


def test_unknown_argument_gets_did_you_mean():
    assert error_of(f"{STUDENT_MODELS / 'required_args.py'}:ArgsNet",
                    args={"num_class": 7, "in_channels": 1}) == (
        f"{STUDENT_MODELS / 'required_args.py'}: ArgsNet() has no parameter 'num_class'; did you mean "
        "'num_classes'? (it takes: num_classes, in_channels, width)")


def test_unknown_name_gets_did_you_mean_and_the_list(tmp_path):
    file = write(tmp_path, "import torch.nn as nn\nclass FaceExpressionNet(nn.Module):\n    pass\n"
                           "def helper():\n    pass\n")
    assert error_of(f"{file}:FaceExpresionNet") == (
        f"{file}: no class or function 'FaceExpresionNet'; did you mean 'FaceExpressionNet'? "
        "(defined there: FaceExpressionNet, helper)")
    empty = write(tmp_path, "X = 1\n", "empty.py")
    assert error_of(f"{empty}:Net") == f"{empty}: no class or function 'Net' (it defines no classes or functions)"


def test_name_that_is_not_a_module(tmp_path):
    file = write(tmp_path, "from dataclasses import dataclass\n@dataclass\nclass Config:\n    lr: float = 0.1\n"
                           "class Base: pass\nclass Child(Base): pass\nEPOCHS = 7\n")
    assert error_of(f"{file}:Config") == (
        f"{file}: 'Config' is a class derived from object, not from torch.nn.Module; "
        "expected the model class or a function returning the model")
    assert "'Child' is a class derived from Base, not from torch.nn.Module" in error_of(f"{file}:Child")
    assert error_of(f"{file}:EPOCHS") == (
        f"{file}: 'EPOCHS' is an int (7), not a class or function; "
        "expected the model class or a function returning the model")


def test_function_returning_something_else(tmp_path):
    file = write(tmp_path, "import torch.nn as nn\ndef build():\n    return {'net': nn.Linear(2, 2)}\n")
    msg = error_of(f"{file}:build")
    assert msg.startswith(f"{file}: build() returned a dict")
    assert msg.endswith(", not a torch.nn.Module; expected it to return the model")


def test_builtin_name_is_not_a_file():
    assert error_of("cnn4") == "--model cnn4: not a model file; expected path/to/model.py:ClassName"


# --- cache key ---------------------------------------------------------------------------------

def test_model_file_hash_follows_bytes_name_and_args(tmp_path):
    file = write(tmp_path, "import torch.nn as nn\ndef a():\n    return nn.Linear(2, 2)\nb = a\n")
    base = model_file_hash(f"{file}:a", {"x": 1, "y": 2})
    assert base == model_file_hash(f"{file}:a", {"y": 2, "x": 1}) and len(base) == 64
    assert base != model_file_hash(f"{file}:a", {"x": 1, "y": 3})
    assert base != model_file_hash(f"{file}:b", {"x": 1, "y": 2})
    file.write_text(file.read_text() + "# edited\n")
    assert base != model_file_hash(f"{file}:a", {"x": 1, "y": 2})


def test_editing_an_imported_helper_changes_the_key_and_the_model(tmp_path):
    """A block defined in utils.py is part of the model: an edit with the same weights must not be served stale."""
    for name in ("uses_utils.py", "utils.py"):
        shutil.copy(STUDENT_MODELS / name, tmp_path / name)
    ref = f"{tmp_path / 'uses_utils.py'}:UtilsNet"
    before = model_file_hash(ref)
    assert before == model_file_hash(ref)
    helper = tmp_path / "utils.py"
    helper.write_text(helper.read_text().replace("MOMENTUM = 0.1", "MOMENTUM = 0.3"))
    assert model_file_hash(ref) != before
    assert load_user_model(ref).blocks[0].bn.momentum == 0.3  # imported afresh, not the cached module
