"""The model's code for the report: the class and exactly what it uses, and its highlighted HTML."""

from __future__ import annotations

import logging
import re
import subprocess

import pytest
import torch

from fer_report.errors import UserError
from fer_report.model.source import highlight, model_source
from fer_report.model.user_model import load_user_model
from tests.test_user_model import STUDENT_MODELS


def test_class_with_helpers_defined_after_it():
    src = model_source(f"{STUDENT_MODELS / 'helper_after.py'}:LateHelperNet")
    for wanted in ("import torch\n", "import torch.nn as nn\n", "class LateHelperNet(nn.Module):",
                   "# the block every layer uses\ndef conv_bn_relu(c_in, c_out):", "WIDTH = 8"):
        assert wanted in src
    for unwanted in ("unused_helper", "def train", "optim", "INPUT", "__main__", '"""Its helper'):
        assert unwanted not in src
    assert src.index("class LateHelperNet") < src.index("def conv_bn_relu") < src.index("WIDTH = 8")


def test_listing_runs_and_builds_the_same_model():
    src = model_source(f"{STUDENT_MODELS / 'helper_after.py'}:LateHelperNet")
    namespace: dict = {}
    exec(compile(src, "listing", "exec"), namespace)
    model = namespace["LateHelperNet"]()
    original = load_user_model(f"{STUDENT_MODELS / 'helper_after.py'}:LateHelperNet")
    assert list(model.state_dict()) == list(original.state_dict())
    assert model(torch.zeros(2, 1, 48, 48)).shape == (2, 7)


def test_constants_and_builders_it_uses():
    src = model_source(f"{STUDENT_MODELS / 'vggish.py'}:MiniVGG")
    assert "CFG = [8, 8" in src and "def make_layers(cfg, in_channels=1):" in src and "INPUT" not in src
    assert src.index("CFG =") < src.index("def make_layers") < src.index("class MiniVGG")


def test_function_model():
    src = model_source(f"{STUDENT_MODELS / 'build_function.py'}:build_model")
    assert src.startswith("import torch.nn as nn\n\n\ndef build_model(num_classes=7):")


def test_sibling_file_code_comes_first():
    src = model_source(f"{STUDENT_MODELS / 'uses_utils.py'}:UtilsNet")
    assert src.startswith("# utils.py\nimport torch.nn as nn\n\n\nMOMENTUM = 0.1\n\n\nclass ConvBlock(nn.Module):")
    assert "# uses_utils.py\nimport torch.nn as nn\nfrom utils import ConvBlock\n" in src
    assert "unused_in_model" not in src and "INPUT" not in src
    assert src.index("class ConvBlock") < src.index("class UtilsNet")


def test_loaded_class_and_builtin_model():
    model = load_user_model(f"{STUDENT_MODELS / 'keras_style.py'}:KerasStyleCNN")
    assert model_source(type(model)) == model_source(f"{STUDENT_MODELS / 'keras_style.py'}:KerasStyleCNN")
    from fer_report.model.builtin.cnn4 import CNN4

    src = model_source(CNN4)
    assert "class CNN4(nn.Module):" in src and "def _features()" in src and "def _classifier(" in src
    assert "_BLOCKS = ((32, 3)" in src and "from torch import nn" in src
    assert src.startswith("from __future__ import annotations\n")
    assert "def build(" not in src and "Model registry" not in src
    assert "def build(" in model_source("cnn4") and "class CNN4" in model_source("cnn4")


def test_unused_import_names_are_trimmed(tmp_path):
    file = tmp_path / "net.py"
    file.write_text("from torch import nn, optim\nimport numpy as np, torch\n\n"
                    "class Net(nn.Module):\n    def forward(self, x):\n        return torch.relu(x)\n")
    src = model_source(f"{file}:Net")
    assert src.startswith("from torch import nn\nimport torch\n\n\nclass Net(nn.Module):")
    assert "optim" not in src and "numpy" not in src


def test_unknown_name(tmp_path):
    file = tmp_path / "net.py"
    file.write_text("X = 1\n")
    with pytest.raises(UserError, match=r"net.py: no top-level class or function 'Net' to list$"):
        model_source(f"{file}:Net")


def test_highlight_is_classes_not_inline_styles():
    html, css = highlight("class Net(nn.Module):\n    pass  # 模型\n")
    assert html.startswith('<pre class="source-code">') and html.endswith("</pre>")
    assert '<span class="k">class</span>' in html and "style=" not in html
    assert ".source-code .k {" in css and "white-space: pre-wrap" in css
    assert all(line.startswith(".source-code") for line in css.splitlines())  # nothing leaks to other <pre>


def test_highlighted_listing_prints_in_weasyprint(tmp_path, caplog):
    from weasyprint import HTML

    src = model_source(f"{STUDENT_MODELS / 'keras_style.py'}:KerasStyleCNN")
    html, css = highlight(src)
    page = f"<html><head><style>{css}</style></head><body>{html}</body></html>"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        HTML(string=page).write_pdf(tmp_path / "code.pdf")
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]  # no ignored CSS
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "code.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "class KerasStyleCNN(nn.Module):" in text
    assert re.search(r"def block\(c_in, c_out, k\):", text)
