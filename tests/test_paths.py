"""A hand-in shows file names as the student gave them (fer_report/report/paths.py), never more of their disk."""

from __future__ import annotations

from pathlib import Path

from fer_report.report.paths import as_given


def test_absolute_paths_inside_the_folder_become_relative_and_outside_ones_their_name(tmp_path):
    inside = tmp_path / "hw3" / "model.py"
    assert as_given(f"{inside}:Net", cwd=tmp_path) == "hw3/model.py:Net"
    assert as_given("Kaggle FER2013 CSV /home/alice/data/fer2013.csv (35,887 rows)", cwd=tmp_path) == \
        "Kaggle FER2013 CSV fer2013.csv (35,887 rows)"
    assert as_given("none in this run (/tmp/x/best.pth), on cpu", cwd=Path("/srv")) == \
        "none in this run (best.pth), on cpu"
    assert as_given("model.py:Net and 0.5/1.0 and cnn4", cwd=tmp_path) == "model.py:Net and 0.5/1.0 and cnn4"


def test_the_header_of_a_report_on_absolute_paths_shows_no_folder(tmp_path, monkeypatch):
    import torch

    from fer_report.cli import main
    from tests.e2e.test_readme import MODEL

    student = tmp_path / "home" / "alice" / "hw3"
    student.mkdir(parents=True)
    (student / "model.py").write_text(MODEL)
    namespace: dict = {}
    exec(MODEL, namespace)
    torch.save(namespace["FaceExpressionNet"]().state_dict(), student / "best.pth")
    monkeypatch.chdir(tmp_path)  # the command runs elsewhere: only the file names may show
    out = tmp_path / "out"
    assert main(["build", "--sections", "architecture", "--synthetic-size", "tiny", "--model",
                 f"{student / 'model.py'}:FaceExpressionNet", "--weights", str(student / "best.pth"),
                 "--out", str(out), "-q"]) == 0
    header = (out / "report.html").read_text().split("</header>")[0]
    assert "home/alice/hw3/model.py:FaceExpressionNet" in header and str(tmp_path) not in header
    assert "(home/alice/hw3/best.pth)" in header


def test_a_notebook_object_is_named_by_its_class():
    assert as_given("object:TinyCNN:592f239d52507e4e has 17,479 parameters") == "TinyCNN has 17,479 parameters"
    assert as_given("(object:Net:0123456789abcdef:train)") == "(Net)"


def test_a_keras_object_is_named_by_its_model_name():
    saved = "/home/alice/.cache/fer-report/inputs/keras-29f390692fa930cb/student_cnn.keras"
    assert as_given(f"{saved} (a Keras 3 .keras file)") == "student_cnn (a Keras 3 .keras file)"
    assert as_given("(build/cache/inputs/keras-0123456789abcdef/seed_cnn.h5)") == "(seed_cnn)"
    assert as_given("/home/alice/keras-models/cnn.keras") == "cnn.keras"  # the student's own file keeps its name
