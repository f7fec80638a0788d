import warnings

import torch
import torchvision
from torch import nn

from fer_report.config import Settings
from fer_report.data.synthetic import make_synthetic
from fer_report.model.builtin import build_model
from fer_report.model.inference import InputSpec, fitted_spec
from fer_report.model.network import Network
from fer_report.sections import architecture
from tests.explain import student_models

DATA = make_synthetic(seed=0, size="tiny")


def run(model: str, lang: str = "en", *, network: nn.Module | None = None, kind: str = "builtin",
        spec: InputSpec | None = None):
    network = build_model(model) if network is None else network
    spec = spec or fitted_spec(DATA.train.x)
    net = Network(model=network, spec=spec, kind=kind, given=False)
    return architecture.section.run(settings=Settings(model=model), dataset=DATA, network=network, net=net, spec=spec,
                                    text=architecture.section.text(lang))


def test_cnn4_reports_keras_parameter_count():
    r = run("cnn4")
    assert (r.numbers["total_params"], r.numbers["trainable_params"], r.numbers["buffer_params"]) == \
        (319_975, 318_055, 1_920)
    assert "319,975 parameters" in r.text[0] and "318,055 trainable" in r.text[0] and "1,920" in r.text[0]
    assert r.tables["layers"][0]["shape"] == "(None, 32, 48, 48)"
    assert r.text[-1].startswith("Shapes along the network: 1x48x48 → 32x48x48") and not r.tables["blocks"]


def test_table_rows_add_up_to_the_totals():
    r = run("cnn3", lang="zh-TW")
    rows = r.tables["layers"]
    assert sum(x["trainable"] for x in rows) == r.numbers["trainable_params"]
    assert sum(x["buffers"] for x in rows) == r.numbers["buffer_params"]
    assert "參數" in r.text[0]


def test_needs_no_training():
    assert "trained" not in architecture.section.needs and "predictions" not in architecture.section.needs


def test_a_students_resnet_says_where_the_residual_additions_are():
    r = run("model.py:ResNet", network=student_models.resnet18(width=8), kind="python",
            spec=InputSpec(channels=1, size=48, normalize="0-1"))
    assert [b["name"] for b in r.tables["blocks"]] == ["layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0",
                                                       "layer3.1", "layer4.0", "layer4.1"]
    down = r.numbers["residual_blocks"][2]
    assert (down["input"], down["output"], down["shortcut"], down["shortcut_convs"], down["branch_convs"]) == \
        ([8, 48, 48], [16, 24, 24], "layer2.0.shortcut", ["1x1 conv, stride 2"], 2)
    assert r.tables["blocks"][0]["shortcut"] == "identity"
    flow = next(t for t in r.text if t.startswith("Shapes along the network, each residual block"))
    # the stem conv, then one step per block: no shortcut conv and no conv inside a block in the flow
    assert flow.endswith(": 1x48x48 → 8x48x48 → ⊕ 8x48x48 (layer1.0) → ⊕ 8x48x48 (layer1.1) → ⊕ 16x24x24 (layer2.0) → "
                         "⊕ 16x24x24 (layer2.1) → ⊕ 32x12x12 (layer3.0) → ⊕ 32x12x12 (layer3.1) → ⊕ 64x6x6 (layer4.0) → "
                         "⊕ 64x6x6 (layer4.1) → 7.")
    assert r.text[-1] == (
        "The forward pass has 8 residual additions: each of these blocks adds a shortcut from its input to the output "
        "of its branch (2 convolutions), then applies its activation: layer1.0, layer1.1 (BasicBlock, 8x48x48, "
        "identity shortcut); layer2.0 (BasicBlock, 8x48x48 → 16x24x24; shortcut layer2.0.shortcut: 1x1 conv, "
        "stride 2); layer2.1 (BasicBlock, 16x24x24, identity shortcut); layer3.0 (BasicBlock, 16x24x24 → 32x12x12; "
        "shortcut layer3.0.shortcut: 1x1 conv, stride 2); layer3.1 (BasicBlock, 32x12x12, identity shortcut); "
        "layer4.0 (BasicBlock, 32x12x12 → 64x6x6; shortcut layer4.0.shortcut: 1x1 conv, stride 2); layer4.1 "
        "(BasicBlock, 64x6x6, identity shortcut).")
    zh = run("model.py:ResNet", "zh-TW", network=student_models.resnet18(width=8), kind="python",
             spec=InputSpec(channels=1, size=48, normalize="0-1"))
    assert zh.text[-1].startswith("forward pass 中有 8 處 residual 相加")


def test_torchvisions_bottlenecks_are_listed_with_their_downsample():
    model = torchvision.models.resnet50(num_classes=7)
    model.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    r = run("resnet50", network=model, kind="python", spec=InputSpec(channels=1, size=64, normalize="0-1"))
    blocks = r.numbers["residual_blocks"]
    assert len(blocks) == 16 and {b["kind"] for b in blocks} == {"Bottleneck"}
    assert (blocks[0]["shortcut"], blocks[0]["shortcut_convs"], blocks[0]["branch_convs"]) == \
        ("layer1.0.downsample", ["1x1 conv"], 3)
    assert blocks[1]["identity"] and blocks[3]["shortcut_convs"] == ["1x1 conv, stride 2"]


def test_an_onnx_export_says_batchnorm_was_folded_into_the_convs(tmp_path):
    from fer_report.model.weights import load_model_file

    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                          nn.Linear(4 * 48 * 48, 7)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.randn(2, 1, 48, 48),), str(tmp_path / "m.onnx"), dynamo=False,
                          input_names=["x"], dynamic_axes={"x": {0: "n"}})
    loaded, _ = load_model_file(tmp_path / "m.onnx")
    r = run("m.onnx", network=loaded, kind="onnx", spec=InputSpec(channels=1, size=48, normalize="0-1"))
    assert r.numbers["total_params"] == sum(p.numel() for p in model.parameters()) - 8  # gamma, beta of 4 channels
    assert r.text[1].startswith("m.onnx is an ONNX export, converted back into PyTorch layers (onnx2torch), so the "
                                "table counts the exported graph, which has no BatchNorm layer: torch.onnx.export "
                                "(in eval mode, its default) folds each BatchNorm")
    assert not any("ONNX" in t for t in run("cnn3").text)


def test_the_blocks_table_renders_when_there_are_blocks_and_only_then():
    import dataclasses

    from fer_report.report.render import environment

    template = environment().get_template("sections/architecture.html.j2")
    t = architecture.section.text("en")
    resnet = dataclasses.asdict(run("model.py:ResNet", network=student_models.resnet18(width=8), kind="python",
                                    spec=InputSpec(channels=1, size=48, normalize="0-1")))
    html = template.render(s=resnet, t=t)
    assert html.count('<table class="data">') == 2 and "<code>layer2.0</code>" in html
    assert "layer2.0.shortcut 1x1 conv, stride 2" in html
    plain = dataclasses.asdict(run("cnn3"))
    assert template.render(s=plain, t=t).count('<table class="data">') == 1
    keras_like = {**plain, "tables": {"layers": plain["tables"]["layers"]}}  # the Keras branch has no blocks table
    assert template.render(s=keras_like, t=t).count('<table class="data">') == 1
