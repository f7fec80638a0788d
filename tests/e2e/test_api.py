"""The Python API and the command give the same report for the same settings, through the same path."""

import json

import pytest

import fer_report
from fer_report.cli import main

SECTIONS = "architecture,confusion"
TINY = {"synthetic_size": "tiny", "epochs": 1, "batch_size": 32}


def _numbers(report: dict) -> dict:
    return {s["name"]: (s["status"], s["numbers"], s["text"]) for s in report["sections"]}


def test_cli_and_api_give_the_same_report_json(tmp_path):
    cli_out, api_out = tmp_path / "cli", tmp_path / "api"  # separate caches: each trains
    assert main(["build", "--sections", SECTIONS, "--out", str(cli_out), "--synthetic-size", "tiny", "--epochs", "1",
                 "--batch-size", "32", "-q"]) == 0
    report = fer_report.Report(sections=SECTIONS, out=api_out, **TINY)
    written = report.to_file(tmp_path / "copy.json")
    by_cli = json.loads((cli_out / "report.json").read_text(encoding="utf-8"))
    by_api = json.loads(written.read_text(encoding="utf-8"))
    assert by_api == report.json
    assert {k: v for k, v in by_cli["settings"].items() if k != "out"} == \
        {k: v for k, v in by_api["settings"].items() if k != "out"}
    assert _numbers(by_cli) == _numbers(by_api)
    assert by_cli["run"]["accuracy"] == by_api["run"]["accuracy"]
    assert report["run"]["accuracy"] == by_api["run"]["accuracy"]  # dict access
    shown = report.section("confusion")
    assert shown["sections"][0]["name"] == "confusion" and (api_out / "sections" / "confusion" / "report.pdf").is_file()
    assert shown._repr_html_().startswith("<iframe srcdoc=")
    with pytest.raises(fer_report.UserError, match="section 'confusoin' is not one of .*did you mean 'confusion'"):
        report.section("confusoin")
    with pytest.raises(fer_report.UserError, match="expected one of .pdf, .html, .json"):
        report.to_file(tmp_path / "report.docx")
