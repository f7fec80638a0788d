import copy
import dataclasses
from pathlib import Path

import pytest
import torch
from torch import nn

from fer_report.report.artifacts import Artefacts
from fer_report.model.inference import InputSpec
from fer_report.model.network import Network
from fer_report.report.render import environment
from fer_report.report.section import run_section
from fer_report.sections import pretrained
from fer_report.training.train import Trained
from tests.conftest import tiny_settings

HALF_FROZEN = '''
import torch.nn as nn


class HalfFrozen(nn.Module):
    """A frozen "backbone" and a trainable head, as a transfer-learning script freezes it."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                                      nn.Flatten())
        self.head = nn.Linear(32, 7)
        for p in self.backbone.parameters():
            p.requires_grad = False

    def forward(self, x):
        return self.head(self.backbone(x))
'''
BACKBONE, HEAD = 8 * 1 * 3 * 3 + 8, 32 * 7 + 7  # 80 and 231 parameters


@pytest.fixture(scope="module")
def model_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("student") / "half_frozen.py"
    path.write_text(HALF_FROZEN)
    return path


def artefacts_of(settings, tiny_artefacts) -> Artefacts:
    """The run's artefacts on the session's tiny faces (generated once, not per test)."""
    artefacts = Artefacts(settings, Path(settings.out), progress=False)
    artefacts._values["dataset"] = tiny_artefacts.get("dataset")
    return artefacts


def test_a_half_frozen_model_trained_here(model_file, tmp_path, tiny_artefacts):
    settings = tiny_settings(tmp_path / "build", model=f"{model_file}:HalfFrozen", epochs=1)
    artefacts = artefacts_of(settings, tiny_artefacts)
    result = run_section(pretrained.section, artefacts)
    n = result.numbers
    assert (n["params"], n["trainable"], n["frozen"]) == (BACKBONE + HEAD, HEAD, BACKBONE)
    assert n["frozen_parts"] == ["backbone"] and n["kind"] == "python" and not n["given"]
    rows = {r["name"]: r for r in n["modules"]}
    assert rows["backbone"] == {"name": "backbone", "params": BACKBONE, "trainable": 0, "frozen": BACKBONE,
                                "changed": 0}  # frozen: training left it exactly as it started
    assert rows["head"]["changed"] == HEAD and n["changed"] == HEAD
    assert result.text[0] == f"The model is your own HalfFrozen (from {model_file}), trained by this run with " \
                             "fer-report's recipe."
    assert f"{HEAD:,} of its {BACKBONE + HEAD:,} parameters are trainable (requires_grad=True) and {BACKBONE} are " \
           f"frozen ({BACKBONE / (BACKBONE + HEAD):.1%})." in result.text
    assert f"Frozen (requires_grad=False): backbone; training updated only the other {HEAD} parameters." in result.text
    assert f"All {BACKBONE} frozen parameters are among those unchanged." in result.text
    assert result.text[-1].startswith("Why this model, and why freeze or fine-tune, is your own decision")

    zh = run_section(pretrained.section, artefacts, text=pretrained.section.text("zh-TW"))
    assert f"被凍結的部分（requires_grad=False）：backbone；訓練只更新其餘 {HEAD} 個參數。" in zh.text
    env = environment()
    html = env.get_template("sections/pretrained.html.j2").render(s=dataclasses.asdict(zh),
                                                                   t=pretrained.section.text("zh-TW"))
    assert "<code>backbone</code>" in html and "訓練中改變" in html and html.count("<tr") == 4


def test_a_given_model_says_only_what_the_weights_can_tell(model_file, tmp_path, tiny_artefacts):
    from fer_report.model.user_model import load_user_model

    weights = tmp_path / "best.pth"
    torch.save(load_user_model(f"{model_file}:HalfFrozen").state_dict(), weights)
    settings = tiny_settings(tmp_path / "build", model=f"{model_file}:HalfFrozen", weights=str(weights))
    result = run_section(pretrained.section, artefacts_of(settings, tiny_artefacts))
    assert result.numbers["given"] and result.numbers["changed"] is None
    assert result.text[0] == (f"The model is HalfFrozen, given already trained ({weights}): its training happened "
                              "in your own script, not in this run.")
    assert any(line.startswith("A weights file does not record which parameters its training updated") and
               f"{HEAD} of the {BACKBONE + HEAD} parameters have requires_grad=True" in line for line in result.text)
    assert not any("fine-tuned the entire network" in line or "from scratch" in line for line in result.text)


def test_pretrained_weights_fine_tuned_everywhere(tmp_path):
    start = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 7))
    trained = copy.deepcopy(start)
    with torch.no_grad():
        trained[1].bias += 1  # training changed only the last bias: 7 parameters
    weights = tmp_path / "resnet18-imagenet.pth"
    weights.write_bytes(b"")  # only its name is read here
    settings = tiny_settings(tmp_path, model="resnet18", pretrained=str(weights))
    spec = InputSpec(channels=1, size=48)
    result = run_section(pretrained.section, None, settings=settings, text=pretrained.section.text("en"),
                         net=Network(model=start, spec=spec, kind="builtin", given=False), network=start,
                         trained=Trained.given(trained, spec))
    assert result.text[:2] == ["The model is fer-report's built-in resnet18, trained by this run.",
                               f"Training started from the pretrained weights in {weights} (--pretrained)."]
    assert "No parameter was frozen, so training fine-tuned the entire network, the pretrained backbone included." \
        in result.text
    total = 4 * 3 + 3 + 3 * 7 + 7
    assert (f"Compared with the weights training started from, 7 parameters changed and {total - 7} are exactly as "
            "they started.") in result.text
    assert result.numbers["frozen_parts"] == [] and result.numbers["pretrained"] == str(weights)


def test_everything_frozen_and_a_frozen_parameter_of_the_model_itself():
    model = nn.Sequential(nn.Linear(2, 2))
    model.register_parameter("scale", nn.Parameter(torch.ones(1), requires_grad=False))
    assert pretrained.frozen_parts(model) == ["scale"]
    for p in model.parameters():
        p.requires_grad = False
    assert pretrained.frozen_parts(model) == [""]


def test_the_sessions_cnn4_was_trained_from_scratch(tiny_artefacts):
    result = run_section(pretrained.section, tiny_artefacts)
    n = result.numbers
    assert n["frozen"] == 0 and n["trainable"] == n["params"] == 318_055 and n["pretrained"] is None
    assert n["changed"] == n["params"]  # every parameter moved in the two epochs
    assert "No pretrained weights were used: training started from random initial weights (seed 0)." in result.text
    assert "No parameter was frozen: the whole network was trained from scratch, so there was no pretrained " \
           "backbone to freeze or fine-tune." in result.text


@pytest.mark.filterwarnings("ignore::FutureWarning")  # torch.jit is deprecated, students still save with it
def test_a_saved_whole_model_is_named_as_given(tmp_path, tiny_artefacts):
    path = tmp_path / "model.pt"
    torch.jit.save(torch.jit.script(nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, 7))), path)
    result = run_section(pretrained.section, artefacts_of(tiny_settings(tmp_path / "build", model=str(path)),
                                                          tiny_artefacts))
    assert result.text[0] == (f"The model is the saved model {path}, given already trained: its training happened "
                              "in your own script, not in this run.")
    assert result.numbers["kind"] == "torchscript" and result.numbers["params"] == 48 * 48 * 7 + 7
