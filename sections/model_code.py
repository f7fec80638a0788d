"""Question: the complete code of the model (the 2025 course asks to paste it): the class or function
that builds it and every helper it uses, from the user's own file (or the built-in's module), as it
ran, highlighted."""

from __future__ import annotations

from fer_report.model.source import highlight, model_source
from fer_report.report import student_listing
from fer_report.report.requirements import SOURCE, Requirement
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
        "code.notebook": "The code below is {name} and the {helpers} top-level definitions and imports it uses "
                         "({lines} lines), taken from the notebook's cells as Python held them when the model "
                         "object was given.",
        "code.object_missing": "The source of {name} could not be found: {why}. Paste the class here, or give it "
                               "with code={{'model': 'model.py:{name}'}} (--code model=FILE:NAME).",
        "code.keras": "{file} is a {kind} file: it holds the architecture and the weights, not Python code, so "
                      "there is no class to list. Below: the model as Keras's model.summary() prints it, then each "
                      "of its {layers} layers with the configuration saved in the file (initialisers, regularisers "
                      "and constraints left out: they shaped the training, not the trained model).",
    },
    "zh-TW": {
        "code.user": "以下為 {file} 中的 {name}，以及它用到的 {helpers} 個頂層定義與 import（共 {lines} 行），"
                     "取自本次執行所匯入的檔案。",
        "code.builtin": "以下為 fer-report 內建的 {name} 模型及其用到的程式碼（共 {lines} 行），即本次執行所建立的模型。",
        "code.notebook": "以下為 {name} 以及它用到的 {helpers} 個頂層定義與 import（共 {lines} 行），"
                         "取自交出模型物件時 Python 所保存的 notebook 儲存格。",
        "code.object_missing": "找不到 {name} 的原始碼：{why}。請自行貼上該類別，或以 code={{'model': "
                               "'model.py:{name}'}}（--code model=FILE:NAME）提供。",
        "code.keras": "{file} 是 {kind} 檔：其中存的是架構與權重，而非 Python 程式碼，因此沒有可列出的類別。"
                      "以下先列出 Keras 的 model.summary() 輸出，再列出檔案中儲存的 {layers} 層各自的設定"
                      "（省略 initializer、regularizer 與 constraint：它們影響的是訓練過程，而非訓練後的模型）。",
    },
}


def run(settings, net, text) -> Result:
    if "model" in settings.code:
        return student_listing.shown("model", settings.code["model"], text)
    if net.kind == "keras":
        return _keras(settings, net.keras, text)
    if net.kind == "object":
        return _object(settings, text)
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


def _keras(settings, keras, text) -> Result:
    """A Keras file has no source: what it does hold, as the student saw it in Keras."""
    from fer_report.model.keras.summary import config_lines

    summary, layers = keras.summary_text(), config_lines(keras.rows)
    html = highlight(summary, "text")[0] + highlight(layers, "python")[0]
    css = highlight("", "python")[1]
    sentence = text("code.keras", file=settings.model, kind=keras.file_kind, layers=len(keras.rows))
    return Result(numbers={"model": keras.name, "lines": layers.count("\n") + 1, "source": summary + "\n\n" + layers,
                           "file_kind": keras.file_kind}, text=[sentence], tables={"html": html, "css": css})


def _object(settings, text) -> Result:
    """A model handed over as an object: its class's source from its file or the notebook's cells, if found."""
    from fer_report.model.objects import lookup

    obj = lookup(settings.model)
    if obj.source is None:
        return Result(numbers={"model": obj.class_name, "lines": 0, "source": None, "source_from": obj.source_from},
                      text=[text("code.object_missing", name=obj.class_name, why=obj.source_from)],
                      tables={"html": "", "css": ""})
    html, css = highlight(obj.source)
    lines = obj.source.count("\n") + 1
    helpers = max(0, sum(1 for line in obj.source.splitlines() if line[:1].isalpha()) - 1)
    key = "code.notebook" if obj.source_from == "the notebook's cells" else "code.user"
    sentence = text(key, name=obj.class_name, file=obj.source_from, helpers=helpers, lines=lines)
    return Result(numbers={"model": obj.class_name, "lines": lines, "source": obj.source,
                           "source_from": obj.source_from}, text=[sentence], tables={"html": html, "css": css})


def _source_or_code(a):
    return None if "model" in a.get("settings").code else SOURCE.check(a)


SOURCE_OR_CODE = Requirement("source code or --code model", _source_or_code)
STRINGS["en"].update(student_listing.STRINGS["en"])
STRINGS["zh-TW"].update(student_listing.STRINGS["zh-TW"])

section = Section(name="model_code", order=12, run=run, question=QUESTION, strings=STRINGS, requires=(SOURCE_OR_CODE,),
                  summary="The model's complete source code (class and the helpers it uses), highlighted")
