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
        from fer_report.model.inference import views

        t = artefacts.get("trained")
        seen = views(t.model, t.spec.size, tta=t.tta, ten_crop=t.ten_crop)
        if seen.count > 1:  # the views each prediction averages (flip, five or ten crops)
            facts["tta"] = seen.to_json()
        if t.trained_here:
            facts["training"] = {"device": str(t.device), "seconds_this_run": round(t.seconds, 1),
                                 "epochs_run": len(t.history), "cache": str(t.cache_dir)}
        else:
            facts["given"] = {"device": str(t.device), "weights": artefacts.settings.weights,
                              "epochs_logged": len(t.history) if t.history else None}
    if artefacts.computed("predictions"):
        p = artefacts.get("predictions")
        facts["accuracy"] = {"test": p.test.accuracy, "val": p.val.accuracy}
        if p.single is not None:  # the same test split, one view of each image: what the averaging adds
            facts["accuracy"]["single_test"] = p.single.accuracy
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
        "tta_line": _tta_line(report["run"].get("tta"), text),
        "classes_line": _classes_line(report["run"].get("model", {}).get("input", {}).get("classes"), text),
        "citations": _citations(report),
    }


def _citations(report: dict[str, Any]) -> dict[str, Any]:
    from fer_report.report.references import cited, formatted

    order = [ref["section"] for block in report.get("outline", []) for ref in block.get("refs", []) if ref["first"]]
    found = cited(report, order)
    found["list"] = [(n, formatted(entry)) for n, entry in found["list"]]
    return found


def _tta_line(tta: dict[str, Any] | None, text) -> str | None:
    """How each prediction averages views of the image (``inference.Views``), or None for single images."""
    if not tta:
        return None
    if tta["kind"] == "flip":
        return text("report.tta.flip")
    values = {"kind": tta["kind"], "views": tta["views"], "crop": tta["crop"], "side": tta["side"],
              "which": text(f"report.tta.{tta['kind']}")}
    key = "trained" if tta["trained"] else "stretched" if tta["stretched"] else "crops"
    return text(f"report.tta.{key}", **values)


def _classes_line(classes: dict[str, Any] | None, text) -> str | None:
    """The model's output order as --classes gave it, each synonym with the FER2013 class it was read as."""
    if not classes:
        return None
    names = [g if g.lower() == r.lower() else f"{g} ({text.cls(r)})" for g, r in zip(classes["given"], classes["read"])]
    return text("report.classes_line", names=", ".join(names))


def _pretrained_line(run: dict[str, Any], text) -> str | None:
    from fer_report.model.downloads import header_line

    pretrained = run.get("model", {}).get("pretrained")
    return header_line(pretrained, text) if pretrained else None
