import numpy as np
import pytest
import torch

from fer_report.data.synthetic import make_synthetic
from fer_report.explain import lime_maps
from fer_report.explain.faithfulness import mass_inside, pointing_game
from fer_report.model.inference import InputSpec
from tests.explain.known_answer import MEAN, MouthNet, mouth_artefacts


@pytest.fixture(scope="module")
def faces():
    return make_synthetic(size="tiny").test


def test_slic_cuts_a_face_into_tens_of_segments_where_quickshift_gives_a_few(faces):
    from skimage.color import gray2rgb
    from skimage.segmentation import quickshift

    for img in faces.x[:4]:
        seg = lime_maps.slic_segments(img)
        assert seg.shape == (48, 48) and seg.min() == 0 and 25 <= seg.max() + 1 <= 80
        assert np.array_equal(np.unique(seg), np.arange(seg.max() + 1))
        # lime's default on the same [0, 1] image: too few segments to say anything about a face
        assert len(np.unique(quickshift(gray2rgb(img / 255.0), kernel_size=4, max_dist=200, ratio=0.2))) <= 8


def test_grayscale_adapter_feeds_the_model_its_own_input(faces):
    model = MouthNet().eval()
    classify = lime_maps.grayscale_classifier(model, InputSpec(mean=(MEAN,), std=(1.0,)), "cpu")
    rgb = np.repeat((faces.x[:3] / 255.0)[..., None], 3, axis=-1)
    with torch.no_grad():
        want = torch.softmax(model(torch.as_tensor(faces.x[:3] / 255.0 - MEAN, dtype=torch.float32)[:, None]), 1)
    assert np.allclose(classify(rgb), want.numpy(), atol=1e-6)


def test_lime_points_at_the_only_region_the_model_reads_and_is_reproducible(faces):
    a = mouth_artefacts(make_synthetic(size="tiny"))
    y = a["predictions"].test.y_true[:10]
    kwargs = dict(spec=InputSpec(mean=(MEAN,), std=(1.0,)), device="cpu", seed=0, num_samples=300)
    exps = lime_maps.explain_many(a["trained"].model, faces.x[:10], y, **kwargs)
    mouth = a["dataset"].test.regions[:10] == 3
    maps = lime_maps.pointing_maps(exps)
    assert maps.shape == (10, 48, 48)
    assert pointing_game(maps, mouth).mean() >= 0.6 and mass_inside(maps, mouth).mean() > 3 * mouth.mean()
    assert np.mean([e.score for e in exps]) > 0.5  # the local linear models fit
    again = lime_maps.explain_many(a["trained"].model, faces.x[:2], y[:2], **kwargs)
    assert all(np.array_equal(e.weights, f.weights) for e, f in zip(again, exps))
    other = lime_maps.explain_many(a["trained"].model, faces.x[:1], y[:1], **{**kwargs, "seed": 1})
    assert not np.array_equal(other[0].weights, exps[0].weights)


def test_pointing_map_points_inside_the_top_segment():
    segments = np.zeros((6, 6), int)
    segments[:, 3:] = 1
    e = lime_maps.LimeExplanation(target=0, segments=segments, weights=np.array([-0.2, 0.5]), score=1.0,
                                  local_pred=0.5)
    assert e.top_segments(1) == [1] and e.top_segments(1, sign=-1) == [0]
    assert np.array_equal(e.pixel_map(), np.where(segments == 1, 0.5, 0.0))
    m = lime_maps.pointing_maps([e])[0]
    r, c = np.unravel_index(m.argmax(), m.shape)
    assert segments[r, c] == 1 and c == 4  # the innermost column of segment 1, not its edge
