"""Settings: built-in defaults, then a TOML file, then command-line flags, each overriding the last."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from fer_report.errors import ConfigError

LANGS = ("en", "zh-TW")
DEVICES = ("auto", "cpu", "cuda")
OPTIMIZERS = ("adam", "sgd")
AUGMENT_POLICIES = ("light", "strong")  # see fer_report/augment.py
SCHEDULES = ("cosine", "plateau")
ABLATIONS = ("dnn",)  # extra runs for the augmentation section (each one more training)


@dataclass
class Author:
    """What a course report carries in its header (學號 / 系級 / 姓名)."""

    student_id: str = ""
    department: str = ""
    name: str = ""


@dataclass
class Settings:
    data: str | None = None  # None = the embedded synthetic faces
    model: str = "cnn4"
    match: str = "cnn4"  # for the dnn model: the CNN whose parameter count it matches
    weights: str | None = None
    epochs: int = 10
    batch_size: int = 64
    lr: float = 2e-3
    optimizer: str = "adam"
    augment: bool = True
    augment_policy: str = "light"  # light, or strong (random resized crop, shift, flip, rotation, random erasing)
    ten_crop: bool = False  # train on the ten crops of each image and average them at test time
    schedule: str = "cosine"  # cosine, or plateau (lr x0.75 after 5 epochs without a better val_acc)
    compile: bool = False  # torch.compile the training step (CUDA)
    lang: str = "en"
    out: str = "build"
    cache: str | None = None  # None = <out>/cache
    device: str = "auto"
    seed: int = 0
    synthetic_size: str = "default"
    sections: list[str] | None = None  # None = every section
    layer: str | None = None  # conv layer for filters/Grad-CAM (dotted module name); None = each section's default
    export_course_figures: str | None = None  # folder for the course's fig1_*.jpg / fig2_*.jpg / fig3_*.jpg
    ablations: list[str] = field(default_factory=list)  # e.g. ["dnn"]: CNN vs the DNN of equal parameter count
    keep_going: bool = False
    templates: str | None = None  # a folder whose templates override the built-in ones (sandboxed)
    title: str | None = None
    author: Author = field(default_factory=Author)
    questions: dict[str, str] = field(default_factory=dict)  # section name -> question heading

    @property
    def cache_dir(self) -> Path:
        return Path(self.cache) if self.cache else Path(self.out) / "cache"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_TYPES: dict[str, tuple[type, ...]] = {
    "data": (str,), "model": (str,), "match": (str,), "weights": (str,), "epochs": (int,),
    "batch_size": (int,), "lr": (float, int), "optimizer": (str,), "augment": (bool,), "lang": (str,),
    "out": (str,), "cache": (str,), "device": (str,), "seed": (int,), "synthetic_size": (str,),
    "sections": (list,), "layer": (str,), "export_course_figures": (str,), "keep_going": (bool,), "ablations": (list,), "templates": (str,), "title": (str,), "author": (dict,), "questions": (dict,),
    "augment_policy": (str,), "ten_crop": (bool,), "schedule": (str,), "compile": (bool,),
}


def load_settings(config_file: str | Path | None, overrides: dict[str, Any], *, recipe: str | None = None) -> Settings:
    """Defaults < ``recipe`` < ``config_file`` < ``overrides`` (flags the user actually gave; None means not given)."""
    values: dict[str, Any] = {}
    lines: dict[str, str] = {}
    if recipe is not None:
        recipe_path = recipe_file(recipe)
        values.update(_read_toml(recipe_path))
        lines = {k: f"recipe {recipe} ({recipe_path})" for k in values}
    if config_file is not None:
        from_file = _read_toml(Path(config_file))
        values.update(from_file)
        text = Path(config_file).read_text(encoding="utf-8")
        lines.update({k: f"{config_file}{_line_of(text, k)}" for k in from_file})
    flags = {k: v for k, v in overrides.items() if v is not None}
    values.update(flags)
    author = Author(**values.pop("author", {}))
    settings = Settings(author=author, **values)

    def source(key: str) -> str:
        """Where a value was set, for the message: the flag, or the config file and its line."""
        if key in flags or key not in lines:
            return f"--{key.replace('_', '-')}"
        return lines[key]

    _validate(settings, source)
    return settings


def recipes() -> list[str]:
    """Names of the built-in recipes (configs/NAME.toml, installed as fer_report.configs)."""
    return sorted(p.stem for p in _configs_dir().glob("*.toml"))


def recipe_file(name: str) -> Path:
    path = _configs_dir() / f"{name}.toml"
    if not path.is_file():
        hint = difflib.get_close_matches(name, recipes(), n=1)
        did_you_mean = f"; did you mean '{hint[0]}'?" if hint else ""
        raise ConfigError(f"--recipe: unknown recipe '{name}'{did_you_mean} (known: {', '.join(recipes())})")
    return path


def _configs_dir() -> Path:
    import fer_report.configs as c

    return Path(next(iter(c.__path__)))


def _line_of(text: str, key: str) -> str:
    """' line N' where ``key = ...`` or ``[key]`` is written (tomllib keeps no positions); '' if not found."""
    k = re.escape(key)
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"""\s*(["']?{k}["']?\s*=|\[\s*["']?{k}["']?\s*\])""", line):
            return f" line {number}"
    return ""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in _TYPES:
            hint = difflib.get_close_matches(name, _TYPES, n=1)
            did_you_mean = f"; did you mean '{hint[0]}'?" if hint else ""
            raise ConfigError(f"{path}{_line_of(text, key)}: unknown key '{key}'{did_you_mean} "
                              f"(known: {', '.join(sorted(_TYPES))})")
        if not isinstance(value, _TYPES[name]) or (isinstance(value, bool) and bool not in _TYPES[name]):
            expected = " or ".join(t.__name__ for t in _TYPES[name])
            raise ConfigError(f"{path}{_line_of(text, key)}: key '{key}' is {type(value).__name__} {value!r}, "
                              f"expected {expected}")
        out[name] = float(value) if name == "lr" else value
    author = out.get("author", {})
    unknown = sorted(set(author) - {f.name for f in fields(Author)})
    if unknown:
        raise ConfigError(f"{path}{_line_of(text, unknown[0])}: unknown key(s) in [author]: {', '.join(unknown)} "
                          "(known: student_id, department, name)")
    for key, value in {**author, **out.get("questions", {})}.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}{_line_of(text, key)}: '{key}' is {type(value).__name__} {value!r}, "
                              "expected a string")
    return out


def _validate(s: Settings, source) -> None:
    """Everything checkable before any data is read, so a typo costs milliseconds, not a dataset load."""
    from fer_report.models import MODELS, check_name

    def choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            raise ConfigError(f"{source(name)}: {name} '{value}' is not one of {', '.join(allowed)}")

    choice("lang", s.lang, LANGS)
    choice("device", s.device, DEVICES)
    choice("optimizer", s.optimizer, OPTIMIZERS)
    choice("synthetic_size", s.synthetic_size, ("default", "small", "tiny"))
    choice("augment_policy", s.augment_policy, AUGMENT_POLICIES)
    choice("schedule", s.schedule, SCHEDULES)
    for a in s.ablations:
        choice("ablations", a, ABLATIONS)
    for name, choices in (("model", list(MODELS)), ("match", [m for m in MODELS if m != "dnn"])):
        try:
            check_name(getattr(s, name), option=name, choices=choices)
        except ConfigError as exc:
            raise ConfigError(f"{source(name)}: {exc}") from None
    if s.weights is not None and s.model != "resnet18":
        raise ConfigError(f"{source('weights')}: weights apply only to --model resnet18, not '{s.model}'")
    if s.weights is not None and not Path(s.weights).is_file():
        raise ConfigError(f"{source('weights')}: weights file '{s.weights}' does not exist")
    if s.templates is not None and not Path(s.templates).is_dir():
        raise ConfigError(f"{source('templates')}: templates folder '{s.templates}' does not exist")
    if s.epochs < 1:
        raise ConfigError(f"{source('epochs')}: epochs must be at least 1, got {s.epochs}")
    if s.batch_size < 2:
        raise ConfigError(f"{source('batch_size')}: batch_size must be at least 2, got {s.batch_size}")
    if not s.lr > 0:
        raise ConfigError(f"{source('lr')}: lr must be positive, got {s.lr}")
