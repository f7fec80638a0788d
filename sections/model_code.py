"""Question: the complete code of the model (the 2025 course asks to paste it): the class or function
that builds it and every helper it uses, from the user's own file (or the built-in's module), as it
ran, highlighted."""

from __future__ import annotations

from fer_report.model.source import highlight, model_source
from fer_report.report.requirements import SOURCE
from fer_report.report.section import Result, Section

QUESTION = {
    "en": "Paste the complete code of the CNN used in your submission.",
    "zh-TW": "請附上本次使用的 CNN 模型的完整程式碼。",
}

STRINGS = {
    "en": {
        "code.user": "The code below is {name} from {file} and the {helpers} top-level definitions and imports it "
                     "uses ({lines} lines), taken from the file as this run imported it.",
        "code.builtin": "The code below is fer-report's built-in {name} model and what it uses ({lines} lines), "
                        "as this run built it.",
    },
    "zh-TW": {
        "code.user": "以下為 {file} 中的 {name}，以及它用到的 {helpers} 個頂層定義與 import（共 {lines} 行），"
                     "取自本次執行所匯入的檔案。",
        "code.builtin": "以下為 fer-report 內建的 {name} 模型及其用到的程式碼（共 {lines} 行），即本次執行所建立的模型。",
    },
}


def run(settings, net, text) -> Result:
    user = net.model
    while hasattr(user, "inner"):
        user = user.inner
    code = model_source(type(user) if net.kind == "pickle" else settings.model)
    html, css = highlight(code)
    lines = code.count("\n") + 1
    helpers = sum(1 for line in code.splitlines() if line[:1].isalpha()) - 1  # top-level statements but the model
    if net.kind == "python":
        file, _, name = settings.model.rpartition(":")
        sentence = text("code.user", name=name, file=file, helpers=max(0, helpers), lines=lines)
    elif net.kind == "pickle":
        name = type(user).__name__
        sentence = text("code.user", name=name, file=settings.model, helpers=max(0, helpers), lines=lines)
    else:
        name = settings.model
        sentence = text("code.builtin", name=name, lines=lines)
    return Result(numbers={"model": name, "lines": lines, "source": code}, text=[sentence],
                  tables={"html": html, "css": css})


section = Section(name="model_code", order=12, run=run, question=QUESTION, strings=STRINGS, requires=(SOURCE,),
                  summary="The model's complete source code (class and the helpers it uses), highlighted")
