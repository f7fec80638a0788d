import dataclasses
import inspect
import re

import numpy as np
import pytest

from fer_report import CLASSES
from fer_report.report.render import environment
from fer_report.report.section import run_section
from fer_report.sections import confusion, confusion_code


def run(lang="en"):
    from fer_report.config import Settings

    return run_section(confusion_code.section, None, settings=Settings(), text=confusion_code.section.text(lang))


@pytest.fixture(scope="module")
def result():
    return run()


def test_the_listing_is_the_three_functions_and_what_they_use(result):
    code = result.numbers["source"]
    assert set(re.findall(r"^def (\w+)", code, flags=re.M)) == {"confusion_matrix", "analyse", "plot_confusion",
                                                                "_num"}
    assert result.numbers["functions"] == ["confusion_matrix", "analyse", "plot_confusion", "_num"]
    for needed in ("import numpy as np", "import seaborn as sns", "import matplotlib.pyplot as plt", "PAIR_MIN = ",
                   "MUTUAL_MIN = ", "SCARCE = "):
        assert needed in code, needed
    for unrelated in ("def run", "QUESTION", "STRINGS", "Section(", "from fer_report"):
        assert unrelated not in code, unrelated
    for name in ("confusion_matrix", "analyse", "plot_confusion"):  # each exactly as the module has it
        assert inspect.getsource(getattr(confusion, name)) in code


def test_the_listing_runs_and_counts_rows_true_columns_predicted(result):
    namespace: dict = {}
    exec(compile(result.numbers["source"], "listing", "exec"), namespace)
    y_true, y_pred = np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2])
    cm = namespace["confusion_matrix"](y_true, y_pred, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]  # row = true class, column = predicted
    assert np.array_equal(cm, confusion.confusion_matrix(y_true, y_pred, 3))
    big = np.diag([80, 10, 60, 150, 70, 60, 90])
    big[2, 4] = 23
    assert namespace["analyse"](big, CLASSES) == confusion.analyse(big, CLASSES)


def test_the_calling_lines_are_the_sections_own(result):
    calls = result.numbers["calls"]
    first, last = result.numbers["call_lines"]
    lines = inspect.getsource(confusion).splitlines()
    assert lines[first - 1].startswith("def run(") and "plot_confusion(" in lines[last - 1]
    at = first - 1
    for line in calls.splitlines():
        if line.strip() != "...":
            at = lines.index(line, at)
            assert at <= last - 1
    assert "test = predictions.test" in calls and "confusion_matrix(test.y_true, test.y_pred" in calls
    assert "figures.save" not in calls  # what the section does with the figure is not how it is drawn
    assert result.text[1] == (f"The confusion section's run() calls them on the test split's labels and predictions "
                              f"(lines {first}-{last}):")


def test_model_independent_and_both_languages_render():
    assert confusion_code.section.needs == ["settings", "text"]  # settings: only for --code confusion=...
    zh = run("zh-TW")
    assert zh.text[0].startswith("本報告的 confusion matrix 由 confusion_matrix, analyse, plot_confusion 計數、分析與繪製")
    html = environment().get_template("sections/confusion_code.html.j2").render(s=dataclasses.asdict(zh),
                                                                                 t=confusion_code.section.text("zh-TW"))
    assert html.count('<pre class="source-code">') == 2 and "<style>" in html and ">plot_confusion<" in html
