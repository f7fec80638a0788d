"""Beyond the course: the mistakes themselves, one click from the confusion matrix. In the HTML every cell of
the matrix opens that cell's test images (most confident first) with a saliency thumbnail; the PDF gets
the five largest confusions as a static gallery; the text says what the numbers show about each."""

from __future__ import annotations

import numpy as np

from fer_report.draw import thumbnails
from fer_report.draw.plots import image_grid
from fer_report.report.section import Result, Section

from .strings import STRINGS

PER_CELL = 24  # images a cell's gallery shows (a diagonal cell: half most, half least confident)
TOP_PAIRS, PER_PAIR = 5, 8  # the PDF's static gallery
MIN_GREY = 5.0  # brightness differences under 5 grey levels are not worth a sentence, whatever the error bar

QUESTION = {
    "en": "Which images does the model get wrong, and what do they have in common?",
    "zh-TW": "模型答錯的是哪些圖片？它們有什麼共同點？",
}


def cell_images(y_true: np.ndarray, y_pred: np.ndarray, probs: np.ndarray, i: int, j: int) -> np.ndarray:
    """Indices of the test images of cell (true i, predicted j) to show: most confident first, at most PER_CELL;
    on the diagonal the PER_CELL / 2 most and the PER_CELL / 2 least confident correct ones."""
    idx = np.nonzero((y_true == i) & (y_pred == j))[0]
    idx = idx[np.argsort(-probs[idx, j], kind="stable")]
    if i == j and len(idx) > PER_CELL:
        return np.concatenate([idx[:PER_CELL // 2], idx[-(PER_CELL // 2):]])
    return idx[:PER_CELL]


def run(dataset, predictions, trained, figures, text) -> Result:
    test, pred = dataset.test, predictions.test
    classes, k = dataset.classes, len(dataset.classes)
    y, yp, probs = pred.y_true, pred.y_pred, pred.probs
    cells = {(i, j): cell_images(y, yp, probs, i, j) for i in range(k) for j in range(k)}
    shown = np.unique(np.concatenate([v for v in cells.values()] + [np.zeros(0, int)])).astype(int)
    maps = _saliency(trained, test.x[shown], yp[shown])
    paths = {}
    for n, index in enumerate(shown):
        path = f"figures/mistakes/{index}.png"
        thumbnails.save(thumbnails.face_and_map(test.x[index], None if maps is None else maps[n]),
                        figures.build_dir / path)
        paths[int(index)] = path
    counts = np.bincount(y * k + yp, minlength=k * k).reshape(k, k)
    pairs = sorted(((int(counts[i, j]), i, j) for i in range(k) for j in range(k) if i != j and counts[i, j]),
                   reverse=True)[:TOP_PAIRS]
    lines = [text("mis.intro", n=int(counts.sum()) - int(np.trace(counts)), total=int(counts.sum()),
                  per=PER_CELL)]
    facts = [_pair_facts(test.x, y, yp, probs, i, j) for _, i, j in pairs]
    lines += [_pair_sentence(f, classes, text) for f in facts]
    if not pairs:
        lines.append(text("mis.none"))
    alt = text("alt.mistakes", per=PER_PAIR, pairs="; ".join(
        f"{text.cls(classes[i])} → {text.cls(classes[j])} ({n})" for n, i, j in pairs))
    figs = [figures.save(_pair_figure(test.x, cells, pairs, probs, classes, text), "mistakes",
                         text("cap.mistakes", pairs=len(pairs), per=PER_PAIR), alt=alt)] if pairs else []
    galleries = [{"id": f"mis-{i}-{j}", "true": text.cls(classes[i]), "pred": text.cls(classes[j]),
                  "count": int(counts[i, j]), "diagonal": i == j,
                  "items": [{"path": paths[int(n)], "p": float(probs[n, j]), "index": int(n)} for n in cells[i, j]]}
                 for i in range(k) for j in range(k) if len(cells[i, j])]
    matrix = [{"name": text.cls(c), "cells": [{"count": int(counts[i, j]), "id": f"mis-{i}-{j}", "diagonal": i == j}
                                              for j in range(k)]} for i, c in enumerate(classes)]
    numbers = {"errors": int(counts.sum() - np.trace(counts)), "images": int(counts.sum()), "per_cell": PER_CELL,
               "thumbnails": len(shown), "saliency": maps is not None, "pairs": facts,
               "cells": {f"{i},{j}": [int(n) for n in v] for (i, j), v in cells.items() if len(v)}}
    return Result(numbers=numbers, text=lines, figures=figs,
                  tables={"matrix": matrix, "galleries": galleries, "classes": [text.cls(c) for c in classes]})


def _saliency(trained, images: np.ndarray, targets: np.ndarray) -> np.ndarray | None:
    """Gradient saliency of the predicted class (what drove the mistake), or None where gradients cannot run."""
    from fer_report.explain.methods import METHODS, MethodUnavailable

    if not len(images):
        return None
    try:
        return np.asarray(METHODS["gradient"].fn(trained.model, trained.inputs(images), targets), float)
    except (MethodUnavailable, RuntimeError):
        return None


def _pair_facts(x, y, yp, probs, i, j) -> dict:
    """What the numbers say about the images of true i predicted j, beside the correctly recognised i."""
    wrong, right = (y == i) & (yp == j), (y == i) & (yp == i)
    brightness = x.reshape(len(x), -1).mean(1)
    facts = {"true": int(i), "pred": int(j), "count": int(wrong.sum()), "of": int((y == i).sum()),
             "confidence": float(np.median(probs[wrong, j])),
             "margin": float(np.median(probs[wrong, j] - probs[wrong, i])), "brightness": None}
    if wrong.sum() >= 3 and right.sum() >= 3:
        a, b = brightness[wrong], brightness[right]
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        if abs(a.mean() - b.mean()) >= max(MIN_GREY, 2 * se):
            facts["brightness"] = {"wrong": float(a.mean()), "right": float(b.mean())}
    return facts


def _pair_sentence(f: dict, classes, text) -> str:
    true, pred = text.cls(classes[f["true"]]), text.cls(classes[f["pred"]])
    line = text("mis.pair", true=true, pred=pred, n=f["count"], of=f["of"], conf=f["confidence"],
                margin=100 * f["margin"])
    if f["brightness"]:
        key = "mis.darker" if f["brightness"]["wrong"] < f["brightness"]["right"] else "mis.brighter"
        line += text(key, true=true, wrong=f["brightness"]["wrong"], right=f["brightness"]["right"])
    return line


def _pair_figure(x, cells, pairs, probs, classes, text):
    images, titles = [], []
    for _, i, j in pairs:
        idx = list(cells[i, j][:PER_PAIR])
        for col in range(PER_PAIR):
            if col < len(idx):
                images.append(x[idx[col]])
                titles.append(f"{text.cls(classes[i])} → {text.cls(classes[j])}\n{probs[idx[col], j]:.0%}")
            else:  # a short row keeps its place: rows stay one confusion each
                images.append(np.full_like(x[0], 255))
                titles.append("")
    return image_grid(images, titles, cols=PER_PAIR)


section = Section(name="mistakes", order=32, run=run, question=QUESTION, strings=STRINGS,
                  summary="Every confusion-matrix cell opens its test images in the HTML (most confident first, "
                          "with saliency); the five largest confusions as a gallery in the PDF")
