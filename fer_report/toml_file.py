"""Reading the TOML files settings come from: a built-in recipe (configs/NAME.toml) or the user's
config file. tomllib keeps no positions, so each message finds the key's line itself: a mistake is
reported as "report.toml line 3: ...", never as a bare key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any

from fer_report import options
from fer_report.errors import ConfigError, did_you_mean


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


def line_of(text: str, key: str) -> str:
    """' line N' where ``key = ...`` or ``[key]`` is written (tomllib keeps no positions); '' if not found."""
    k = re.escape(key)
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"""\s*(["']?{k}["']?\s*=|\[\s*["']?{k}["']?\s*\])""", line):
            return f" line {number}"
    return ""


def read_toml(path: Path, cls: type) -> dict[str, Any]:
    """The settings of one TOML file, each checked against its declaration on ``cls`` (a Settings)."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    out: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{path}{line_of(text, key)}"
        if key == "author" and isinstance(value, dict):
            out["author"] = value
            continue
        if key == "questions" and isinstance(value, str):  # questions = "PRESET": the course year's question set
            out["preset"] = value
            continue
        name, value = options.check_toml_value(cls, key, value, where)
        out[name] = value
    author = out.get("author", {})
    author_type = next(f.default_factory for f in fields(cls) if f.name == "author")  # Settings' Author
    unknown = sorted(set(author) - {f.name for f in fields(author_type)})
    if unknown:
        raise ConfigError(f"{path}{line_of(text, unknown[0])}: unknown key(s) in [author]: {', '.join(unknown)} "
                          "(known: student_id, department, name, collaborators)")
    for key, value in {**author, **out.get("questions", {})}.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}{line_of(text, key)}: '{key}' is {type(value).__name__} {value!r}, "
                              "expected a string")
    return out
