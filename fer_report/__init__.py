"""fer-report: one command from a facial-expression classifier to a submission-ready report."""

__version__ = "0.1.0"

#: FER2013's seven classes, in its label order (0..6).
CLASSES: tuple[str, ...] = ("Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral")


_LAZY = {"Report": "fer_report.api", "UserError": "fer_report.errors"}


def __getattr__(name: str):
    """``Report`` and ``UserError`` load on first use, so ``import fer_report`` (and the CLI's --help) stays fast;
    by ``importlib``, since the package's own modules import it (``CLASSES``) and a static import would loop."""
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name == "options":
        return importlib.import_module("fer_report.options")
    raise AttributeError(f"module 'fer_report' has no attribute {name!r}")


__all__ = ["CLASSES", "Report", "UserError", "__version__"]
