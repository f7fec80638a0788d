"""What `pip install` ships: every package folder and data file of the source tree is in pyproject.toml's
hand-kept lists (the top-level sections/, templates/ and configs/ ship inside fer_report, so setuptools
cannot find them by itself). A folder left out installs fine and fails only when a report needs it:
fer_report.sections.dnn was missing from a git install until a fresh venv's build asked for it."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUP = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _package_of(folder: Path) -> str:
    """The dotted package name a source folder installs as, through package-dir."""
    rel = folder.relative_to(ROOT).as_posix()
    for package, source in sorted(SETUP["package-dir"].items(), key=lambda kv: -len(kv[1])):
        if rel == source or rel.startswith(source + "/"):
            return ".".join([package, *rel[len(source):].strip("/").split("/")]).rstrip(".")
    raise AssertionError(f"{rel} is under no package-dir entry")


def _sources() -> list[Path]:
    return [ROOT / source for source in SETUP["package-dir"].values()]


def test_every_package_folder_is_listed():
    found = {_package_of(init.parent) for src in _sources() for init in src.rglob("__init__.py")}
    assert found - set(SETUP["packages"]) == set(), "add these to [tool.setuptools] packages"
    assert set(SETUP["packages"]) - found == set(), "listed packages with no __init__.py"


def test_every_data_file_is_shipped():
    listed = SETUP["package-data"]
    packages = sorted(SETUP["packages"], key=len, reverse=True)
    missing = []
    for src in _sources():
        for f in src.rglob("*"):
            if not f.is_file() or f.suffix in (".py", ".pyc") or "__pycache__" in f.parts:
                continue
            owner = next(p for p in packages if _package_of(f.parent).startswith(p))
            inside = _package_of(f.parent)[len(owner):].strip(".").replace(".", "/")
            name = f"{inside}/{f.name}" if inside else f.name
            if not any(fnmatch.fnmatch(name, pattern) for pattern in listed.get(owner, [])):
                missing.append(f"{owner}: {name}")
    assert missing == [], "add these to [tool.setuptools.package-data]"
