"""Which test images an explanation section shows or measures: deterministic, from the predictions alone."""

from __future__ import annotations

import numpy as np

CONFIDENT_SHARE = 0.5  # "confidently predicted" = among the most confident half of a class's correct images


def one_per_class(y_true: np.ndarray, y_pred: np.ndarray, probs: np.ndarray, seed: int) -> list[int]:
    """One test index per class present in ``y_true``, in class order.

    The pick is drawn (with ``seed``) among the class's correctly classified images whose predicted
    probability is in the top ``CONFIDENT_SHARE``; a class with no correct image gives any of its images.
    """
    y_true, y_pred, probs = np.asarray(y_true), np.asarray(y_pred), np.asarray(probs)
    rng = np.random.default_rng(seed)
    picks: list[int] = []
    for c in range(probs.shape[1] if probs.ndim == 2 else int(y_true.max(initial=-1)) + 1):
        members = np.flatnonzero(y_true == c)
        if len(members) == 0:
            continue
        correct = members[y_pred[members] == c]
        if len(correct):
            conf = probs[correct, c]
            keep = max(1, int(np.ceil(len(correct) * CONFIDENT_SHARE)))
            pool = np.sort(correct[np.argsort(-conf, kind="stable")[:keep]])
        else:
            pool = members
        picks.append(int(rng.choice(pool)))
    return picks


def confident_mistakes(y_true: np.ndarray, y_pred: np.ndarray, probs: np.ndarray, k: int = 3) -> list[int]:
    """The ``k`` misclassified test indices with the highest predicted probability (ties: lower index first)."""
    y_true, y_pred, probs = np.asarray(y_true), np.asarray(y_pred), np.asarray(probs)
    wrong = np.flatnonzero(y_true != y_pred)
    conf = probs[wrong, y_pred[wrong]]
    return [int(i) for i in wrong[np.argsort(-conf, kind="stable")[:k]]]


def correct_sample(y_true: np.ndarray, y_pred: np.ndarray, n: int = 200, seed: int = 0) -> np.ndarray:
    """Up to ``n`` correctly classified test indices (all of them if fewer), sorted, drawn with ``seed``."""
    correct = np.flatnonzero(np.asarray(y_true) == np.asarray(y_pred))
    if len(correct) > n:
        correct = np.sort(np.random.default_rng(seed).choice(correct, size=n, replace=False))
    return correct


def title(i: int, y_true: np.ndarray, y_pred: np.ndarray, probs: np.ndarray, classes, text) -> tuple[str, bool]:
    """The line above example ``i`` in a figure and whether it is a mistake (drawn in red).

    A correct example shows its class and the predicted probability; a mistake shows the true and
    the predicted class, so a class with no correct image is never shown as if it were right.
    """
    true, guess = int(y_true[i]), int(y_pred[i])
    if true == guess:
        return text("ex.title", cls=text.cls(classes[true]), p=probs[i, guess]), False
    return text("ex.title_wrong", true=text.cls(classes[true]), pred=text.cls(classes[guess]), p=probs[i, guess]), True


def titles(idx, pred, classes, text) -> list[tuple[str, bool]]:
    """``title`` of each test example ``idx`` of the split predictions ``pred``."""
    return [title(i, pred.y_true, pred.y_pred, pred.probs, classes, text) for i in idx]


def own_titles(user_predictions: list[dict], text) -> list[tuple[str, bool]]:
    """Titles of the user's own pictures in a figure: the file name and the predicted class with its probability."""
    return [(text("ex.own_title", name=_short(u["name"]), cls=text.cls(u["top3"][0]["class"]), p=u["top3"][0]["p"]),
             False) for u in user_predictions]


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[:limit - 1] + "…"


def without_correct(shown: list[int] | np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, classes, text) -> list[str]:
    """The sentence naming the shown classes that have no correctly classified test image (or none)."""
    missing = [text.cls(classes[int(y_true[i])]) for i in shown if y_true[i] != y_pred[i]]
    return [text("faith.no_correct", classes=text("faith.sep").join(missing), n=len(missing))] if missing else []
