import dataclasses
import inspect
import re
from types import SimpleNamespace

import pytest
import torch

from fer_report.data import augment
from fer_report.training import train
from fer_report.data.augment import augment_batch
from fer_report.config import AUGMENT_POLICIES, Settings
from fer_report.report.render import environment
from fer_report.report.section import run_section
from fer_report.sections import augmentation_code as ac

EVERY = {"augment_batch", "draw_theta", "light_theta", "strong_theta", "ten_crop_theta", "compose", "with_ten_crops",
         "warp", "_affine_grid", "_base_grid", "draw_erasing", "erase", "box_mask", "draw_mix", "mix"}


def run(lang="en", **settings):
    return run_section(ac.section, None, settings=Settings(**settings), text=ac.section.text(lang))


def defined(code: str) -> set[str]:
    return set(re.findall(r"^(?:def|class) (\w+)", code, flags=re.M))


def check_excerpt(excerpt: str, first: int, last: int) -> None:
    """Every line shown is that line of train.py, in order, inside the stated range."""
    lines = inspect.getsource(train).splitlines()
    at = first - 1
    for line in excerpt.splitlines():
        if line.strip() == "...":
            continue
        at = lines.index(line, at)
        assert at <= last - 1
    assert lines[first - 1].startswith("def _train_epoch(")
    assert lines[last - 1].strip() == excerpt.splitlines()[-1].strip()


def test_the_default_light_policy_lists_what_ran_and_nothing_else():
    result = run()
    code, calls = (x["source"] for x in result.numbers["listings"])
    assert defined(code) == {"draw_theta", "light_theta", "warp", "_affine_grid", "_base_grid"}
    assert result.numbers["functions"] == ["draw_theta", "light_theta", "warp", "_affine_grid", "_base_grid"]
    assert "POLICIES = " in code and "import torch.nn.functional as F" in code and "TEN_CROP" not in code
    assert "draw_theta(settings.augment_policy, n, gen)" in calls and "xb = warp(xb, th)" in calls
    assert "xb, yb = view(rows)" in calls  # where the nested function that warps is called
    for absent in ("draw_erasing", "erase(", "draw_mix", "mix(", "with_ten_crops", "optimizer.step", "loss"):
        assert absent not in calls, absent
    check_excerpt(calls, *result.numbers["listings"][1]["lines"])
    assert result.text[0] == "This run trained with the 'light' augmentation policy, drawn anew for every batch."
    assert result.text[1].startswith("The code below (") and "draw_theta, warp, which the training step calls, " \
        "with the functions they use (light_theta, _affine_grid, _base_grid)" in result.text[1]


def test_the_listing_runs_and_computes_what_training_computed():
    namespace: dict = {}
    exec(compile(run().numbers["listings"][0]["source"], "listing", "exec"), namespace)
    x = torch.rand(4, 1, 12, 12)
    ours = namespace["warp"](x, namespace["draw_theta"]("light", 4, torch.Generator().manual_seed(3)))
    theirs = augment.warp(x, augment.draw_theta("light", 4, torch.Generator().manual_seed(3)))
    assert torch.equal(ours, theirs)


def test_the_strong_policy_adds_its_crop_and_random_erasing():
    result = run(augment_policy="strong")
    code, calls = (x["source"] for x in result.numbers["listings"])
    assert defined(code) == {"draw_theta", "strong_theta", "warp", "_affine_grid", "_base_grid", "draw_erasing",
                             "erase", "box_mask"}
    assert "draw_erasing(n * crops, gen, size)" in calls and "erase(xb, " in calls and "draw_mix" not in calls
    check_excerpt(calls, *result.numbers["listings"][1]["lines"])


def test_mixing_and_ten_crops_without_random_augmentation():
    result = run(augment=False, ten_crop=True, mixup=0.4)
    code, calls = (x["source"] for x in result.numbers["listings"])
    assert defined(code) == {"ten_crop_theta", "crop_theta", "compose", "with_ten_crops", "warp", "_affine_grid",
                             "_base_grid", "box_mask", "Mix", "draw_mix", "mix"}
    assert "CROPS = 10" in code and "from dataclasses import dataclass" in code
    assert "if m is not None:" in calls and "mix(xb, partner_x, m)" in calls and "draw_theta" not in calls
    check_excerpt(calls, *result.numbers["listings"][1]["lines"])
    assert result.text[:3] == ["Random augmentation was off in this run (--no-augment).",
                               "Every training image was also cut into ten crops (--ten-crop).",
                               "Training batches were also mixed: --mixup 0.4, --cutmix 0 (0 = off)."]


def test_no_augmentation_no_code():
    result = run(augment=False)
    assert result.numbers == {"functions": [], "listings": []}
    assert result.text[-1] == "No augmentation code ran in this run's training, so there is none to paste."
    assert run("zh-TW", augment=False).text[-1] == "本次訓練沒有執行任何 augmentation 程式碼，因此沒有可附上的程式碼。"


def test_every_call_and_policy_has_a_rule():
    called = ac.called(train._train_epoch)
    assert set(called) <= set(ac.RULES) and set(called) <= EVERY
    assert set(augment.POLICIES) | set(AUGMENT_POLICIES) <= set(ac.BRANCHES)


def fake_step(x, settings):
    return augment_batch(x, torch.Generator())


def test_a_call_without_a_rule_fails_instead_of_guessing(monkeypatch):
    monkeypatch.setattr(ac, "STEP", fake_step)
    with pytest.raises(RuntimeError, match=r"calls augment_batch, and the augmentation_code section has no rule"):
        run()


def test_a_given_model_is_skipped_with_the_students_own_script_named():
    given = SimpleNamespace(get=lambda name: SimpleNamespace(given=True, code={}))
    key, values = ac.TRAINED_HERE.check(given)
    assert ac.section.text("en")(key, **values).startswith("the model came trained (--weights or a saved model "
                                                           "file), so its data augmentation ran in your own")
    assert ac.TRAINED_HERE.check(SimpleNamespace(get=lambda name: SimpleNamespace(given=False, code={}))) is None
    with_code = SimpleNamespace(get=lambda name: SimpleNamespace(given=True, code={"augmentation": "train.py"}))
    assert ac.TRAINED_HERE.check(with_code) is None  # --code augmentation=... answers it


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_template_shows_both_listings_highlighted(lang, tiny_artefacts):
    result = run_section(ac.section, tiny_artefacts, text=ac.section.text(lang))
    html = environment().get_template("sections/augmentation_code.html.j2").render(
        s=dataclasses.asdict(result), t=ac.section.text(lang))
    assert html.count('<pre class="source-code">') == 2 and "<style>" in html
    assert ">draw_theta<" in html and ("lines" in html or "行" in html)
