"""The build counts each section's model evaluations and prints them beside its seconds (issue 22)."""

import json
import logging

from fer_report.explain.budget import PROBE_BATCH, PROBE_REPEATS
from fer_report.explain.scorecard import DELETION_STEPS
from fer_report.report.build import build
from fer_report.sections import saliency
from tests.conftest import tiny_settings


def test_each_section_reports_its_model_evaluations(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(saliency, "N_FAITH", 5)
    out = tmp_path / "build"
    with caplog.at_level(logging.INFO, logger="fer_report.report.build"):
        build(tiny_settings(out, sections=["architecture", "confusion", "saliency"]))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    used = {s["name"]: s["evaluations"] for s in report["sections"]}
    assert used["architecture"] == {"forward": 0, "backward": 0, "total": 0}  # the untrained network, never run
    assert used["confusion"]["backward"] == 0 and used["confusion"]["forward"] > 0  # the predictions, made once
    sal = used["saliency"]
    assert sal["backward"] > 0 and sal["total"] == sal["forward"] + sal["backward"]
    # 1 saliency + SMOOTH_SAMPLES SmoothGrad copies per image, forward and backward, the shown and the 5 measured;
    # then deletion curves (forward only) of the 5 for both maps and the random order
    # and, as the first section to need --budget, the probe that measures the model's cost (timed calls and one
    # untimed call of each kind: a forward pass alone, and one with its backward)
    probe = PROBE_BATCH * (1 + PROBE_REPEATS)
    shown = len(report["sections"][2]["numbers"]["examples"])
    assert sal["backward"] == (1 + saliency.SMOOTH_SAMPLES) * (shown + 5) + probe
    assert sal["forward"] == sal["backward"] + 5 * (DELETION_STEPS + 1) * 3 + probe
    assert report["evaluations"]["total"] == sum(u["total"] for u in used.values())
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("section saliency: ok in")]
    assert lines and f"{sal['total']:,} model evaluations" in lines[0]
