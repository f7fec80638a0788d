import dataclasses
import json

import numpy as np
import pytest
import torch
from skimage.filters import sobel
from torch import nn

from fer_report.report.artifacts import Predictions, SplitPredictions
from fer_report.explain import lime_maps
from fer_report.explain.methods import METHODS, MethodInfo
from fer_report.model.inference import InputSpec
from fer_report.report.section import check, run_section
from fer_report.sections import methods
from fer_report.training.train import Trained
from tests.explain.known_answer import MouthNet, mouth_artefacts

FAITHFUL = ("gradient", "smoothgrad", "integrated_gradients", "gradcam", "occlusion")  # exact on MouthNet's strips


@pytest.fixture(autouse=True)
def small(monkeypatch):
    """Fewer images, steps and LIME samples: the tests check what the numbers say, not how precisely."""
    monkeypatch.setattr(methods, "N_IMAGES", 3)
    monkeypatch.setattr(methods, "N_SANITY", 1)
    monkeypatch.setattr(methods, "CASCADE_STEPS", 2)
    monkeypatch.setattr(lime_maps, "NUM_SAMPLES", 80)


@pytest.fixture
def mouth(tiny_artefacts):
    return mouth_artefacts(tiny_artefacts.dataset)


def edges(model, x, targets, *, layer=None, seed=0, signed=False, to_input=None):
    """A "method" that never looks at the model: the Sobel edge magnitude of the input."""
    return np.stack([sobel(img) for img in x[:, 0].detach().cpu().numpy()]).astype(np.float32)


def as_given(model: nn.Module, dataset, spec: InputSpec) -> dict:
    """``dataset``, ``trained`` and ``predictions`` of a hand-made model whose own answers are the test labels."""
    trained = Trained.given(model, spec)
    with torch.no_grad():
        probs = torch.softmax(model(trained.inputs(dataset.test.x)), 1).numpy()
    y = probs.argmax(1)
    split = SplitPredictions(y_true=y, y_pred=y, probs=probs)
    return {"dataset": dataclasses.replace(dataset, test=dataclasses.replace(dataset.test, y=y)), "trained": trained,
            "predictions": Predictions(test=split, val=split)}


def render(result, lang: str) -> str:
    from fer_report.report.render import environment

    env = environment()
    env.globals["inline"] = lambda path: "data:,"
    env.globals["t"] = methods.section.text(lang)
    figs = [{**dataclasses.asdict(f), "number": 1, "label": "Figure 1"} for f in result.figures]
    return env.get_template("sections/methods.html.j2").render(s={"figures": figs, "text": result.text,
                                                                 "tables": result.tables})


def test_every_method_is_ranked_on_a_tiny_trained_cnn4(tiny_artefacts):
    check(methods.section, "methods")
    result = run_section(methods.section, tiny_artefacts)
    n = result.numbers
    json.dumps(n, allow_nan=False)  # report.json
    assert (n["cam_layer"], n["hooked"]) == ("features.conv3", "features.relu3")  # as the Grad-CAM section
    assert len(n["images"]) == 3 and n["sanity_images"] == n["images"][:1] and n["left_out"] == {}
    pred = tiny_artefacts.predictions.test
    assert all(pred.y_true[i] == pred.y_pred[i] for i in n["images"])
    right = {int(c) for c in pred.y_true[pred.y_true == pred.y_pred]}
    assert len({int(pred.y_true[i]) for i in n["images"]}) == min(3, len(right))  # one per class, as far as they go
    rows = result.tables["ranking"]
    assert [r["rank"] for r in rows] == list(range(1, 10))
    assert {r["method"] for r in rows} == {m.display for m in METHODS.values()}
    for r in rows:
        assert 0 <= r["pointing_game"] <= 1 and 0 <= r["mass_inside"] <= 1 and 0 < r["chance"] < 1
        assert 0 <= r["deletion_auc"] <= 1 and 0 <= r["insertion_auc"] <= 1 and r["seconds_per_image"] > 0
        assert -1 <= r["sanity"] <= 1 and r["run"] == 5
    assert [len(r["sanity"]) for r in n["ranking"]] == [2] * 9  # CASCADE_STEPS
    assert [f.path for f in result.figures] == ["figures/methods.png"]
    assert (tiny_artefacts.figures.build_dir / "figures/methods.png").stat().st_size > 5000
    assert result.text[0].startswith("9 explanation methods explain the same 3 correctly classified")
    assert "Only 3 images, 1 of them for the randomisation check" in result.text[1]
    assert "use layer features.relu3 (12x12)" in result.text[2]
    html = render(result, "en")
    assert html.count("<tr>") == 10 and "Randomised ρ" in html and "✓" in html


def test_known_answer_the_faithful_methods_point_at_the_mouth_and_an_edge_detector_fails(
        tiny_artefacts, mouth, monkeypatch):
    """MouthNet reads only the mouth: the faithful methods must point there; a map that ignores the weights
    (Sobel edges of the input) must fail the randomisation check, rank after the others and be named."""
    monkeypatch.setitem(METHODS, "edges", MethodInfo("edges", "Sobel edges", "scikit-image", False, "|sobel|", edges))
    result = run_section(methods.section, tiny_artefacts, **mouth)
    by = {r["method"]: r for r in result.numbers["ranking"]}
    assert result.numbers["hooked"] == "conv" and len(by) == 10
    for name in FAITHFUL:
        assert by[name]["pointing_game"] == 1.0 and by[name]["tests"]["pointing"], name
        assert by[name]["mass_inside"] > 3 * by[name]["chance"] and by[name]["tests"]["mass"], name  # occlusion spills
    v = result.numbers["verdict"]
    assert v["trust"] in FAITHFUL and by[v["trust"]]["rank"] == 1
    assert "edges" in v["fails_sanity"] and by["edges"]["sanity_similarity"] == pytest.approx(1.0)
    assert by["edges"]["rank"] > max(r["rank"] for r in by.values() if r["tests"]["sanity"])
    for name in ("gradient", "integrated_gradients", "gradcam"):
        assert by[name]["tests"]["sanity"] and by[name]["sanity_similarity"] < 0.5, name
    assert result.text[3].startswith(f"Trust {METHODS[v['trust']].display} on this model: it ranks first")
    assert any(line.startswith("Sobel edges explains the image, not the model") and "correlation 1.00" in line
               for line in result.text)
    assert "in 100% of the images" in next(line for line in result.text if line.startswith("Its strongest pixel"))
    row = next(r for r in result.tables["ranking"] if r["method"] == "Sobel edges")
    assert row["tests"]["sanity"] is False and row["sanity"] == pytest.approx(1.0)
    assert "1.00 ✗" in render(result, "en")


def test_without_cue_regions_the_cue_columns_are_empty_with_the_reason_in_zh_tw(tiny_artefacts, mouth):
    data = mouth["dataset"]
    real = dataclasses.replace(data, name="my_faces.csv", test=dataclasses.replace(data.test, regions=None))
    result = run_section(methods.section, tiny_artefacts, **{**mouth, "dataset": real},
                         text=methods.section.text("zh-TW"))
    for r in result.numbers["ranking"]:
        assert r["pointing_game"] is None and r["mass_inside"] is None and r["chance"] is None
        assert r["tests"]["pointing"] is None and r["tests"]["mass"] is None
        assert np.isfinite(r["deletion_auc"]) and r["tests"]["deletion"] is not None
    assert result.numbers["regions_reason"] == "meth.no_regions"
    assert result.numbers["verdict"]["tests_run"] == ["deletion", "insertion", "sanity"]
    assert any("my_faces.csv" in line and "沒有真實的表情線索區域" in line for line in result.text)
    assert result.text[0].startswith("9 種解釋方法")
    html = render(result, "zh-TW")
    assert "隨機化 ρ" in html and "可以信任" in html and html.count('<td class="num">–</td>') == 9 * 3


def test_a_model_without_conv_layers_keeps_the_other_methods(tiny_artefacts):
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(48 * 48, 16), nn.ReLU(), nn.Linear(16, 7))
    result = run_section(methods.section, tiny_artefacts,
                         **as_given(mlp, tiny_artefacts.dataset, InputSpec(mean=(0.5,), std=(0.25,))))
    n = result.numbers
    assert n["cam_layer"] is None and set(n["left_out"]) == {"gradcam", "gradcam_plusplus", "guided_gradcam"}
    assert set(n["methods"]) == set(METHODS) - set(n["left_out"]) and len(n["ranking"]) == 6
    assert "Grad-CAM is left out: it needs a convolutional layer and this model has none." in result.text
    assert not any("use layer" in line for line in result.text)


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")
def test_a_torchscript_model_leaves_out_the_methods_that_hook_layers(tiny_artefacts, mouth):
    scripted = Trained.given(torch.jit.script(MouthNet().eval()), mouth["trained"].spec)
    result = run_section(methods.section, tiny_artefacts, **{**mouth, "trained": scripted})
    n = result.numbers
    assert set(n["left_out"]) == {"gradcam", "gradcam_plusplus", "guided_gradcam", "guided_backprop"}
    assert n["ranking"][0]["pointing_game"] == 1.0 and len(n["ranking"]) == 5
    assert any(line.startswith("Guided Backprop is left out: it hooks the model's layers") for line in result.text)


def test_a_near_constant_model_ties_every_method_and_the_text_says_why(tiny_artefacts):
    """Issue 28: on a near-constant model "Trust Integrated Gradients ... passing 3 of the 3 tests" stood on a
    deletion AUC of 0.197159 against 0.197171. Its outputs barely move: no deletion or insertion test passes,
    and the text names the usual cause instead of a winner."""
    import copy

    flat = copy.deepcopy(tiny_artefacts.trained.model).eval()
    with torch.no_grad():
        flat.classifier.fc3.weight.mul_(1e-4)  # the class scores barely depend on the image
    spec = tiny_artefacts.trained.spec
    result = run_section(methods.section, tiny_artefacts, **as_given(flat, tiny_artefacts.dataset, spec))
    ranking, v = result.numbers["ranking"], result.numbers["verdict"]
    assert v["all_tie"] and len(v["ties"]) == 9 and v["response"] < 0.05
    assert not any(r["tests"]["deletion"] or r["tests"]["insertion"] for r in ranking)
    assert all(r["effects"]["deletion"] == "negligible" for r in ranking)
    line = next(t for t in result.text if t.startswith("No method's deletion or insertion curve differs"))
    assert "because the model's output barely changes" in line and "untrained or collapsed weights" in line
    assert v["unresponsive"] and v["trust"] is None and not any(t.startswith(("Trust ", "No method can be trusted"))
                                                                 for t in result.text)
    assert "and by at least 0.01" in result.text[0]


def test_a_small_budget_takes_the_smallest_counts_and_the_estimate_counts_what_ran(tiny_artefacts):
    from fer_report.explain.budget import Budget

    small = Budget(1e-6, tiny_artefacts.budget.cost)  # the predictions and the cost measured before counting
    tiny_artefacts.predictions
    before = tiny_artefacts.evaluations.snapshot()
    result = run_section(methods.section, tiny_artefacts, budget=small)
    used = tiny_artefacts.evaluations.snapshot() - before
    n = result.numbers
    assert n["budget"]["counts"] == {"images": 2, "sanity": 1, "steps": 2, "lime": 80} and n["budget"]["over_budget"]
    assert (len(n["images"]), len(n["sanity_images"]), n["cascade_steps"], n["lime_samples"]) == (2, 1, 2, 80)
    assert any("2 images ranked instead of 3" in line for line in result.text)
    assert len(n["methods"]) == len(METHODS)  # every method ran: the estimate counts them all
    forward_only, gradient = methods.cost(n["budget"]["counts"], 48)
    assert used.backward == gradient
    assert 0 <= used.forward - (forward_only + gradient) <= 3  # and the passes on one image that find the layer
