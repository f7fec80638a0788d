"""--tta five-crop / ten-crop: torchvision's crops at the side the model takes, averaged on one code path
(``inference.logits``) for validation, test predictions and the header, with the single-image accuracy beside."""

from __future__ import annotations

import pytest
import torch
import torchvision.transforms.functional as TF
from torch import nn

from fer_report.data import augment as A
from fer_report.errors import ConfigError
from fer_report.model.inference import Resized, logits, views


def crop_net(side: int) -> nn.Module:
    """A model that only runs at ``side`` x ``side`` (a Linear on the flattened pixels)."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(3 * side * side, 7)).eval()


@pytest.mark.parametrize("count", [5, 10])
def test_crops_at_the_models_side_are_torchvisions_crops_not_resampled(count):
    x = torch.rand(2, 1, 48, 48)
    ours = A.warp(x.repeat_interleave(count, 0), A.crop_theta(44 / 48, count).repeat(2, 1, 1), size=44)
    theirs = TF.five_crop(x, [44, 44]) if count == 5 else TF.ten_crop(x, [44, 44])
    # torchvision's ten crops cut the mirrored image: the same crops as our mirrored ones, corners swapped
    ours = ours.view(2, count, 1, 44, 44)
    for crop in theirs:
        assert min(float((ours[:, i] - crop).abs().max()) for i in range(count)) < 1e-5  # float32 grid arithmetic


@pytest.mark.parametrize("tta", ["five-crop", "ten-crop"])
def test_a_44_pixel_model_averages_torchvisions_crops_of_the_48_pixel_image(tta):
    model = Resized(crop_net(44), 44)
    x = torch.rand(3, 1, 48, 48)
    v = views(model, 48, tta=tta)
    assert (v.count, v.crop, v.stretched) == ((5 if tta == "five-crop" else 10), 44, False)
    crops = TF.five_crop(x, [44, 44]) if tta == "five-crop" else TF.ten_crop(x, [44, 44])
    with torch.no_grad():
        expected = torch.stack([model.inner(c) for c in crops]).mean(0)
        torch.testing.assert_close(logits(model, x, tta=tta), expected, atol=1e-5, rtol=1e-5)


def test_a_model_at_the_datas_side_gets_stretched_crops_and_ten_crop_training_is_unchanged():
    model = crop_net(48)
    v = views(model, 48, tta="ten-crop")
    assert (v.crop, v.stretched, v.trained) == (40, True, False)
    x = torch.rand(4, 1, 48, 48)
    with torch.no_grad():  # --ten-crop training's test: the old expression, bit for bit
        old = model(A.warp(x.repeat_interleave(10, 0), A.with_ten_crops(None, 4, x.device))).view(4, 10, -1).mean(1)
        assert torch.equal(logits(model, x, ten_crop=True), old)
        assert torch.equal(logits(model, x, tta="ten-crop"), old)
        flip = model(torch.cat([x, x.flip(-1)])).view(2, 4, -1).mean(0)
        assert torch.equal(logits(model, x, tta="flip"), flip)
    assert views(model, 48, ten_crop=True).trained and views(model, 48).count == 1


def test_many_images_are_cropped_in_calls_of_at_most_512_views():
    model = Resized(crop_net(44), 44)
    sizes = []
    model.inner[0].register_forward_hook(lambda m, i, o: sizes.append(i[0].shape[0]))
    x = torch.rand(120, 1, 48, 48)
    with torch.no_grad():
        out = logits(model, x, tta="ten-crop")
    assert out.shape == (120, 7) and max(sizes) <= 512 and sum(sizes) == 1200


def test_ten_crop_training_with_a_crop_tta_is_refused(tmp_path):
    from fer_report.config import load_settings

    with pytest.raises(ConfigError) as err:
        load_settings(None, {"ten_crop": True, "tta": "five-crop", "out": str(tmp_path)})
    assert "--tta five-crop with --ten-crop: a model trained on ten crops is tested on the same ten crops" in \
        str(err.value)


def test_a_given_crop_model_states_its_tta_with_the_single_image_accuracy(tmp_path):
    """A 44-pixel student model with --tta ten-crop: predictions, the header and the confusion section agree."""
    from fer_report.report.artifacts import Artefacts
    from fer_report.report.header import run_facts
    from fer_report.report.section import run_section
    from fer_report.sections import confusion
    from tests.conftest import tiny_settings
    from tests.test_network import student, with_weights

    info = student("crop44")
    weights = with_weights(tmp_path, info["file"], info["name"])
    settings = tiny_settings(tmp_path / "build", model=f"{info['file']}:{info['name']}", weights=weights,
                             input_size=44, tta="ten-crop")
    a = Artefacts(settings, tmp_path / "build", progress=False)
    p = a.get("predictions")
    t, ds = a.get("trained"), a.get("dataset")
    with torch.no_grad():
        x = t.inputs(ds.test.x)
        assert (p.test.y_pred == logits(t.model, x, tta="ten-crop").argmax(1).numpy()).all()
        assert (p.single.y_pred == t.model(x).argmax(1).numpy()).all()
    facts = run_facts(a)
    assert facts["tta"] == {"kind": "ten-crop", "views": 10, "side": 48, "crop": 44, "stretched": False,
                            "trained": False}
    assert facts["accuracy"]["single_test"] == p.single.accuracy
    result = run_section(confusion.section, a)
    assert result.text[1] == (f"Each prediction here is the mean of 10 views of the image (ten-crop, as the header "
                              f"says); on the single image the test accuracy is {p.single.accuracy:.1%}, so the "
                              f"averaging changes it by {100 * (p.test.accuracy - p.single.accuracy):+.1f} "
                              "percentage points.")
    assert result.tables["single"]["accuracy"] == p.single.accuracy
    import dataclasses

    from fer_report.report.render import environment

    env = environment()
    env.globals["inline"] = lambda path: path  # the figure's file, not its bytes
    html = env.get_template("sections/confusion.html.j2").render(s=dataclasses.asdict(result),
                                                                 t=confusion.section.text("en"))
    assert f"<tr><td>{ds.split_names['test']}, single image</td><td class=\"num\">{p.single.accuracy:.1%}</td>" in html


def test_the_header_says_how_the_views_were_taken():
    from fer_report.report.header import _tta_line
    from fer_report.report.i18n import Text

    crops = {"kind": "ten-crop", "views": 10, "side": 48, "crop": 44, "stretched": False, "trained": False}
    assert _tta_line(crops, Text("en")) == (
        "ten-crop: each image's class scores are the mean of the logits of 10 crops of 44x44 pixels (the four corners "
        "and the centre, and their mirror images) cut from the 48x48 image at the side the model takes, for "
        "validation and test alike")
    five = {**crops, "kind": "five-crop", "views": 5, "crop": 40, "stretched": True}
    assert "5 crops of 40x40 pixels (the four corners and the centre) of the 48x48 image, each resized back" in \
        _tta_line(five, Text("en"))
    assert _tta_line(None, Text("en")) is None and "十個 40x40" in _tta_line({**crops, "crop": 40, "trained": True},
                                                                            Text("zh-TW"))
