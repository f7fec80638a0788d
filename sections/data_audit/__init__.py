"""Beyond the course: the data set's own faults. Copies of test faces among the training faces (and what
the test accuracy is without them), blank images, the classes per split, and the test images whose
label the model finds least believable (confident learning)."""

from __future__ import annotations

import numpy as np

from fer_report.data import audit as A
from fer_report.draw.plots import image_grid
from fer_report.report.section import Result, Section

from .strings import STRINGS

SHOW_PAIRS = 8  # copy pairs drawn (train | test)
SHOW_LABELS = 50  # suspect labels listed and drawn

QUESTION = {
    "en": "What is wrong with the data itself (copies across splits, blank images, suspect labels)?",
    "zh-TW": "資料本身有什麼問題（跨 split 的重複圖片、空白圖片、可疑的標記）？",
}


def run(dataset, predictions, figures, text) -> Result:
    splits = dataset.splits()
    names = dataset.split_names
    drawn = bool(dataset.region_names)  # drawn faces (their cue regions known) share one template: no copy search
    a = A.audit(splits, len(dataset.classes), find_copies=not drawn)
    sizes = {k: len(v) for k, v in splits.items()}
    counts = {k: v.tolist() for k, v in a.counts.items()}
    rare = int(np.argmin(np.where(a.counts["train"] > 0, a.counts["train"], np.iinfo(np.int64).max)))
    lines = [text("aud.counts", train=sizes["train"], val=sizes["val"], test=sizes["test"],
                  cls=text.cls(dataset.classes[rare]), share=a.counts["train"][rare] / max(1, sizes["train"]))]
    figs, numbers = [], {"sizes": sizes, "counts": counts, "hamming_bits": A.HAMMING, "min_correlation": A.MIN_CORR}
    if drawn:
        lines.append(text("aud.drawn"))
    else:
        lines += _copies(a, dataset, predictions, names, sizes, text, numbers)
        if len(a.duplicates["train-test"]):
            figs.append(_pair_figure(a.duplicates["train-test"], dataset, names, figures, text))
    blank = {k: v.tolist() for k, v in a.blank.items()}
    numbers["blank"] = blank
    n_blank = sum(len(v) for v in blank.values())
    lines.append(text("aud.blank", n=n_blank, std=A.BLANK_STD, per=", ".join(f"{names[k]} {len(v)}"
                                                                            for k, v in blank.items()))
                 if n_blank else text("aud.no_blank", std=A.BLANK_STD))
    test = predictions.test
    flagged = A.label_issues(test.y_true, test.probs)
    suspects = flagged[:SHOW_LABELS]
    numbers["label_issues_total"] = len(flagged)
    numbers["label_issues"] = [{"index": int(i), "given": dataset.classes[test.y_true[i]],
                                "model": dataset.classes[test.y_pred[i]],
                                "p_given": float(test.probs[i, test.y_true[i]]),
                                "p_model": float(test.probs[i, test.y_pred[i]])} for i in suspects]
    if len(suspects):
        lines.append(text("aud.labels", n=len(flagged), shown=len(suspects), test=sizes["test"], split=names["test"]))
        figs.append(_label_figure(suspects, dataset, test, figures, text))
    else:
        lines.append(text("aud.no_labels", split=names["test"]))
    rows = [{"name": text.cls(c), **{k: counts[k][i] for k in counts}} for i, c in enumerate(dataset.classes)]
    return Result(numbers=numbers, text=lines, figures=figs, tables={"counts": rows, "splits": names})


def _copies(a, dataset, predictions, names, sizes, text, numbers) -> list[str]:
    pairs = a.duplicates["train-test"]
    tainted = a.tainted_test()
    test = predictions.test
    exact = int(sum(np.array_equal(dataset.train.x[i], dataset.test.x[j]) for i, j, _ in pairs))
    disagree = int(sum(dataset.train.y[i] != dataset.test.y[j] for i, j, _ in pairs))
    numbers["copies"] = {k: len(v) for k, v in a.duplicates.items()}
    numbers["tainted_test"] = tainted.tolist()
    numbers["exact_pairs"], numbers["label_disagreements"] = exact, disagree
    val_tainted = len(np.unique(a.duplicates["train-val"][:, 1]))
    if not len(tainted):
        return [text("aud.no_copies", bits=A.HAMMING, corr=A.MIN_CORR, test=names["test"])]
    lines = [text("aud.copies", n=len(tainted), test=sizes["test"], share=len(tainted) / sizes["test"],
                  split=names["test"], bits=A.HAMMING, corr=A.MIN_CORR, pairs=len(pairs), exact=exact,
                  n_val=val_tainted, val=names["val"]),
             text("aud.disagree", disagree=disagree, pairs=len(pairs))]
    clean = np.ones(len(test.y_true), bool)
    clean[tainted] = False
    right = test.y_true == test.y_pred
    numbers["accuracy"] = {"all": float(right.mean()), "without_copies": float(right[clean].mean()) if clean.any()
                           else None, "copies_only": float(right[~clean].mean())}
    if clean.any():
        dup, rest = right[~clean].mean(), right[clean].mean()
        se = np.sqrt(dup * (1 - dup) / (~clean).sum() + rest * (1 - rest) / clean.sum())  # of the difference
        key = "aud.memorised" if dup - rest > 2 * se else "aud.not_memorised"
        lines += [text("aud.accuracy", clean=rest, all=right.mean(), dup=dup), text(key, points=100 * (dup - rest))]
    return lines


def _pair_figure(pairs, dataset, names, figures, text):
    """The closest and the farthest pairs within the threshold, each as the training image then its test copy."""
    order = np.argsort(pairs[:, 2], kind="stable")
    if len(order) > SHOW_PAIRS:
        order = np.concatenate([order[:SHOW_PAIRS // 2], order[-(SHOW_PAIRS // 2):]])
    images, titles = [], []
    for i, j, bits in pairs[order]:
        images += [dataset.train.x[i], dataset.test.x[j]]
        titles += [f"{names['train']} {i}\n{text.cls(dataset.classes[dataset.train.y[i]])}",
                   f"{names['test']} {j} ({bits} b)\n{text.cls(dataset.classes[dataset.test.y[j]])}"]
    return figures.save(image_grid(images, titles, cols=8), "data_audit_copies", text("cap.copies", bits=A.HAMMING),
                        alt=text("alt.copies", n=len(order)))


def _label_figure(suspects, dataset, test, figures, text):
    titles = [f"{text.cls(dataset.classes[test.y_true[i]])} {test.probs[i, test.y_true[i]]:.0%}\n"
              f"→ {text.cls(dataset.classes[test.y_pred[i]])} {test.probs[i, test.y_pred[i]]:.0%}" for i in suspects]
    first = suspects[0]
    alt = text("alt.labels", n=len(suspects), given=text.cls(dataset.classes[test.y_true[first]]),
               model=text.cls(dataset.classes[test.y_pred[first]]), p=float(test.probs[first, test.y_pred[first]]))
    return figures.save(image_grid([dataset.test.x[i] for i in suspects], titles, cols=10, width=0.9),
                        "data_audit_labels", text("cap.labels"), alt=alt)


section = Section(name="data_audit", order=34, run=run, question=QUESTION, strings=STRINGS,
                  summary="Copies of test faces among the training faces (perceptual hash + pixel correlation) and "
                          "the accuracy without them, blank images, classes per split, suspect labels (cleanlab)")
