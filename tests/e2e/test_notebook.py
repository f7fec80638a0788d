"""The notebook a student would write (examples/notebook.ipynb), executed on a real ipykernel kernel:
train a tiny CNN, build the report from the object, show it inline, write the PDF."""

import html
import json
import os
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "notebook.ipynb"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from ipykernel.kernelspec import install

    where = tmp_path_factory.mktemp("notebook")
    # a kernel on this very Python (the venv), whatever kernels the machine has installed
    prefix = where / "kernels"
    install(prefix=str(prefix), kernel_name="fer-report-test")
    os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="fer-report-test",
                            resources={"metadata": {"path": str(where)}}).execute()
    return nb, where


def _outputs(nb):
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def test_the_stored_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def test_report_shows_inline_in_an_iframe(executed):
    nb, _ = executed
    shown = [o["data"]["text/html"] for o in _outputs(nb) if "text/html" in o.get("data", {})]
    assert len(shown) == 2  # the whole report, then one section
    assert all(h.startswith("<iframe srcdoc=") for h in shown)
    assert "<html" not in shown[0] and "&lt;html" in shown[0]  # escaped: the report's CSS stays in the frame
    page = html.unescape(re.match(r'<iframe srcdoc="([^"]*)"', shown[0]).group(1))
    assert page.startswith("<!DOCTYPE html>") and "TinyCNN" in page and "conv_block" in page
    assert 'id="confusion"' in page or "confusion" in page
    one = html.unescape(re.match(r'<iframe srcdoc="([^"]*)"', shown[1]).group(1))
    assert "conv_block" not in one and "onfusion" in one  # the section alone


def test_files_written_and_accuracy_matches(executed):
    nb, where = executed
    assert (where / "report.pdf").read_bytes().startswith(b"%PDF")
    report = json.loads((where / "report-out" / "report.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in report["sections"]] == ["ok"] * 4
    code = next(s for s in report["sections"] if s["name"] == "model_code")
    assert code["numbers"]["source_from"] == "the notebook's cells"
    assert "def conv_block" in code["numbers"]["source"] and "class TinyCNN" in code["numbers"]["source"]
    text = "".join(o.get("text", "") for o in _outputs(nb) if o.get("output_type") == "stream")
    printed = float(re.search(r"^test accuracy (\S+)", text, re.M).group(1))
    assert printed == pytest.approx(report["run"]["accuracy"]["test"], abs=1e-6)
    assert f"report test accuracy {printed:.6f}" in text
