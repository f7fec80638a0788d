"""Question (2025 Q2a): paste the code of the data augmentation. The listing is the code this run's
training executed: the functions of fer_report/data/augment.py that the training step calls under this run's
settings (policy, ten crops, mixup/CutMix), the helpers, constants and imports they use, and the lines of
``train._train_epoch`` that call them, read from the source files as this run imported them.

Which call runs under which setting is stated once, in ``RULES``; a call the training step makes that no
rule covers fails the section instead of being guessed.
"""

from __future__ import annotations

import ast
import inspect
from typing import Callable

from fer_report.data import augment
from fer_report.training import train
from fer_report.model.source import highlight, listing
from fer_report.report import student_listing
from fer_report.report.requirements import Requirement
from fer_report.report.section import Result, Section

# When each fer_report.data.augment function that train._train_epoch calls runs (see the ifs around each call).
RULES: dict[str, Callable] = {
    "draw_theta": lambda s: s.augment,
    "draw_erasing": lambda s: s.augment and s.augment_policy == "strong",
    "draw_mix": lambda s: s.mixup > 0 or s.cutmix > 0,  # called always, but returns at once when both are 0
    "with_ten_crops": lambda s: s.ten_crop,
    "warp": lambda s: s.augment or s.ten_crop,
    "erase": lambda s: s.augment and s.augment_policy == "strong",
    "mix": lambda s: s.mixup > 0 or s.cutmix > 0,
}
# The branch of draw_theta each policy takes: the other branches' functions are left out of the listing.
BRANCHES = {"light": "light_theta", "strong": "strong_theta", "flip": "light_theta"}
STEP = train._train_epoch

QUESTION = {
    "en": "Paste the code for the data augmentation you implemented.",
    "zh-TW": "請附上你實作的 data augmentation 的程式碼。",
}

STRINGS = {
    "en": {
        "augc.given": "the model came trained (--weights or a saved model file), so its data augmentation ran in "
                      "your own training script: show that code here with --code augmentation=FILE:FUNCTION (or "
                      "FILE:START-END), e.g. --code augmentation=train.py:get_transforms.",
        "augc.policy": "This run trained with the '{policy}' augmentation policy, drawn anew for every batch.",
        "augc.off": "Random augmentation was off in this run (--no-augment).",
        "augc.ten_crop": "Every training image was also cut into ten crops (--ten-crop).",
        "augc.mix": "Training batches were also mixed: --mixup {mixup:g}, --cutmix {cutmix:g} (0 = off).",
        "augc.none": "No augmentation code ran in this run's training, so there is none to paste.",
        "augc.code": "The code below ({lines} lines of {file}, as this run imported it) is what ran: {functions}, "
                     "which the training step calls, with the functions they use ({helpers}), their constants and "
                     "imports.",
        "augc.code_alone": "The code below ({lines} lines of {file}, as this run imported it) is what ran: "
                           "{functions}, which the training step calls, with the constants and imports they use.",
        "augc.calls": "They are called from {func} in fer_report/training/train.py, lines {first}-{last}:",
    },
    "zh-TW": {
        "augc.given": "模型已訓練好（--weights 或儲存的模型檔），它的 data augmentation 是在你自己的訓練程式中執行的："
                      "請以 --code augmentation=檔案:函式（或 檔案:起-迄行）在此顯示那段程式碼，例如 "
                      "--code augmentation=train.py:get_transforms。",
        "augc.policy": "本次訓練使用 '{policy}' augmentation 策略，每個 batch 都重新隨機抽取。",
        "augc.off": "本次執行關閉了隨機 augmentation（--no-augment）。",
        "augc.ten_crop": "每張訓練圖片另外切成十個 crop（--ten-crop）。",
        "augc.mix": "訓練 batch 另外做了混合：--mixup {mixup:g}、--cutmix {cutmix:g}（0 表示關閉）。",
        "augc.none": "本次訓練沒有執行任何 augmentation 程式碼，因此沒有可附上的程式碼。",
        "augc.code": "以下為實際執行的程式碼（{file} 中的 {lines} 行，即本次執行所匯入的版本）：訓練步驟呼叫的 "
                     "{functions}，以及它們用到的函式（{helpers}）、常數與 import。",
        "augc.code_alone": "以下為實際執行的程式碼（{file} 中的 {lines} 行，即本次執行所匯入的版本）：訓練步驟呼叫"
                           "的 {functions}，以及它們用到的常數與 import。",
        "augc.calls": "它們由 fer_report/training/train.py 的 {func} 呼叫，第 {first}-{last} 行：",
    },
}


def _trained_here(a):
    given_code = "augmentation" in a.get("settings").code
    return ("augc.given", {}) if a.get("net").given and not given_code else None


TRAINED_HERE = Requirement("trained here", _trained_here)


def run(settings, text) -> Result:
    if "augmentation" in settings.code:
        return student_listing.shown("augmentation", settings.code["augmentation"], text)
    entries = ran(settings)
    facts = [text("augc.policy", policy=settings.augment_policy) if settings.augment else text("augc.off")]
    if settings.ten_crop:
        facts.append(text("augc.ten_crop"))
    if settings.mixup > 0 or settings.cutmix > 0:
        facts.append(text("augc.mix", mixup=settings.mixup, cutmix=settings.cutmix))
    if not entries:
        facts.append(text("augc.none"))
        return Result(numbers={"functions": [], "listings": []}, text=facts,
                      tables={"facts": facts, "blocks": [], "css": ""})
    if settings.augment_policy not in BRANCHES:
        raise RuntimeError(f"augmentation policy {settings.augment_policy!r}: the augmentation_code section does not "
                           "know which branch of draw_theta it takes (add it to BRANCHES)")

    skip = set(BRANCHES.values()) - {BRANCHES[settings.augment_policy]}
    code, defined = listing(augment, entries, skip=skip)
    file = augment.__name__.replace(".", "/") + ".py"
    helpers = [f for f in defined if f not in entries]
    values = dict(functions=", ".join(entries), file=file, lines=code.count("\n") + 1)
    about_code = text("augc.code", helpers=", ".join(helpers), **values) if helpers \
        else text("augc.code_alone", **values)
    excerpt, first, last = calls(STEP, entries)
    about_calls = text("augc.calls", func=STEP.__name__, first=first, last=last)
    (code_html, css), (calls_html, _) = highlight(code), highlight(excerpt)
    listings = [{"file": file, "functions": defined, "source": code},
                {"file": STEP.__module__.replace(".", "/") + ".py", "lines": [first, last], "source": excerpt}]
    return Result(numbers={"functions": defined, "listings": listings}, text=facts + [about_code, about_calls],
                  tables={"facts": facts, "css": css, "blocks": [{"intro": about_code, "html": code_html},
                                                                 {"intro": about_calls, "html": calls_html}]})


def called(func) -> list[str]:
    """Names of the fer_report.data.augment functions ``func`` calls, in the order of their first call."""
    found = sorted((n.lineno, n.col_offset, n.func.id) for n in ast.walk(ast.parse(inspect.getsource(func)))
                   if isinstance(n, ast.Call) and isinstance(n.func, ast.Name))
    out: list[str] = []
    for _, _, name in found:
        target = func.__globals__.get(name)
        if name not in out and inspect.isfunction(target) and target.__module__ == augment.__name__:
            out.append(name)
    return out


def ran(settings) -> list[str]:
    """The augmentation functions the training step ran under ``settings``."""
    names = called(STEP)
    unknown = [n for n in names if n not in RULES]
    if unknown:
        raise RuntimeError(f"{STEP.__module__}.{STEP.__name__} calls {', '.join(unknown)}, and the augmentation_code "
                           "section has no rule saying under which settings it runs (add one to RULES)")
    return [n for n in names if RULES[n](settings)]


def calls(func, names: list[str]) -> tuple[str, int, int]:
    """(excerpt, first line, last line in its file): the statements of ``func`` that call ``names``, under
    the header lines of the blocks around them (function, loop, if, nested def); a nested function that
    makes such calls counts as one of ``names`` where it is called inside blocks already shown. Left-out
    lines are marked ``...``."""
    source, start = inspect.getsourcelines(func)
    text = [line.rstrip("\n") for line in source]
    tree = ast.parse("".join(source)).body[0]
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    keep: set[int] = set()
    shown: set[ast.AST] = set()  # blocks whose header is kept

    def ancestors(node):
        while node is not tree:
            node = parents[node]
            yield node

    def take(call: ast.Call) -> None:
        stmt = next(n for n in [call, *ancestors(call)] if isinstance(n, ast.stmt))
        keep.update(range(stmt.lineno, stmt.end_lineno + 1))
        child = stmt
        for block in ancestors(stmt):
            if isinstance(block, ast.stmt):
                shown.add(block)
                keep.update(range(block.lineno, block.body[0].lineno))  # its header: `for ...:`, `if ...:`
                orelse = getattr(block, "orelse", [])
                if child in orelse and text[orelse[0].lineno - 2].strip() == "else:":
                    keep.add(orelse[0].lineno - 1)
            child = block

    def calls_to(wanted) -> list[ast.Call]:
        return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                and n.func.id in wanted]

    for call in calls_to(names):
        take(call)
    nested = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n is not tree and n in shown}
    for call in calls_to(nested):
        if all(b in shown for b in ancestors(call) if isinstance(b, (ast.If, ast.While, ast.For, ast.With, ast.Try))):
            take(call)
    kept = sorted(n for n in keep if text[n - 1].strip())
    out = []
    for a, b in zip([None] + kept, kept):
        if a is not None and b > a + 1:
            line = text[b - 1]
            out.append(line[:len(line) - len(line.lstrip())] + "...")
        out.append(text[b - 1])
    return "\n".join(out) + "\n", start + kept[0] - 1, start + kept[-1] - 1


STRINGS["en"].update(student_listing.STRINGS["en"])
STRINGS["zh-TW"].update(student_listing.STRINGS["zh-TW"])

section = Section(name="augmentation_code", order=26, run=run, question=QUESTION, strings=STRINGS,
                  requires=(TRAINED_HERE,),
                  summary="The data-augmentation code this run's training executed (fer_report/data/augment.py and the "
                          "calling lines of train.py), highlighted")
