"""Each setting is declared once, as a field of ``Settings`` with ``option(...)`` metadata; the
command-line flags, the TOML keys and their checks, ``--help``, the training cache key and the
result-cache key are all generated from those declarations.

``affects`` says what a setting changes, and so which keys it enters:
  training   the trained model (training cache key and result-cache key)
  results    what a section computes, but not the model (result-cache key only)
  nothing    where the report goes or how it is headed (no key)
Training settings added after the first release enter the training key only when they differ from
their default (``key_always=False``), so cache entries made before they existed keep their keys.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Callable

from fer_report.errors import ConfigError, did_you_mean

AFFECTS = ("training", "results", "nothing")
GROUPS = {"data": "data and model", "training": "training (a second run with the same settings reuses the cache)",
          "report": "report"}


@dataclass(frozen=True)
class Option:
    help: str
    affects: str
    group: str = "report"
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    flag: str | None = None  # e.g. "--no-augment"; default "--name-with-dashes"; "" = TOML only
    minimum: float | None = None  # numbers: the smallest allowed value
    positive: bool = False  # numbers: must be > 0
    path: str | None = None  # "file" or "dir": must exist
    key: Callable[[Any], Any] | None = None  # the value the cache keys take (default: the setting itself)
    repeat: bool = False  # a flag given several times (--compare A=x --compare B=y); ``parse`` turns the list
    parse: Callable[[Any], Any] | None = None  # the command line's value -> the setting's (e.g. pairs -> dict)
    key_always: bool = False  # enters the training key even at its default (the original settings)

    def __post_init__(self) -> None:
        if self.affects not in AFFECTS:
            raise ValueError(f"affects must be one of {AFFECTS}, got {self.affects!r}")


def option(default: Any = None, *, factory: Callable[[], Any] | None = None, **meta: Any) -> Any:
    """A ``Settings`` field carrying its declaration; see ``Option`` for the metadata."""
    info = {"option": Option(**meta)}
    if factory is not None:
        return field(default_factory=factory, metadata=info)
    return field(default=default, metadata=info)


@dataclass(frozen=True)
class Declared:
    name: str
    type: Any  # the annotation, e.g. int, str | None, list[str]
    default: Any
    option: Option

    @property
    def flag(self) -> str:
        return self.option.flag if self.option.flag is not None else "--" + self.name.replace("_", "-")

    @property
    def base(self) -> type:
        """int, float, str, bool, list or dict: what the value is, None aside."""
        t = self.type
        if typing.get_origin(t) in (typing.Union, types.UnionType):
            t = next(a for a in typing.get_args(t) if a is not type(None))
        return typing.get_origin(t) or t


def declared(cls: type) -> list[Declared]:
    """The declared options of a Settings class (a subclass adds its own), in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        opt = f.metadata.get("option")
        if opt is None:
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        out.append(Declared(f.name, hints[f.name], default, opt))
    return out


# --- command line ---------------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser, cls: type) -> dict[str, Any]:
    """One flag per declared option with a flag, grouped as in ``GROUPS``; every default is None (= not given).
    Returns the argument groups, for flags that are not settings (--config, --debug)."""
    groups = {key: parser.add_argument_group(title) for key, title in GROUPS.items()}
    for d in declared(cls):
        if d.flag == "":
            continue
        g, o = groups[d.option.group], d.option
        text = o.help + _default_note(d)
        if d.base is bool:
            g.add_argument(d.flag, dest=d.name, action="store_const", const=not d.default, help=text)
        elif o.repeat:
            g.add_argument(d.flag, dest=d.name, metavar=o.metavar, action="append", help=text + " (repeatable)")
        elif d.base is list:
            g.add_argument(d.flag, dest=d.name, metavar=o.metavar or "A,B", type=_comma_list, help=text)
        elif d.base is dict:
            g.add_argument(d.flag, dest=d.name, metavar=o.metavar or "JSON", type=_json_object, help=text)
        else:
            g.add_argument(d.flag, dest=d.name, metavar=None if o.choices else (o.metavar or d.name.upper()),
                           type=d.base, choices=list(o.choices) if o.choices else None, help=text)
    return groups


def overrides(args: argparse.Namespace, cls: type) -> dict[str, Any]:
    """The options the user actually gave on the command line (argparse leaves the others None)."""
    given = [(d, getattr(args, d.name)) for d in declared(cls) if getattr(args, d.name, None) is not None]
    return {d.name: d.option.parse(v) if d.option.parse else v for d, v in given}


def _default_note(d: Declared) -> str:
    if d.base is bool or d.default in (None, [], {}, ""):
        return ""
    return f" (default {d.default})"


def _comma_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _json_object(text: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg} at character {exc.pos}): {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"expected a JSON object like '{{\"num_classes\": 7}}', got {text!r}")
    return value


# --- TOML -----------------------------------------------------------------------------------------

def check_toml_value(cls: type, key: str, value: Any, where: str) -> tuple[str, Any]:
    """(field name, value) for a TOML key, or a one-line error naming ``where`` (file and line)."""
    by_name = {d.name: d for d in declared(cls)}
    name = key.replace("-", "_")
    if name not in by_name:
        raise ConfigError(f"{where}: unknown key '{key}'{did_you_mean(name, by_name)} (known: {', '.join(sorted(by_name))})")
    d = by_name[name]
    ok = isinstance(value, d.base) and not (isinstance(value, bool) and d.base is not bool)
    if d.base is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise ConfigError(f"{where}: key '{key}' is {type(value).__name__} {value!r}, expected {d.base.__name__}")
    if d.base is list and not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: key '{key}' must be a list of strings, got {value!r}")
    return name, value


# --- checks ---------------------------------------------------------------------------------------

def validate(settings: Any, source: Callable[[str], str]) -> None:
    """The declared checks (choices, minimum, positive, existing path); ``source(name)`` says where it was set."""
    from pathlib import Path

    for d in declared(type(settings)):
        value, o, where = getattr(settings, d.name), d.option, source(d.name)
        if value is None:
            continue
        for v in (value if isinstance(value, list) else [value]):
            if o.choices and v not in o.choices:
                raise ConfigError(f"{where}: {d.name} '{v}' is not one of {', '.join(o.choices)}"
                                  f"{did_you_mean(str(v), o.choices)}")
        if o.minimum is not None and value < o.minimum:
            raise ConfigError(f"{where}: {d.name} must be at least {o.minimum:g}, got {value}")
        if o.positive and not value > 0:
            raise ConfigError(f"{where}: {d.name} must be positive, got {value}")
        if o.path == "file" and not Path(value).is_file():
            raise ConfigError(f"{where}: {d.name} file '{value}' does not exist")
        if o.path == "dir" and not Path(value).is_dir():
            raise ConfigError(f"{where}: {d.name} folder '{value}' does not exist")


# --- cache keys -----------------------------------------------------------------------------------

def key_value(d: Declared, settings: Any) -> Any:
    return d.option.key(settings) if d.option.key else getattr(settings, d.name)


def training_key_parts(settings: Any) -> dict[str, Any]:
    """The settings the trained model depends on, as the training cache key takes them."""
    parts = {}
    for d in declared(type(settings)):
        if d.option.affects != "training":
            continue
        value = key_value(d, settings)
        if d.option.key_always or getattr(settings, d.name) != d.default:
            parts[d.name] = value
    return parts


def result_key_parts(settings: Any) -> dict[str, Any]:
    """The settings a section's result depends on (everything but where the report goes and its headings)."""
    return {d.name: key_value(d, settings) for d in declared(type(settings)) if d.option.affects != "nothing"}
