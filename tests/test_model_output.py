"""What each student model takes and returns, and the ClassScores wrapper that keeps their layer names."""

from __future__ import annotations

import copy
import warnings

import pytest
import torch
from torch import nn

from fer_report.errors import UserError
from fer_report.model.output import (ClassScores, OutputKind, check_classes, class_scores, detect_output,
                                     find_input, input_channels)
from tests.test_user_model import IDS, MODELS, STUDENT_MODELS, load


def probabilities(out, kind: str) -> torch.Tensor:
    """What the model says the class probabilities are, by its own output kind."""
    return {"logits": out.softmax(1), "probabilities": out, "log-probabilities": out.exp()}[kind]


@pytest.mark.parametrize(("file", "spec"), MODELS, ids=IDS)
def test_student_model_input_output_and_scores(file, spec):
    model = load(file, spec)
    assert input_channels(model, size=spec["size"]) == spec["channels"]
    x = torch.randn(8, spec["channels"], spec["size"], spec["size"])
    kind = detect_output(model, x)
    assert kind == OutputKind(spec["output"], spec["tuple"], spec["classes"])
    wrapped = ClassScores(model, kind).eval()
    with torch.no_grad():
        scores = wrapped(x)
        out = model(x)
    out = out[0] if spec["tuple"] else out
    assert scores.shape == (8, spec["classes"])
    torch.testing.assert_close(scores.softmax(1), probabilities(out, spec["output"]), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(torch.nn.functional.log_softmax(scores, 1),
                               probabilities(out, spec["output"]).clamp_min(1e-12).log(), atol=1e-4, rtol=1e-4)
    assert [n for n, _ in wrapped.named_modules()] == [n for n, _ in model.named_modules()]
    assert list(wrapped.state_dict()) == list(model.state_dict())


@pytest.mark.parametrize(("file", "spec"), MODELS, ids=IDS)
def test_hook_on_a_user_layer_name_fires_through_the_wrapper(file, spec):
    model = load(file, spec)
    x = torch.randn(2, spec["channels"], spec["size"], spec["size"])
    wrapped = class_scores(model, x).eval()
    name = next(n for n, m in wrapped.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear)))
    seen = []
    handle = wrapped.get_submodule(name).register_forward_hook(lambda m, i, o: seen.append(o.shape))
    with torch.no_grad():
        wrapped(x)
    handle.remove()
    assert seen and seen[0][0] == 2


def test_first_conv_in_definition_order_is_verified_by_running():
    order = load(STUDENT_MODELS / "definition_order.py", {"name": "OrderNet"})
    assert [m.in_channels for m in order.modules() if isinstance(m, nn.Conv2d)][0] == 8
    assert input_channels(order) == 1
    grey = load(STUDENT_MODELS / "grey_to_rgb.py", {"name": "GreyToRGBNet"})
    assert grey.stem.in_channels == 3 and input_channels(grey) == 1


def test_dense_model_takes_the_default_channels():
    mlp = load(STUDENT_MODELS / "dense_only.py", {"name": "MLPNet"})
    assert input_channels(mlp) == 1
    wide = nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, 7))
    assert input_channels(wide, size=16) == 3


def test_find_input_tries_sizes_in_order():
    crop = load(STUDENT_MODELS / "crop44.py", {"name": "Crop44Net"})
    assert find_input(crop, sizes=(48, 44)) == (1, 44)
    rgb = load(STUDENT_MODELS / "rgb_input.py", {"name": "RGBNet"})
    assert find_input(rgb, sizes=(48, 64)) == (3, 48)


def test_model_that_runs_on_no_probe_says_why():
    view = load(STUDENT_MODELS / "view_flatten.py", {"name": "ViewNet"})
    with pytest.raises(UserError) as err:
        find_input(view, sizes=(64,), where="view_flatten.py:ViewNet")
    msg = str(err.value)
    assert msg.startswith("view_flatten.py:ViewNet does not run on a 1x64x64 input: RuntimeError: ")
    assert msg.endswith("; expected a model that takes 64x64 images") and "\n" not in msg
    with pytest.raises(UserError) as err:  # 96x96 runs, but view(-1, 576) turns 2 images into 8 rows
        find_input(view, sizes=(96,))
    assert str(err.value) == ("the model does not run on a 1x96x96 input: 2 images gave output of shape (8, 7); "
                              "expected a model that takes 96x96 images")


def test_probing_keeps_the_train_flag():
    model = load(STUDENT_MODELS / "keras_style.py", {"name": "KerasStyleCNN"})
    assert model.training
    input_channels(model)
    detect_output(model, torch.randn(4, 1, 48, 48))
    assert model.training and all(m.training for m in model.modules())


class Returns(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn
        self.lin = nn.Linear(1, 1)

    def forward(self, x):
        return self.fn(x)


@pytest.mark.parametrize(("fn", "expected"), [
    (lambda x: x.flatten(1).sum(1).long(), "the model returns shape (4,) for 4 images; expected (4, classes) "
                                           "class scores"),
    (lambda x: torch.zeros(4, 7, 3, 3), "the model returns shape (4, 7, 3, 3) for 4 images; expected "
                                        "(4, classes) class scores"),
    (lambda x: torch.zeros(4, 7).long(), "the model returns torch.int64 values (class indices?); expected float "
                                         "class scores"),
    (lambda x: {"logits": torch.zeros(4, 7)}, "the model returns dict; expected a tensor of class scores (or a "
                                              "tuple whose first element is one)"),
])
def test_outputs_that_are_not_class_scores(fn, expected):
    with pytest.raises(UserError) as err:
        detect_output(Returns(fn), torch.zeros(4, 1, 8, 8))
    assert str(err.value) == expected


def test_fully_convolutional_output_is_flattened():
    model = Returns(lambda x: torch.randn(x.shape[0], 7, 1, 1))
    kind = detect_output(model, torch.zeros(4, 1, 8, 8))
    assert kind == OutputKind("logits", False, 7)
    assert ClassScores(model, kind)(torch.zeros(4, 1, 8, 8)).shape == (4, 7)


def test_check_classes_names_both_numbers():
    check_classes(OutputKind("logits", False, 7), 7, "model.py:Net")
    with pytest.raises(UserError) as err:
        check_classes(OutputKind("logits", False, 10), 7, "model.py:Net")
    assert str(err.value) == ("model.py:Net: the model returns 10 class scores per image; the data has 7 classes; "
                              "expected 7 (build it with num_classes=7)")


def test_wrapper_passes_train_eval_to_the_users_forward():
    model = load(STUDENT_MODELS / "functional_forward.py", {"name": "FunctionalNet"})
    wrapped = class_scores(model, torch.randn(2, 1, 48, 48))
    x = torch.randn(4, 1, 48, 48)
    wrapped.eval()
    assert not model.training and not model.fc1.training
    torch.testing.assert_close(wrapped(x), wrapped(x))  # F.dropout(training=self.training) is off
    wrapped.train()
    assert model.training


def test_wrapper_shares_weights_moves_copies_and_reads_attributes():
    model = load(STUDENT_MODELS / "keras_style.py", {"name": "KerasStyleCNN"})
    model.last_conv_name = "features.3.0"
    wrapped = class_scores(model, torch.randn(2, 1, 48, 48))
    assert wrapped.inner is model and wrapped.last_conv_name == "features.3.0"
    assert wrapped.get_submodule("features.3.0") is model.features[3][0]
    other = load(STUDENT_MODELS / "keras_style.py", {"name": "KerasStyleCNN"})
    wrapped.load_state_dict(other.state_dict())
    torch.testing.assert_close(model.features[0][0].weight, other.features[0][0].weight)
    wrapped.double()
    assert model.classifier[1].weight.dtype == torch.float64
    twin = copy.deepcopy(wrapped)
    assert twin.inner is not model and twin.get_submodule("features.0.0") is twin.inner.features[0][0]
    assert len(list(wrapped.parameters())) == len(list(model.parameters()))


def test_softmax_model_scores_carry_gradients():
    from captum.attr import Saliency

    model = load(STUDENT_MODELS / "softmax_output.py", {"name": "SoftmaxNet"})
    wrapped = class_scores(model, torch.randn(2, 1, 48, 48)).eval()
    grads = Saliency(wrapped).attribute(torch.randn(2, 1, 48, 48, requires_grad=True), target=3)
    assert grads.shape == (2, 1, 48, 48) and grads.abs().sum() > 0


def test_torchscript_model_is_held_as_a_child():
    with warnings.catch_warnings():  # "torch.jit.script is deprecated"
        warnings.simplefilter("ignore")
        scripted = torch.jit.script(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 6 * 6, 7)))
    wrapped = class_scores(scripted, torch.randn(2, 1, 8, 8))
    assert "inner.0" in dict(wrapped.named_modules())
    assert wrapped(torch.randn(3, 1, 8, 8)).shape == (3, 7)
