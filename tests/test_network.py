"""The user's own model in the report: every section runs (or is skipped with its reason) on models as
students write them, given as a class and a checkpoint, with nothing trained."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from fer_report.report.artifacts import Artefacts
from fer_report.report.requirements import unmet
from fer_report.report.section import load_sections, run_section
from tests.conftest import tiny_settings

MODELS = Path(__file__).parent / "models" / "student_models"
SECTIONS = load_sections()
# no training here and no log given; the extra-training sections (normalization, semi_supervised) train the student's
# class only when a preset or --sections asks for them
GIVEN_SKIPS = {"history", "augmentation", "augmentation_code", "normalization", "semi_supervised"}


def student(file: str) -> dict:
    spec = importlib.util.spec_from_file_location(f"_student_{file}", MODELS / f"{file}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {**module.INPUT, "file": MODELS / f"{file}.py"}


@pytest.fixture(autouse=True)
def small_explanations(monkeypatch):
    """Every section's real code, on fewer images and steps: the point is that each runs on each model."""
    from fer_report.explain import lime_maps
    from fer_report.sections import filters, gradcam, lime, saliency

    for module, name, value in ((saliency, "N_FAITH", 6), (gradcam, "N_FAITH", 6), (lime, "N_FAITH", 0),
                                (lime_maps, "NUM_SAMPLES", 24), (filters, "ASCENT_STEPS", 2),
                                (filters, "MAX_FILTERS", 4), (saliency, "SMOOTH_SAMPLES", 2)):
        monkeypatch.setattr(module, name, value)


@pytest.fixture(scope="module")
def few_faces():
    """The tiny synthetic set with 3 validation and test faces per class: enough for every section to run."""
    from dataclasses import replace

    from fer_report.data.dataset import Split
    from fer_report.data.synthetic import make_synthetic

    ds = make_synthetic(seed=0, size="tiny")

    def few(split: Split) -> Split:
        keep = np.sort(np.concatenate([np.flatnonzero(split.y == k)[:3] for k in range(7)]))
        return Split(x=split.x[keep], y=split.y[keep], regions=split.regions[keep])

    return replace(ds, val=few(ds.val), test=few(ds.test))


def run_all(settings, dataset=None) -> dict[str, str]:
    """Each section's status as the build would record it: ok, or skipped with the reason's key."""
    artefacts = Artefacts(settings, Path(settings.out), progress=False)
    if dataset is not None:
        artefacts._values["dataset"] = dataset  # the same faces for every model, loaded once
    status = {}
    for name, section in SECTIONS.items():
        if name in ("math", "dnn"):  # the derivations do not look at the model; dnn trains our own net, sized to it
            continue  # (tests/sections/test_dnn_student.py)
        reason = unmet(section.requires, artefacts)
        if reason is not None:
            status[name] = reason[0]
            continue
        result = run_section(section, artefacts)
        assert result.text, name
        status[name] = "ok"
    return status


def with_weights(tmp_path: Path, model_file: Path, name: str, args: dict | None = None) -> str:
    """Save the model's freshly initialised state dict the way a student's script would."""
    from fer_report.model.user_model import load_user_model

    model = load_user_model(f"{model_file}:{name}", args=args)
    path = tmp_path / "best.pth"
    torch.save({"epoch": 5, "model_state_dict": model.state_dict()}, path)
    return str(path)


STUDENT_FILES = ["keras_style", "inplace_activations", "functional_forward", "functional_inplace", "shared_relu", "view_flatten",
                 "required_args", "cuda_default", "rgb_input", "crop44", "softmax_output", "log_softmax_output",
                 "tuple_output", "vggish", "build_function", "helper_after", "grey_to_rgb", "dense_only",
                 "resnet_wrapper"]


@pytest.mark.parametrize("file", STUDENT_FILES)
def test_every_section_runs_on_a_students_model_with_given_weights(tmp_path, file, few_faces):
    info = student(file)
    weights = with_weights(tmp_path, info["file"], info["name"], info.get("args"))
    settings = tiny_settings(tmp_path / "build", model=f"{info['file']}:{info['name']}", weights=weights,
                             model_args=info.get("args") or {}, input_size=64 if file == "resnet_wrapper" else None)
    status = run_all(settings, few_faces)
    expected_skips = GIVEN_SKIPS | ({"filters", "gradcam"} if file == "dense_only" else set())
    assert {n for n, s in status.items() if s != "ok"} == expected_skips, status
    assert status["history"] == "req.history" and status["augmentation"] == "aug.req_ask"  # --sections augmentation trains it


def test_the_spec_and_output_come_from_the_model(tmp_path):
    info = student("rgb_input")
    settings = tiny_settings(tmp_path, model=f"{info['file']}:{info['name']}")
    artefacts = Artefacts(settings, tmp_path, progress=False)
    net = artefacts.get("net")
    assert (net.spec.channels, net.spec.size, net.spec.normalize, net.given) == (3, 48, "0-1", False)
    trained = artefacts.get("trained")
    assert trained.model(trained.inputs(artefacts.get("dataset").test.x[:2])).shape == (2, 7)
    crop = student("crop44")
    net = Artefacts(tiny_settings(tmp_path, model=f"{crop['file']}:{crop['name']}"), tmp_path).get("net")
    assert (net.spec.size, net.spec.meta["model_size"]) == (48, 44)  # runs at 44, not the data's 48: resized
    assert "1x44x44 (the 48x48 images resized)" in net.spec.describe()
    soft = student("softmax_output")
    net = Artefacts(tiny_settings(tmp_path, model=f"{soft['file']}:{soft['name']}"), tmp_path).get("net")
    x = torch.rand(3, 1, 48, 48)
    assert net.output == "probabilities"
    assert torch.allclose(torch.softmax(net.model(x), 1), net.model.inner(x), atol=1e-5)


def test_a_class_order_other_than_fer2013s_is_put_back_in_order(tmp_path):
    info = student("keras_style")
    order = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]  # ImageFolder's alphabetical one
    plain = Artefacts(tiny_settings(tmp_path, model=f"{info['file']}:{info['name']}"), tmp_path).get("net").model
    torch.manual_seed(0)
    reordered = Artefacts(tiny_settings(tmp_path, model=f"{info['file']}:{info['name']}", classes=order),
                          tmp_path).get("net").model
    reordered.load_state_dict(plain.state_dict())
    x = torch.rand(4, 1, 48, 48)
    with torch.no_grad():
        a, b = plain.eval()(x), reordered.eval()(x)
    assert torch.equal(b[:, 4], a[:, 5]) and torch.equal(b[:, 6], a[:, 4]) and torch.equal(b[:, 5], a[:, 6])
    assert torch.equal(b[:, :4], a[:, :4])


def test_a_users_class_without_weights_is_trained_with_our_recipe(tmp_path):
    info = student("keras_style")
    settings = tiny_settings(tmp_path / "build", model=f"{info['file']}:{info['name']}", epochs=1)
    artefacts = Artefacts(settings, Path(settings.out), progress=False)
    t = artefacts.get("trained")
    assert t.trained_here and len(t.history) == 1 and t.spec.normalize == "0-1"
    again = Artefacts(settings, Path(settings.out), progress=False).get("trained")
    assert again.seconds == 0.0  # cached by the file's content
    edited = tmp_path / "model.py"
    edited.write_text(info["file"].read_text() + "\n# edited\n")
    settings2 = tiny_settings(tmp_path / "build", model=f"{edited}:{info['name']}", epochs=1)
    from fer_report.training.cache import cache_key
    from fer_report.model.inference import resolve_device

    ds = artefacts.get("dataset")
    assert cache_key(settings, ds, resolve_device("cpu")) != cache_key(settings2, ds, resolve_device("cpu"))
    assert np.isfinite(t.history[0]["train_loss"])


def test_the_near_chance_warning_names_the_side_the_model_runs_at(caplog):
    """--input-size 40 on 48x48 data: the warning says 40x40 (the flag was applied), not the data's 48x48."""
    from fer_report.config import Settings
    from fer_report.model.inference import InputSpec
    from fer_report.report.artifacts import SplitPredictions, warn_if_near_chance

    y = np.repeat(np.arange(7), 10)
    val = SplitPredictions(y_true=y, y_pred=np.zeros_like(y), probs=np.full((70, 7), 1 / 7))
    spec = InputSpec(channels=1, size=48, normalize="0-1", meta={"model_size": 40})
    warn_if_near_chance(val, Settings(), spec, 7)
    assert "(now 40x40, the 48x48 images resized, 1 channel(s); --input-size)" in caplog.text
    caplog.clear()
    warn_if_near_chance(val, Settings(tta="ten-crop"), spec, 7)
    assert "(now 40x40, crops of the 48x48 images (--tta ten-crop), 1 channel(s); --input-size)" in caplog.text
    caplog.clear()
    warn_if_near_chance(val, Settings(), InputSpec(channels=3, size=48, normalize="0-1"), 7)
    assert "(now 48x48, 3 channel(s); --input-size)" in caplog.text
