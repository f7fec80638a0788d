"""Question (2025 Q3a): paste the code that generated the confusion matrix. The listing is the code of
the confusion section as this run imported it: the functions that count, analyse and draw the matrix,
with the helpers, constants and imports they use, and the lines of its ``run`` that call them.

Only the source text of fer_report.sections.confusion is read (``inspect``); nothing of it is called here.
"""

from __future__ import annotations

import ast
import inspect

from fer_report.model.source import highlight, listing
from fer_report.report import student_listing
from fer_report.report.section import Result, Section
from fer_report.sections import confusion

FUNCTIONS = ("confusion_matrix", "analyse", "plot_confusion")  # count, analyse, draw

QUESTION = {
    "en": "Paste the code used to generate the confusion matrix.",
    "zh-TW": "請附上產生 confusion matrix 所用的程式碼。",
}

STRINGS = {
    "en": {
        "confc.code": "The confusion matrix of this report is counted, analysed and drawn by {functions}, listed "
                      "below with the functions they use ({helpers}), their constants and imports ({lines} lines of "
                      "{file}, as this run imported it). Rows are true classes, columns predicted classes.",
        "confc.code_alone": "The confusion matrix of this report is counted, analysed and drawn by {functions}, "
                            "listed below with their constants and imports ({lines} lines of {file}, as this run "
                            "imported it). Rows are true classes, columns predicted classes.",
        "confc.calls": "The confusion section's {func} calls them on the test split's labels and predictions "
                       "(lines {first}-{last}):",
    },
    "zh-TW": {
        "confc.code": "本報告的 confusion matrix 由 {functions} 計數、分析與繪製；以下列出它們及其用到的函式"
                      "（{helpers}）、常數與 import（{file} 中的 {lines} 行，即本次執行所匯入的版本）。列為真實類別，"
                      "欄為預測類別。",
        "confc.code_alone": "本報告的 confusion matrix 由 {functions} 計數、分析與繪製；以下列出它們及其用到的常數與 "
                            "import（{file} 中的 {lines} 行，即本次執行所匯入的版本）。列為真實類別，欄為預測類別。",
        "confc.calls": "confusion 一節的 {func} 以 test set 的標籤與預測呼叫它們（第 {first}-{last} 行）：",
    },
}


def run(settings, text) -> Result:
    if "confusion" in settings.code:
        return student_listing.shown("confusion", settings.code["confusion"], text)
    code, defined = listing(confusion, list(FUNCTIONS))
    file = confusion.__name__.replace(".", "/") + ".py"
    helpers = [f for f in defined if f not in FUNCTIONS]
    values = dict(functions=", ".join(FUNCTIONS), lines=code.count("\n") + 1, file=file)
    about_code = text("confc.code", helpers=", ".join(helpers), **values) if helpers \
        else text("confc.code_alone", **values)
    calls, first, last = call_lines(confusion.run, FUNCTIONS)
    about_calls = text("confc.calls", func=f"{confusion.run.__name__}()", first=first, last=last)
    (code_html, css), (calls_html, _) = highlight(code), highlight(calls)
    return Result(numbers={"functions": defined, "file": file, "lines": code.count("\n") + 1, "source": code,
                           "calls": calls, "call_lines": [first, last]},
                  text=[about_code, about_calls],
                  tables={"css": css, "blocks": [{"intro": about_code, "html": code_html},
                                                 {"intro": about_calls, "html": calls_html}]})


def call_lines(func, names) -> tuple[str, int, int]:
    """(excerpt, first, last line in its file): ``func``'s header, the statements of its body that call
    ``names`` and the ones that assign what those read (``test = predictions.test``), gaps marked ``...``."""
    source, start = inspect.getsourcelines(func)
    tree = ast.parse("".join(source)).body[0]

    def calls(s: ast.stmt) -> bool:
        return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names for n in ast.walk(s))

    def names_in(s: ast.stmt, ctx) -> set[str]:
        return {n.id for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}

    kept = [s for s in tree.body if calls(s)]
    read = set().union(*(names_in(s, ast.Load) for s in kept))
    kept += [s for s in tree.body if s not in kept and read & names_in(s, ast.Store)]
    kept.sort(key=lambda s: s.lineno)
    text = [line.rstrip("\n") for line in source]
    out, previous = text[tree.lineno - 1:tree.body[0].lineno - 1], tree.body[0].lineno - 1
    for s in kept:
        if s.lineno > previous + 1:
            out.append(text[s.lineno - 1][:s.col_offset] + "...")
        out.extend(text[s.lineno - 1:s.end_lineno])
        previous = s.end_lineno
    return "\n".join(out) + "\n", start + tree.lineno - 1, start + kept[-1].end_lineno - 1


STRINGS["en"].update(student_listing.STRINGS["en"])
STRINGS["zh-TW"].update(student_listing.STRINGS["zh-TW"])

section = Section(name="confusion_code", order=31, run=run, question=QUESTION, strings=STRINGS,
                  summary="The code that counted, analysed and drew this report's confusion matrix, highlighted")
