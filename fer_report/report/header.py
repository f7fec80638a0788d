"""What the report's header states about the run: the data, the model, where it was trained or that it came
trained, the accuracies, and the page's title and training line. Only what some section already computed is
stated: the header never trains or loads anything for itself."""

from __future__ import annotations

from typing import Any

from fer_report import __version__
from fer_report.report.artifacts import Artefacts


def run_facts(artefacts: Artefacts) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if artefacts.computed("dataset"):
        ds = artefacts.get("dataset")
        facts["data"] = {"name": ds.name, "source": ds.source, "image_size": ds.image_size,
                         "sizes": {k: len(v) for k, v in ds.splits().items()}}
    if artefacts.computed("net"):
        net = artefacts.get("net")
        facts["model"] = {"kind": net.kind, "given": net.given, "output": net.output, "tuple_output": net.tuple_output,
                          "input": net.spec.to_json(), "input_line": net.spec.describe()}
        if net.keras is not None:  # a converted Keras file: what it was, as Keras describes it
            k = net.keras
            facts["model"]["keras"] = {"file_kind": k.file_kind, "keras_version": k.keras_version, "name": k.name,
                                       "input_shape": list(k.input_shape), "total_params": k.total_params}
        if net.pretrained:  # the downloads its file asked for: skipped (--weights), from the hub cache ...
            facts["model"]["pretrained"] = net.pretrained
    if artefacts.computed("trained"):
        t = artefacts.get("trained")
        if t.trained_here:
            facts["training"] = {"device": str(t.device), "seconds_this_run": round(t.seconds, 1),
                                 "epochs_run": len(t.history), "cache": str(t.cache_dir)}
        else:
            facts["given"] = {"device": str(t.device), "weights": artefacts.settings.weights,
                              "epochs_logged": len(t.history) if t.history else None}
    if artefacts.computed("predictions"):
        p = artefacts.get("predictions")
        facts["accuracy"] = {"test": p.test.accuracy, "val": p.val.accuracy}
    return facts


def page_context(plan, report: dict[str, Any], text) -> dict[str, Any]:
    """The page template's header values (``plan``: fer_report.report.plan.Plan)."""
    s = plan.settings
    return {
        "lang": s.lang, "t": text, "title": plan.title(text("report.title")), "author": s.author,
        "report": report, "sections": report["sections"], "run": report["run"],
        "training_line": text("report.training_line", epochs=s.epochs, batch_size=s.batch_size,
                              optimizer=s.optimizer, lr=s.lr, augment=text("on" if s.augment else "off"),
                              seed=s.seed, device=report["run"].get("training", {}).get("device", s.device)),
        "generated": text("report.generated", version=__version__, date=report["created"][:10]),
        "pretrained_line": _pretrained_line(report["run"], text),
    }


def _pretrained_line(run: dict[str, Any], text) -> str | None:
    from fer_report.model.downloads import header_line

    pretrained = run.get("model", {}).get("pretrained")
    return header_line(pretrained, text) if pretrained else None
