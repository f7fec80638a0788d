"""The training-recipe settings (label smoothing, mixup, CutMix, class balance, warm-up, weight decay,
flip TTA): each does what it says, on tiny data, deterministically, and survives a resume."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F

import fer_report.training.train as tr
from fer_report.training import losses
from fer_report.training import optim
from fer_report.training import sampling
from fer_report.data.augment import draw_mix, mix
from fer_report.data.dataset import Split
from fer_report.data.synthetic import make_synthetic
from fer_report.model.inference import predict_probs
from tests.conftest import dies_in_second_epoch, tiny_settings

RECIPES = {
    "mixed": dict(mixup=0.4, cutmix=1.0, balance="sampler", label_smoothing=0.1, warmup_epochs=1),
    "weighted": dict(balance="weights", weight_decay=0.05, tta="flip", augment_policy="flip"),
}


@pytest.fixture(scope="module")
def data():
    """64 training faces of the tiny set (two batches of 32), 32 for validation and test: fast to train."""
    d = make_synthetic(seed=0, size="tiny")
    return replace(d, train=Split(d.train.x[:64], d.train.y[:64]), val=Split(d.val.x[:32], d.val.y[:32]),
                   test=Split(d.test.x[:32], d.test.y[:32]))


def test_class_weights_are_inverse_frequency_and_zero_for_an_absent_class():
    y = torch.tensor([0, 0, 0, 2])
    w = sampling.class_weights(y, 4)
    torch.testing.assert_close(w, torch.tensor([4 / (2 * 3), 0.0, 4 / (2 * 1), 0.0]))
    assert float((w[y]).sum()) == pytest.approx(len(y))  # every present class carries the same total weight


def test_balanced_sampler_draws_each_class_evenly_and_the_default_is_a_permutation():
    y = torch.cat([torch.zeros(900), torch.ones(90), torch.full((10,), 2)]).long()
    order = sampling.epoch_order(y, torch.Generator().manual_seed(0), balance="sampler")
    assert len(order) == len(y) and order.min() >= 0 and order.max() < len(y)
    share = torch.bincount(y[order], minlength=3) / len(y)
    assert torch.all((share - 1 / 3).abs() < 0.06), share
    again = sampling.epoch_order(y, torch.Generator().manual_seed(0), balance="sampler")
    assert torch.equal(order, again)
    perm = sampling.epoch_order(y, torch.Generator().manual_seed(0), balance="none")
    assert torch.equal(perm.sort().values, torch.arange(len(y)))
    assert torch.equal(perm, torch.randperm(len(y), generator=torch.Generator().manual_seed(0)))  # as before


def test_loss_is_torch_cross_entropy_with_label_smoothing_and_class_weights():
    g = torch.Generator().manual_seed(0)
    out, y = torch.randn(16, 7, generator=g), torch.randint(0, 7, (16,), generator=g)
    weight = torch.rand(7, generator=g) + 0.1
    for w in (None, weight):
        for eps in (0.0, 0.1):
            mean = losses.loss_sum(out, y, weight=w, label_smoothing=eps) / losses.image_weights(y, weight=w).sum()
            torch.testing.assert_close(mean, F.cross_entropy(out, y, weight=w, label_smoothing=eps))


def test_mixed_labels_are_the_soft_target_cross_entropy():
    g = torch.Generator().manual_seed(1)
    out, ya, yb = torch.randn(8, 7, generator=g), torch.randint(0, 7, (8,), generator=g), torch.randint(0, 7, (8,), generator=g)
    lam = torch.tensor(0.3)
    soft = lam * F.one_hot(ya, 7) + (1 - lam) * F.one_hot(yb, 7)
    mean = losses.loss_sum(out, ya, yb, lam) / losses.image_weights(ya, yb, lam).sum()
    torch.testing.assert_close(mean, F.cross_entropy(out, soft.float()))


def test_a_batch_split_over_two_processes_adds_up_to_the_whole_batch_loss():
    g = torch.Generator().manual_seed(2)
    out, ya, yb = torch.randn(10, 7, generator=g), torch.randint(0, 7, (10,), generator=g), torch.randint(0, 7, (10,), generator=g)
    lam, weight = torch.tensor(0.7), torch.rand(7, generator=g) + 0.1
    total = losses.image_weights(ya, yb, lam, weight).sum()
    whole = losses.loss_sum(out, ya, yb, lam, weight=weight, label_smoothing=0.1) / total
    shards = sum(losses.loss_sum(out[s], ya[s], yb[s], lam, weight=weight, label_smoothing=0.1) / total
                 for s in (slice(0, 4), slice(4, 10)))
    torch.testing.assert_close(shards, whole)


def test_mixup_blends_each_image_with_its_partner_by_the_drawn_weight():
    x = torch.rand(32, 1, 12, 12, generator=torch.Generator().manual_seed(3))
    m = draw_mix(32, torch.Generator().manual_seed(0), (12, 12), mixup=0.4)
    assert torch.equal(m.partner.sort().values, torch.arange(32)) and not bool(m.cut)
    lam = float(m.lam)
    torch.testing.assert_close(mix(x, x[m.partner], m), lam * x + (1 - lam) * x[m.partner])
    again = draw_mix(32, torch.Generator().manual_seed(0), (12, 12), mixup=0.4)
    assert torch.equal(again.lam, m.lam) and torch.equal(again.partner, m.partner)
    assert draw_mix(32, torch.Generator(), (12, 12)) is None  # both off: nothing drawn


def test_mixup_weights_follow_beta_alpha_alpha():
    alpha, g = 0.4, torch.Generator().manual_seed(0)
    lams = torch.stack([draw_mix(2, g, (4, 4), mixup=alpha).lam for _ in range(4000)])
    assert float(lams.mean()) == pytest.approx(0.5, abs=0.02)
    assert float(lams.var()) == pytest.approx(1 / (4 * (2 * alpha + 1)), abs=0.01)  # Var Beta(a, a)


def test_cutmix_pastes_the_partners_box_and_keeps_the_area_left_as_the_weight():
    h, w = 20, 16
    x = torch.rand(8, 1, h, w, generator=torch.Generator().manual_seed(4))
    g = torch.Generator().manual_seed(5)
    for _ in range(20):
        m = draw_mix(8, g, (h, w), cutmix=1.0)
        top, left, bh, bw = m.box.tolist()
        inside = torch.zeros(h, w, dtype=torch.bool)
        inside[top:top + bh, left:left + bw] = True
        out = mix(x, x[m.partner], m)
        assert bool(m.cut) and 0 <= top and top + bh <= h and left + bw <= w
        assert torch.equal(out[..., inside], x[m.partner][..., inside])
        assert torch.equal(out[..., ~inside], x[..., ~inside])
        assert float(m.lam) == pytest.approx(1 - bh * bw / (h * w))


def test_with_both_each_batch_is_mixup_or_cutmix_about_half_the_time():
    g = torch.Generator().manual_seed(6)
    cuts = [bool(draw_mix(4, g, (8, 8), mixup=0.2, cutmix=1.0).cut) for _ in range(400)]
    assert 0.4 < sum(cuts) / len(cuts) < 0.6


def test_weight_decay_defaults_and_adam_uses_decoupled_decay(tmp_path):
    model = torch.nn.Linear(2, 2)
    s = tiny_settings(tmp_path)
    adam, _ = optim.optimiser(s, model)
    assert type(adam) is torch.optim.Adam and adam.param_groups[0]["weight_decay"] == 0
    sgd, _ = optim.optimiser(replace(s, optimizer="sgd"), model)
    assert sgd.param_groups[0]["weight_decay"] == 1e-4
    adamw, _ = optim.optimiser(replace(s, weight_decay=0.05), model)
    assert type(adamw) is torch.optim.AdamW and adamw.param_groups[0]["weight_decay"] == 0.05


def test_warm_up_ramps_the_learning_rate_then_cosine_runs_its_whole_curve(tmp_path, data):
    s = tiny_settings(tmp_path, epochs=4, warmup_epochs=2, lr=0.01)
    lrs = [h["lr"] for h in tr.train(s, data, progress=False).history]  # the rate of the epoch that follows
    assert lrs == pytest.approx([0.01 * 2 / 3, 0.01, 0.01 * 0.5 * (1 + math.cos(math.pi / 2)), 0.0], abs=1e-12)
    opt, _ = optim.optimiser(s, torch.nn.Linear(2, 2))
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01 / 3)  # the first epoch's


def test_plateau_schedule_waits_for_the_end_of_the_warm_up(tmp_path, data):
    s = tiny_settings(tmp_path, epochs=3, warmup_epochs=2, lr=0.01, schedule="plateau")
    assert [h["lr"] for h in tr.train(s, data, progress=False).history] == pytest.approx([0.01 * 2 / 3, 0.01, 0.01])


def test_flip_tta_predicts_the_mean_of_the_image_and_its_mirror(tmp_path, data):
    t = tr.train(tiny_settings(tmp_path, epochs=1, tta="flip"), data, progress=False)
    assert t.tta == "flip"
    x = t.inputs(data.test.x[:6])
    with torch.no_grad():
        expected = (t.model(x) + t.model(x.flip(-1))) / 2
        torch.testing.assert_close(t.predict(x), expected)
        probs = predict_probs(t.model, data.test.x[:6], t.spec, t.device, tta=t.tta)
    torch.testing.assert_close(torch.from_numpy(probs), torch.softmax(expected, 1))
    val_acc = (t.predict(t.inputs(data.val.x)).argmax(1).numpy() == data.val.y).mean()
    assert val_acc == pytest.approx(t.history[0]["val_acc"])  # the checkpoint was chosen on this prediction


@pytest.mark.parametrize("name", list(RECIPES))
def test_recipes_train_deterministically_and_resume_to_the_same_history(tmp_path, data, monkeypatch, name):
    extra = RECIPES[name]
    first = tr.train(tiny_settings(tmp_path / "a", epochs=2, **extra), data, progress=False)
    assert all(math.isfinite(h["train_loss"]) for h in first.history)

    s = tiny_settings(tmp_path / "c", epochs=2, **extra)
    real_epoch, calls = dies_in_second_epoch(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        tr.train(s, data, progress=False)
    monkeypatch.setattr(tr, "_train_epoch", real_epoch)
    resumed = tr.train(s, data, progress=False)  # epoch 1 trained in another process' run, epoch 2 resumed
    assert len(calls) == 2 and len(resumed.history) == 2
    for r, h in zip(first.history, resumed.history):
        assert r["val_acc"] == h["val_acc"] and r["lr"] == h["lr"]
        assert r["train_loss"] == pytest.approx(h["train_loss"], rel=1e-5)


def test_each_recipe_setting_gets_its_own_cache_entry_and_the_defaults_keep_theirs(tmp_path, data):
    s = tiny_settings(tmp_path)
    cpu = torch.device("cpu")
    base = tr.cache_key(s, data, cpu)
    changes = [dict(label_smoothing=0.1), dict(mixup=0.2), dict(cutmix=1.0), dict(balance="weights"),
               dict(balance="sampler"), dict(warmup_epochs=1), dict(weight_decay=0.01), dict(tta="flip"),
               dict(augment_policy="flip")]
    keys = {tr.cache_key(replace(s, **c), data, cpu) for c in changes}
    assert len(keys) == len(changes) and base not in keys
