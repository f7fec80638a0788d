"""Question (2025 Q1c): was the model pretrained, and was the backbone frozen or the whole network
fine-tuned? Answered only with what the run knows: where the starting weights came from (the settings),
which parameters were trainable (``requires_grad`` of the trained model) and, for a model trained here,
which parameters training actually changed (the trained weights against the ones it started from).

The "why" is the student's: no reason is made up here, the section says so.
"""

from __future__ import annotations

import torch
from torch import nn

from fer_report.report.section import Result, Section

MAX_PARTS = 6  # frozen modules named in the sentence; the table lists every top-level module

QUESTION = {
    "en": "If you used a pretrained model: why this model? Did you freeze the backbone or fine-tune the entire "
          "network? Explain your decision.",
    "zh-TW": "若使用 pretrained model：為什麼選擇這個模型？你是凍結 backbone，還是 fine-tune 整個網路？請說明你的決定。",
}

STRINGS = {
    "en": {
        "pre.builtin": "The model is fer-report's built-in {model}, trained by this run.",
        "pre.user": "The model is your own {name} (from {file}), trained by this run with fer-report's recipe.",
        "pre.given": "The model is {model}, given already trained ({source}): its training happened in your own "
                     "script, not in this run.",
        "pre.given_file": "The model is the saved model {model}, given already trained: its training happened in "
                          "your own script, not in this run.",
        "pre.start_pretrained": "Training started from the pretrained weights in {file} (--pretrained).",
        "pre.start_scratch": "No pretrained weights were used: training started from random initial weights "
                             "(seed {seed}).",
        "pre.start_user": "fer-report loaded no pretrained weights: training started from the weights your class's "
                          "constructor sets (seed {seed}), so the model is pretrained only if your constructor "
                          "loads such weights itself.",
        "pre.counts": "{trainable:,} of its {total:,} parameters are trainable (requires_grad=True) and {frozen:,} "
                      "are frozen ({frozen_share:.1%}).",
        "pre.all_pretrained": "No parameter was frozen, so training fine-tuned the entire network, the pretrained "
                              "backbone included.",
        "pre.all_scratch": "No parameter was frozen: the whole network was trained from scratch, so there was no "
                           "pretrained backbone to freeze or fine-tune.",
        "pre.all_user": "No parameter was frozen: training updated the whole network.",
        "pre.part_frozen": "Frozen (requires_grad=False): {parts}; training updated only the other {trainable:,} "
                           "parameters.",
        "pre.all_frozen": "Every parameter is frozen (requires_grad=False), so training could update none of them.",
        "pre.changed": "Compared with the weights training started from, {changed:,} parameters changed and "
                       "{same:,} are exactly as they started.",
        "pre.frozen_kept": "All {frozen:,} frozen parameters are among those unchanged.",
        "pre.frozen_moved": "{moved:,} of the {frozen:,} frozen parameters changed nonetheless.",
        "pre.given_unknown": "A weights file does not record which parameters its training updated, so whether the "
                             "backbone was frozen or the whole network fine-tuned cannot be read from it; as "
                             "loaded here, {trainable:,} of the {total:,} parameters have requires_grad=True.",
        "pre.why": "Why this model, and why freeze or fine-tune, is your own decision: give your reasons in your "
                   "answer. This section states only what the run did.",
        "pre.more": "{parts} and {more} more",
        "pre.module": "Module",
        "pre.params": "Parameters",
        "pre.trainable": "Trainable",
        "pre.frozen": "Frozen",
        "pre.changed_h": "Changed in training",
        "pre.root": "(the model itself)",
        "pre.total": "Total",
    },
    "zh-TW": {
        "pre.builtin": "模型為 fer-report 內建的 {model}，由本次執行訓練。",
        "pre.user": "模型為你自己的 {name}（來自 {file}），由本次執行以 fer-report 的訓練流程訓練。",
        "pre.given": "模型為 {model}，以已訓練好的形式提供（{source}）：它是在你自己的程式中訓練的，而非本次執行。",
        "pre.given_file": "模型為已儲存的模型檔 {model}，以已訓練好的形式提供：它是在你自己的程式中訓練的，而非本次執行。",
        "pre.start_pretrained": "訓練從 {file} 中的 pretrained weights 開始（--pretrained）。",
        "pre.start_scratch": "沒有使用 pretrained weights：訓練從隨機初始化的權重開始（seed {seed}）。",
        "pre.start_user": "fer-report 沒有載入任何 pretrained weights：訓練從你的 class 的 constructor 所設定的權重開始"
                          "（seed {seed}），因此只有當你的 constructor 自行載入這類權重時，模型才算是 pretrained。",
        "pre.counts": "在 {total:,} 個參數中，{trainable:,} 個可訓練（requires_grad=True），{frozen:,} 個被凍結"
                      "（{frozen_share:.1%}）。",
        "pre.all_pretrained": "沒有任何參數被凍結，因此訓練 fine-tune 了整個網路，包含 pretrained 的 backbone。",
        "pre.all_scratch": "沒有任何參數被凍結：整個網路是從頭訓練的，因此沒有可凍結或 fine-tune 的 pretrained "
                           "backbone。",
        "pre.all_user": "沒有任何參數被凍結：訓練更新了整個網路。",
        "pre.part_frozen": "被凍結的部分（requires_grad=False）：{parts}；訓練只更新其餘 {trainable:,} 個參數。",
        "pre.all_frozen": "所有參數都被凍結（requires_grad=False），因此訓練無法更新任何參數。",
        "pre.changed": "與訓練開始時的權重相比，有 {changed:,} 個參數改變，{same:,} 個完全維持原值。",
        "pre.frozen_kept": "全部 {frozen:,} 個被凍結的參數都在未改變之列。",
        "pre.frozen_moved": "在 {frozen:,} 個被凍結的參數中，仍有 {moved:,} 個改變了。",
        "pre.given_unknown": "權重檔不會記錄訓練時更新了哪些參數，因此無法從中得知 backbone 是被凍結還是整個網路都被 "
                             "fine-tune；以目前載入的狀態，{total:,} 個參數中有 {trainable:,} 個 requires_grad=True。",
        "pre.why": "為什麼選擇這個模型、為什麼凍結或 fine-tune，是你自己的決定：請在你的回答中說明理由。本節只陳述本次"
                   "執行實際做了什麼。",
        "pre.more": "{parts}，以及另外 {more} 個",
        "pre.module": "模組",
        "pre.params": "參數",
        "pre.trainable": "可訓練",
        "pre.frozen": "凍結",
        "pre.changed_h": "訓練中改變",
        "pre.root": "（模型本身）",
        "pre.total": "合計",
    },
}


def run(settings, net, network, trained, text) -> Result:
    model = trained.model
    params = dict(model.named_parameters())
    total = sum(p.numel() for p in params.values())
    trainable = sum(p.numel() for p in params.values() if p.requires_grad)
    frozen = total - trainable
    parts = frozen_parts(model)
    lines = _origin(settings, net, text)
    if net.given:  # trained elsewhere: only what the weights themselves can tell
        changed = None
        lines.append(text("pre.given_unknown", trainable=trainable, total=total))
    else:
        changed = _changed(params, dict(network.named_parameters()))
        lines.append(text("pre.counts", trainable=trainable, total=total, frozen=frozen,
                          frozen_share=frozen / max(1, total)))
        lines.append(_verdict(settings, net, trainable, frozen, parts, text))
    if changed is not None:
        size = sum(params[n].numel() for n in changed)
        moved = sum(params[n].numel() for n in changed if not params[n].requires_grad)
        lines.append(text("pre.changed", changed=size, same=total - size))
        if frozen:
            lines.append(text("pre.frozen_moved", moved=moved, frozen=frozen) if moved
                         else text("pre.frozen_kept", frozen=frozen))
    lines.append(text("pre.why"))

    rows = module_rows(model, changed)
    for row in rows:
        row["name"] = row["name"] or text("pre.root")
    numbers = {"kind": net.kind, "given": net.given, "pretrained": None if net.given else settings.pretrained,
               "params": total, "trainable": trainable, "frozen": frozen, "frozen_parts": parts,
               "changed": None if changed is None else size, "modules": rows}
    return Result(numbers=numbers, text=lines, tables={"modules": rows})


def _origin(settings, net, text) -> list[str]:
    """Which model it is and where its starting weights came from."""
    file, _, name = settings.model.rpartition(":")
    if net.given and settings.weights is None:  # a whole saved model (TorchScript, ONNX, pickle)
        return [text("pre.given_file", model=settings.model)]
    if net.given:
        return [text("pre.given", model=name if net.kind == "python" else settings.model, source=settings.weights)]
    if net.kind == "builtin":
        return [text("pre.builtin", model=settings.model),
                text("pre.start_pretrained", file=settings.pretrained) if settings.pretrained
                else text("pre.start_scratch", seed=settings.seed)]
    return [text("pre.user", name=name, file=file), text("pre.start_user", seed=settings.seed)]


def _verdict(settings, net, trainable: int, frozen: int, parts: list[str], text) -> str:
    """Frozen or fine-tuned, from requires_grad of the model as it trained."""
    if trainable == 0:
        return text("pre.all_frozen")
    if frozen:
        shown = ", ".join(p or text("pre.root") for p in parts[:MAX_PARTS])
        if len(parts) > MAX_PARTS:
            shown = text("pre.more", parts=shown, more=len(parts) - MAX_PARTS)
        return text("pre.part_frozen", parts=shown, trainable=trainable)
    if settings.pretrained:
        return text("pre.all_pretrained")
    return text("pre.all_scratch" if net.kind == "builtin" else "pre.all_user")


def _changed(trained: dict[str, nn.Parameter], start: dict[str, nn.Parameter]) -> set[str] | None:
    """Names of the parameters that differ from the starting weights; None when the two do not line up."""
    if trained.keys() != start.keys() or any(trained[n].shape != start[n].shape for n in trained):
        return None
    return {n for n in trained if not torch.equal(trained[n].detach().cpu(), start[n].detach().cpu())}


def frozen_parts(model: nn.Module) -> list[str]:
    """What is frozen, named as briefly as possible: the largest modules whose parameters are all frozen
    (e.g. "backbone"; "" for the whole model), in model order, then any frozen parameter outside them."""
    frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
    out: list[str] = []
    for name, module in model.named_modules():
        own = [f"{name}.{n}" if name else n for n, _ in module.named_parameters()]
        if own and set(own) <= set(frozen) and not any(_within(name, p) for p in out):
            out.append(name)
    return out + [n for n in frozen if not any(_within(n, p) for p in out)]


def _within(name: str, part: str) -> bool:
    return part == "" or name == part or name.startswith(part + ".")


def module_rows(model: nn.Module, changed: set[str] | None) -> list[dict]:
    """One row per top-level module holding parameters (and one for parameters the model holds itself)."""
    groups: dict[str, list[tuple[str, nn.Parameter]]] = {}
    for name, p in model.named_parameters():
        top = name.split(".")[0] if "." in name else ""
        groups.setdefault(top, []).append((name, p))
    rows = []
    for top, items in groups.items():
        rows.append({"name": top, "params": sum(p.numel() for _, p in items),
                     "trainable": sum(p.numel() for _, p in items if p.requires_grad),
                     "frozen": sum(p.numel() for _, p in items if not p.requires_grad),
                     "changed": None if changed is None else sum(p.numel() for n, p in items if n in changed)})
    return rows


section = Section(name="pretrained", order=16, run=run, question=QUESTION, strings=STRINGS,
                  summary="Pretrained or from scratch, frozen or fine-tuned: the run's settings, requires_grad "
                          "counts per module, and which parameters training changed")
