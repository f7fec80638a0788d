"""The section contract: every section owns its strings (same keys and placeholders in both languages),
question and template, and one that is broken fails when it is loaded, naming itself."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from fer_report.cli import main
from fer_report.config import LANGS
from fer_report.errors import UserError
from fer_report.report.i18n import STRINGS
from fer_report.report.requirements import CONV_LAYERS
from fer_report.report.section import check, load_sections, placeholders, string_problems

SECTIONS = load_sections()


@pytest.mark.parametrize("name", list(SECTIONS))
def test_each_section_speaks_both_languages_alike(name):
    s = SECTIONS[name]
    assert string_problems(s.strings, LANGS) == []
    assert all(s.question[lang] for lang in LANGS) and s.template_file().is_file()


def test_the_shared_strings_match_too():
    assert string_problems(STRINGS, LANGS) == []
    assert placeholders("{n:,} of {total} ({share:.0%})") == {"n", "total", "share"}


def test_a_broken_section_fails_when_loaded_with_its_name(tmp_path):
    good = SECTIONS["confusion"]
    bad_strings = {"en": {"x.one": "{n} images"}, "zh-TW": {"x.one": "{count} 張"}}
    with pytest.raises(UserError, match=r"section 'confusion': strings differ.*'x.one' uses \{n\} in en but \{count\}"):
        check(replace(good, strings=bad_strings), "confusion")
    with pytest.raises(UserError, match=r"'x.two' has no zh-TW text"):
        check(replace(good, strings={"en": {"x.two": "a"}, "zh-TW": {}}), "confusion")
    with pytest.raises(UserError, match=r"section 'confusion' has no question heading for zh-TW"):
        check(replace(good, question={"en": "?"}), "confusion")
    with pytest.raises(UserError, match=r"section 'confusion': template .*nope.html.j2 not found"):
        check(replace(good, template=tmp_path / "nope.html.j2"), "confusion")
    with pytest.raises(UserError, match=r"asks for unknown artefact\(s\) embeddings"):
        check(replace(good, run=lambda embeddings: None), "confusion")
    with pytest.raises(UserError, match=r"requires must hold fer_report.report.requirements.Requirement"):
        check(replace(good, requires=("conv layers",)), "confusion")


def test_a_model_without_convolutions_skips_filters_and_gradcam_with_the_reason(tmp_path, capsys):
    """No training is needed to decide: the requirement looks at the untrained network."""
    out = tmp_path / "out"
    assert main(["build", "--sections", "architecture,filters,gradcam", "--model", "dnn", "--synthetic-size", "tiny",
                 "--out", str(out), "-q"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    status = {s["name"]: (s["status"], s.get("reason", "")) for s in report["sections"]}
    assert status["architecture"][0] == "ok"
    for name in ("filters", "gradcam"):
        assert status[name] == ("skipped", "the model dnn has no convolutional layer with a 2-D feature map, so there "
                                           "are no conv filters or feature maps to look at.")
        assert CONV_LAYERS in SECTIONS[name].requires
    assert "training" not in report["run"]
    assert "sections skipped (not applicable; report.json says why): filters, gradcam" in capsys.readouterr().err
