"""``fer_report.Report``: the report from inside the notebook where the model was trained.

The command line and this class take the same settings (declared once, in ``config.Settings``), load
them the same way (``config.load_settings``: defaults < recipe < config file < given) and build through
the same function (``build_report`` / ``build_section``, which ``cli.py`` calls too), so the same
settings give the same report.json. What a notebook holds in memory (a model object, a history list,
arrays, pictures) is handed to that path under a name (``model.objects``, ``data.arrays``) or written
as the file the CLI would have read (``logs.objects``, ``data.images.save_pictures``).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import shutil
import sys
from pathlib import Path
from typing import Any

from fer_report import options as declarations
from fer_report.config import Author, Settings, load_settings
from fer_report.errors import ConfigError, UserError, did_you_mean

EXTRA = {"train": "with model= an nn.Module: train it here with our recipe (from re-initialised weights) instead "
                  "of evaluating it as it is",
         "config": "a TOML file setting any option (as --config); keywords override it",
         "recipe": "a built-in training recipe (as --recipe), under config= and keywords"}
SUFFIXES = (".pdf", ".html", ".json")


def build_report(settings: Settings, *, progress: bool | None = None) -> dict[str, Any]:
    """The whole report into ``settings.out``: what ``fer-report build`` and ``Report`` both run."""
    from fer_report.report.build import build

    return build(settings, progress=progress)


def build_section(settings: Settings, name: str, *, progress: bool | None = None) -> tuple[Path, dict[str, Any]]:
    """One section into OUT/sections/NAME (cached artefacts reused): ``fer-report section`` and ``Report.section``."""
    from fer_report.report.build import build

    settings = dataclasses.replace(settings, sections=[name])
    out = Path(settings.out) / "sections" / name
    return out, build(settings, out=out, progress=progress)


def _clean(fn):
    """A ``UserError`` surfaces as the CLI's one line, without the traceback of our internals behind it."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            raise exc.with_traceback(None) from None
    return call


class Report:
    __doc__ = ""  # filled in below from the option declarations

    @_clean
    def __init__(self, **options: Any) -> None:
        self.settings = settings_from(options)
        self._report: dict[str, Any] | None = None
        self._sections: dict[str, Shown] = {}

    @property
    def out(self) -> Path:
        return Path(self.settings.out)

    @_clean
    def build(self) -> dict[str, Any]:
        """Build (once; later calls return the same) and return what report.json holds."""
        if self._report is None:
            self._report = build_report(self.settings, progress=_progress())
        return self._report

    @property
    def json(self) -> dict[str, Any]:
        return self.build()

    def __getitem__(self, key: str) -> Any:
        return self.build()[key]

    def keys(self):
        return self.build().keys()

    @property
    def html(self) -> str:
        self.build()
        return (self.out / "report.html").read_text(encoding="utf-8")

    @_clean
    def to_file(self, path: str | Path) -> Path:
        """report.pdf, .html or .json by the suffix: the files the CLI writes (built once, then copied)."""
        target = Path(path)
        if target.suffix.lower() not in SUFFIXES:
            raise ConfigError(f"to_file: '{target}' has no suffix fer-report writes; expected one of "
                              f"{', '.join(SUFFIXES)}{did_you_mean(target.suffix.lower(), SUFFIXES)}")
        self.build()
        source = self.out / f"report{target.suffix.lower()}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not (target.exists() and target.resolve() == source.resolve()):
            shutil.copyfile(source, target)
        return target

    @_clean
    def section(self, name: str) -> Shown:
        """One section alone, built (or reused from the cache) into OUT/sections/NAME, shown inline."""
        from fer_report.report.section import load_sections

        known = load_sections()
        if name not in known:
            raise ConfigError(f"section '{name}' is not one of {', '.join(known)}{did_you_mean(name, known)}")
        if name not in self._sections:
            out, report = build_section(self.settings, name, progress=_progress())
            self._sections[name] = Shown(out, report)
        return self._sections[name]

    def _repr_html_(self) -> str:
        self.build()
        return iframe(self.html)

    def __repr__(self) -> str:
        state = "built" if self._report is not None else "not built yet"
        return f"<fer_report.Report model={self.settings.model} out={self.out} ({state})>"


@dataclasses.dataclass
class Shown:
    """A built report (one section's), displayed inline by Jupyter through ``_repr_html_``."""

    out: Path
    json: dict[str, Any]

    @property
    def html(self) -> str:
        return (self.out / "report.html").read_text(encoding="utf-8")

    def __getitem__(self, key: str) -> Any:
        return self.json[key]

    def _repr_html_(self) -> str:
        return iframe(self.html)


def iframe(page: str, *, height: int = 800) -> str:
    """The page in an ``<iframe srcdoc>``: its CSS cannot restyle the notebook, and it needs no file or server,
    so it shows the same in Jupyter Lab, classic Notebook, VS Code and Colab."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:{height}px;border:1px solid '
            '#ccc" sandbox="allow-same-origin allow-popups" loading="lazy"></iframe>')


def _progress() -> bool | None:
    """tqdm.auto's bars in a notebook (a kernel has no terminal, so the CLI's rule would show none)."""
    return True if "ipykernel" in sys.modules else None


def settings_from(given: dict[str, Any]) -> Settings:
    """Settings from ``Report``'s keywords: the in-memory forms turned into what the CLI would be given."""
    names = [d.name for d in declarations.declared(Settings)]
    for key in given:
        if key not in names and key not in EXTRA:
            raise TypeError(f"Report() got an unexpected keyword argument '{key}'{did_you_mean(key, [*names, *EXTRA])}")
    values = dict(given)
    config, recipe, train = values.pop("config", None), values.pop("recipe", None), values.pop("train", False)
    inputs = Settings(out=str(values.get("out", "build")), cache=values.get("cache")).cache_dir / "inputs"
    if isinstance(values.get("questions"), str):
        values["preset"] = values.pop("questions")
    if isinstance(values.get("sections"), str):
        values["sections"] = [s.strip() for s in values["sections"].split(",") if s.strip()]
    model = values.get("model")
    if model is not None and not isinstance(model, (str, Path)):
        from fer_report.model.keras.objects import is_keras_model, save_keras_model
        from fer_report.model.objects import register

        if not is_keras_model(model):
            values["model"] = register(model, train=bool(train), inputs=inputs)
        elif train:
            raise ConfigError("train=True: only for a torch nn.Module; a Keras model is evaluated as it is (its "
                              "class cannot be trained here)")
        else:
            values["model"] = save_keras_model(model, inputs)
    elif train:
        raise ConfigError("train=True: only for a model object (model=net); a model file without weights= is "
                          "trained anyway, one with weights= is evaluated as given")
    if isinstance(values.get("data"), dict):
        from fer_report.data.arrays import register as register_arrays

        values["data"] = register_arrays(values["data"])
    if values.get("history") is not None and not isinstance(values["history"], (str, Path)):
        from fer_report.logs.objects import write_history

        values["history"] = write_history(values["history"], inputs)
    if values.get("images") is not None and not isinstance(values["images"], (str, Path)):
        from fer_report.data.images import save_pictures

        values["images"] = save_pictures(values["images"], inputs)
    if isinstance(values.get("author"), Author):
        values["author"] = dataclasses.asdict(values["author"])
    for key, value in list(values.items()):
        if isinstance(value, Path):
            value = values[key] = str(value)
        if value is not None and key != "author":  # the types TOML is held to (an int for a float is fine)
            values[key] = declarations.check_toml_value(Settings, key, value, "Report()")[1]
    return load_settings(config, values, recipe=recipe)


def _doc() -> str:
    lines = ["The course report of a facial-expression classifier, from Python (a notebook) as from the command",
             "line: every keyword is a ``fer-report build`` option under its settings name, plus the in-memory forms.",
             "", "    report = fer_report.Report(model=net, data={'train': (x, y), 'val': (x, y), 'test': (x, y)},",
             "                               history=history, questions='ntu-ml-2019fall-hw3', lang='zh-TW')",
             "    report                        # the whole report, inline",
             "    report.section('confusion')   # one section, inline",
             "    report.to_file('report.pdf')  # or .html / .json: the files the CLI writes", "",
             "In-memory forms: model= an nn.Module (evaluated as it is; train=True trains it with our recipe)",
             "or a Keras model (saved by Keras, then read as --model model.keras);",
             "history= a Keras History, its .history dict, a pandas DataFrame or a list of per-epoch dicts;",
             "data= {'train': (x, y), 'val': (x, y), 'test': (x, y)}, x (N,48,48), (N,48,48,1), (N,1,48,48) or",
             "(N,2304), uint8 or float 0..1 / 0..255, numpy or torch, y class indices or one-hot rows;",
             "images= a list of PIL images or arrays;",
             "questions= a preset's name (a str) or {section: heading} (a dict). Bad input raises",
             "fer_report.UserError (a ValueError) with the CLI's one-line message.", "", "Keywords:"]
    for d in declarations.declared(Settings):
        lines.append(f"    {d.name}: {d.option.help}")
    lines += [f"    {name}: {text}" for name, text in EXTRA.items()]
    return "\n".join(lines)


Report.__doc__ = _doc()
