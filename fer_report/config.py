"""Settings: built-in defaults, then a recipe, then a TOML file, then command-line flags, each
overriding the last. Every setting is declared once below (``option``): its flag, help, checks and
which cache keys it enters all come from that declaration (``fer_report.options``)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from fer_report import options
from fer_report.errors import ConfigError, did_you_mean
from fer_report.options import option

LANGS = ("en", "zh-TW")
DEVICES = ("auto", "cpu", "cuda")
OPTIMIZERS = ("adam", "sgd")
AUGMENT_POLICIES = ("light", "strong")  # see fer_report/augment.py
SCHEDULES = ("cosine", "plateau")
ABLATIONS = ("dnn",)  # extra runs for the augmentation section (each one more training)
SYNTHETIC_SIZES = ("default", "small", "tiny")


@dataclass
class Author:
    """What a course report carries in its header (學號 / 系級 / 姓名)."""

    student_id: str = ""
    department: str = ""
    name: str = ""


def _match_key(s: "Settings") -> str | None:
    return s.match if s.model == "dnn" else None


def _weights_key(s: "Settings") -> str | None:
    from fer_report.hashing import file_sha256

    return file_sha256(s.weights) if s.weights else None


def _device_key(s: "Settings") -> str:
    from fer_report.inference import resolve_device

    return resolve_device(s.device).type  # "auto" means another device on a GPU machine


@dataclass
class Settings:
    data: str | None = option(None, affects="results", group="data", metavar="PATH", help=(
        "Kaggle FER2013 CSV (emotion,pixels,Usage), course CSV (label,feature), .csv.gz/.zip of either, or a "
        "folder with one sub-folder per class; default: embedded synthetic faces"))
    model: str = option("cnn4", affects="training", group="data", metavar="NAME", key_always=True,
                        help="cnn4, cnn3, resnet18, vgg or dnn; see `fer-report list`")
    match: str = option("cnn4", affects="training", group="data", metavar="NAME", key_always=True, key=_match_key,
                        help="for --model dnn: the CNN whose parameter count it matches")
    weights: str | None = option(None, affects="training", group="data", metavar="PATH", key_always=True,
                                 key=_weights_key, path="file",
                                 help="for resnet18: a local torchvision state dict to start from")
    epochs: int = option(10, affects="training", group="training", metavar="N", key_always=True, minimum=1,
                         help="training epochs")
    batch_size: int = option(64, affects="training", group="training", metavar="N", key_always=True, minimum=2,
                             help="batch size")
    lr: float = option(2e-3, affects="training", group="training", metavar="LR", key_always=True, positive=True,
                       help="learning rate (cosine schedule)")
    optimizer: str = option("adam", affects="training", group="training", choices=OPTIMIZERS, key_always=True,
                            help="adam or sgd (Nesterov momentum 0.9)")
    augment: bool = option(True, affects="training", group="training", flag="--no-augment", key_always=True,
                           help="train without flip/rotation/shift/scale augmentation")
    augment_policy: str = option("light", affects="training", group="training", choices=AUGMENT_POLICIES, help=(
        "light (flip, rotation, shift, zoom) or strong (random resized crop, shift, flip, rotation, random erasing)"))
    ten_crop: bool = option(False, affects="training", group="training",
                            help="train on the ten crops of each image and average them at test time")
    schedule: str = option("cosine", affects="training", group="training", choices=SCHEDULES,
                           help="cosine, or plateau (lr x0.75 after 5 epochs without a better val_acc)")
    compile: bool = option(False, affects="nothing", group="training",
                           help="torch.compile the training step (CUDA; speed only)")
    device: str = option("auto", affects="training", group="training", choices=DEVICES, key_always=True,
                         key=_device_key, help="where to train and explain (auto: cuda if present)")
    seed: int = option(0, affects="training", group="training", metavar="N", key_always=True,
                       help="seed for data generation, splits and training")
    synthetic_size: str = option("default", affects="results", group="training", choices=SYNTHETIC_SIZES,
                                 help="size of the embedded synthetic dataset")
    ablations: list[str] = option(factory=list, affects="results", group="training", choices=ABLATIONS,
                                  help="extra runs compared in the augmentation section, each one more training: "
                                       "dnn (a fully connected net with the CNN's parameter count)")
    layer: str | None = option(None, affects="results", metavar="NAME", help=(
        "conv layer (dotted module name, see the architecture table) for the filter and Grad-CAM sections; "
        "default: each section's own choice"))
    export_course_figures: str | None = option(None, affects="results", metavar="DIR", help=(
        "also write the course's file names (fig1_0..6.jpg saliency, fig2_1.jpg/fig2_2.jpg filters, "
        "fig3_0..6.jpg LIME) into DIR"))
    lang: str = option("en", affects="results", choices=LANGS, help="report language")
    out: str = option("build", affects="nothing", metavar="DIR", help="output folder")
    cache: str | None = option(None, affects="nothing", metavar="DIR", help="artefact cache (default OUT/cache)")
    templates: str | None = option(None, affects="nothing", metavar="DIR", path="dir", help=(
        "folder of Jinja2 templates overriding the built-in ones by name (e.g. report.html.j2, print.css, "
        "sections/confusion.html.j2); rendered in a sandbox"))
    keep_going: bool = option(False, affects="nothing", help="write the report even if a section fails (marked failed)")
    title: str | None = option(None, affects="nothing", metavar="TEXT", help="the report's title")
    sections: list[str] | None = option(None, affects="nothing", flag="",
                                        help="sections to build (build --sections A,B); default every section")
    author: Author = option(factory=Author, affects="nothing", flag="",
                            help="[author] student_id, department, name: the report header")
    questions: dict[str, str] = option(factory=dict, affects="nothing", flag="",
                                       help="[questions] section name -> question heading")

    @property
    def cache_dir(self) -> Path:
        return Path(self.cache) if self.cache else Path(self.out) / "cache"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def load_settings(config_file: str | Path | None, overrides: dict[str, Any], *, recipe: str | None = None,
                  cls: type = Settings) -> Settings:
    """Defaults < ``recipe`` < ``config_file`` < ``overrides`` (flags the user actually gave; None means not given)."""
    values: dict[str, Any] = {}
    lines: dict[str, str] = {}
    if recipe is not None:
        recipe_path = recipe_file(recipe)
        values.update(_read_toml(recipe_path, cls))
        lines = {k: f"recipe {recipe} ({recipe_path})" for k in values}
    if config_file is not None:
        from_file = _read_toml(Path(config_file), cls)
        values.update(from_file)
        text = Path(config_file).read_text(encoding="utf-8")
        lines.update({k: f"{config_file}{_line_of(text, k)}" for k in from_file})
    flags = {k: v for k, v in overrides.items() if v is not None}
    values.update(flags)
    author = Author(**values.pop("author", {}))
    settings = cls(author=author, **values)

    def source(key: str) -> str:
        """Where a value was set, for the message: the flag, or the config file and its line."""
        if key in flags or key not in lines:
            return f"--{key.replace('_', '-')}"
        return lines[key]

    options.validate(settings, source)
    _check_models(settings, source)
    return settings


def recipes() -> list[str]:
    """Names of the built-in recipes (configs/NAME.toml, installed as fer_report.configs)."""
    return sorted(p.stem for p in _configs_dir().glob("*.toml"))


def recipe_file(name: str) -> Path:
    path = _configs_dir() / f"{name}.toml"
    if not path.is_file():
        raise ConfigError(f"--recipe: unknown recipe '{name}'{did_you_mean(name, recipes())} "
                          f"(known: {', '.join(recipes())})")
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


def _read_toml(path: Path, cls: type) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{path}{_line_of(text, key)}"
        if key == "author" and isinstance(value, dict):
            out["author"] = value
            continue
        name, value = options.check_toml_value(cls, key, value, where)
        out[name] = value
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


def _check_models(s: Settings, source) -> None:
    """Model names and weights, checked before any data is read, so a typo costs milliseconds, not a dataset load."""
    from fer_report.models import MODELS, check_name

    for name, choices in (("model", list(MODELS)), ("match", [m for m in MODELS if m != "dnn"])):
        try:
            check_name(getattr(s, name), option=name, choices=choices)
        except ConfigError as exc:
            raise ConfigError(f"{source(name)}: {exc}") from None
    if s.weights is not None and s.model != "resnet18":
        raise ConfigError(f"{source('weights')}: weights apply only to --model resnet18, not '{s.model}'")
