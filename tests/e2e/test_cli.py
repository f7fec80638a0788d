"""The command as a user runs it: a tiny build end to end, errors, and the no-loss guarantee."""

import json
import subprocess
import sys

import pytest

from fer_report.cli import main
from fer_report.report.section import load_sections

TINY = ["--synthetic-size", "tiny", "--epochs", "2", "--batch-size", "32", "-q"]


def test_help_does_not_import_torch():
    code = "import sys; from fer_report.cli import main, parser; parser(); assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
    out = subprocess.run([sys.executable, "-m", "fer_report", "build", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--data PATH" in out.stdout and "--lang" in out.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e") / "build"
    cfg = out.parent / "report.toml"
    cfg.write_text('lang = "zh-TW"\n[author]\nstudent_id = "B01234567"\ndepartment = "電機三"\n'
                   'name = "<script>alert(1)</script>王小明"\n[questions]\n'
                   'architecture = "1. (1%) 請說明這次使用的 model 架構，包含各層維度及連接方式。"\n', encoding="utf-8")
    assert main(["build", "--all", "--out", str(out), "--config", str(cfg), *TINY]) == 0
    return out


def test_build_writes_html_pdf_json_and_figures(built):
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    names = [s["name"] for s in report["sections"]]
    assert names == [n for n, s in load_sections().items() if not s.on_request]  # every --all section, in order
    assert names[:2] == ["architecture", "model_code"] and names.index("history") < names.index("confusion")
    assert all(s["status"] == "ok" for s in report["sections"])
    assert report["settings"]["epochs"] == 2
    assert report["sections"][0]["question"].startswith("1. (1%) 請說明")
    for s in report["sections"]:
        for f in s["figures"]:
            assert (built / f["path"]).read_bytes()[:4] == b"\x89PNG"
    assert not list(built.glob(".building-*"))  # the temporary build folder is gone


def test_html_is_self_contained_and_escapes_user_text(built):
    html = (built / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'src="http' not in html and "url(http" not in html
    assert html.count('src="data:image/png;base64,') >= 2
    assert "學號" in html and "B01234567" in html


def test_pdf_embeds_a_cjk_font_and_shows_chinese(built):
    pdf = built / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in fonts.replace(" ", "").replace("-", "")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "混淆" in text or "誤判" in text or "正確率" in text


def test_second_build_reuses_the_cache(built, capsys):
    args = ["build", "--sections", "history", "--out", str(built.parent / "again"), "--cache", str(built / "cache"),
            "--lang", "zh-TW", *TINY]
    assert main(args) == 0
    report = json.loads((built.parent / "again" / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["training"]["seconds_this_run"] == 0.0
    assert report["sections"][0]["cached"]  # the same section, settings, data and code: its result is reused


def test_failed_build_keeps_the_previous_report(built, monkeypatch, capsys):
    before = {p: (built / p).read_bytes() for p in ("report.html", "report.pdf", "report.json")}
    import fer_report.sections.confusion as confusion

    def broken(dataset, predictions):
        raise RuntimeError("boom")

    monkeypatch.setattr(confusion.section, "run", broken)
    code = main(["build", "--all", "--out", str(built), *TINY, "--lang", "zh-TW"])
    assert code == 2
    assert "section 'confusion' failed: RuntimeError: boom" in capsys.readouterr().err
    assert {p: (built / p).read_bytes() for p in before} == before
    assert not list(built.glob(".building-*"))


def test_keep_going_marks_the_section_failed(tmp_path, monkeypatch):
    import fer_report.sections.confusion as confusion

    monkeypatch.setattr(confusion.section, "run", lambda dataset: 1 / 0)
    out = tmp_path / "b"
    assert main(["build", "--sections", "confusion", "--keep-going", "--out", str(out), *TINY]) == 0
    entry = json.loads((out / "report.json").read_text())["sections"][0]
    assert entry["status"] == "failed" and "ZeroDivisionError" in entry["error"]


@pytest.mark.parametrize("args, message", [
    (["build", "--data", "no/such.csv"], "no/such.csv: no such file or folder"),
    (["build", "--sections", "confusoin"], "unknown section 'confusoin'; did you mean 'confusion'?"),
    (["section", "architecture", "--model", "cnn5"], "unknown model 'cnn5'; did you mean 'cnn4'?"),
])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys, args, message):
    assert main([*args, "--out", str(tmp_path / "b"), *TINY]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_section_command_prints_generated_text(tmp_path, capsys):
    assert main(["section", "architecture", "--model", "cnn4", "--out", str(tmp_path / "b"), *TINY]) == 0
    out = capsys.readouterr().out
    assert "319,975 parameters" in out and "318,055 trainable" in out
    assert (tmp_path / "b" / "sections" / "architecture" / "report.pdf").exists()


def test_same_seed_same_settings_same_numbers(tmp_path):
    numbers = []
    for run in ("one", "two"):  # separate caches: both train from scratch
        out = tmp_path / run
        assert main(["build", "--sections", "history,confusion", "--out", str(out), *TINY]) == 0
        report = json.loads((out / "report.json").read_text())
        numbers.append([(s["numbers"], s["text"][:2]) for s in report["sections"]])
    strip = lambda n: [({k: v for k, v in x.items() if k != "train_seconds"}, t) for x, t in n]  # noqa: E731
    assert strip(numbers[0]) == strip(numbers[1])


def test_unwritable_out_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["build", "--out", str(blocker / "sub"), *TINY]) == 2
    assert "cannot write there" in capsys.readouterr().err
