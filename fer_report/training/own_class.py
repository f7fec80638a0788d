"""The student's own class trained again here, for the questions that compare trainings (with and without
augmentation, normalisation on and off, semi-supervised learning).

A checkpoint records one training, with the student's recipe: it cannot be trained again under other settings.
Their class can: the comparison sections train it from scratch (``weights=None``), with fer-report's recipe,
under each paired setting, through ``fer_report.training.train.train``, so each run is cached like any training
and a run two sections share is trained once. The given checkpoint is none of those runs, and the sections say
so. An exported file (TorchScript, ONNX, Keras) has no class to train: the requirement
(``fer_report.report.requirements.retrainable``) skips those sections for it.
"""

from __future__ import annotations

from dataclasses import replace


def came_trained(trained) -> bool:
    """The run's model is the student's checkpoint (their recipe), not a training of this run."""
    return not getattr(trained, "trained_here", True)


def base_settings(settings, trained):
    """The settings the comparison's runs vary: the run's own, or for a class that came trained the same class
    from scratch (no --weights) with this run's recipe (--epochs, --lr, ... apply)."""
    return replace(settings, weights=None) if came_trained(trained) else settings


def recipe(settings) -> dict:
    """What "our recipe" was for these runs, for the sentence that says so."""
    return {"optimizer": settings.optimizer, "lr": settings.lr, "batch": settings.batch_size,
            "epochs": settings.epochs, "seed": settings.seed}


def own_class_values(settings, runs) -> dict:
    """The values of a section's ``PREFIX.own_class`` sentence: the student's model and checkpoint, our recipe,
    and what the runs (``Trained``, each counted once) cost: trained now or reused from the cache."""
    unique = list({str(t.cache_dir): t for t in runs}.values())
    now, cached = [t for t in unique if t.seconds > 0], [t for t in unique if t.seconds == 0]
    return {"model": settings.model, "weights": settings.weights, **recipe(settings), "now": len(now),
            "seconds": sum(t.recorded_seconds for t in now), "cached": len(cached),
            "cached_seconds": sum(t.recorded_seconds for t in cached),
            "device": str(unique[0].device) if unique else "cpu"}
