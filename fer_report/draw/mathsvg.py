"""LaTeX to SVG at build time (ziamath), so the HTML and the PDF show the same typeset formulas.

WeasyPrint runs no JavaScript and has no MathML, hence SVG. ziamath silently prints what it does
not understand (an unknown command comes out as its own name, a missing brace is ignored, CJK
characters come out as boxes), so every formula is checked first and a bad one raises
``MathError``: a formula that cannot be typeset fails the build instead of printing garbage.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DISPLAY_SIZE = 17.0  # px: a little above the 10 pt (13.3 px) body text, as display maths usually is
INLINE_SIZE = 14.0


class MathError(ValueError):
    """A formula ziamath cannot typeset faithfully."""


@dataclass(frozen=True)
class Svg:
    markup: str
    width: float  # px
    height: float  # px
    depth: float  # px below the baseline (for vertical-align of inline formulas)


def check_latex(latex: str) -> None:
    """Reject what ziamath would render wrongly without complaint."""
    if not latex.strip():
        raise MathError("empty formula")
    bad = sorted({c for c in latex if not c.isascii()})
    if bad:
        raise MathError(f"non-ASCII character(s) {''.join(bad)!r} in formula {latex!r}: "
                        "the maths font has no CJK glyphs, keep such text outside the formula")
    depth = 0
    for m in re.finditer(r"\\[{}]|[{}]", latex):
        depth += {"{": 1, "}": -1}.get(m.group(), 0)
        if depth < 0:
            break
    if depth != 0:
        raise MathError(f"unbalanced braces in formula {latex!r}")
    from ziamath.tex import tex2mml

    try:
        mathml = ET.fromstring(tex2mml(latex))
    except Exception as exc:
        raise MathError(f"cannot parse formula {latex!r}: {type(exc).__name__} {exc}") from exc
    unknown = sorted({el.text for el in mathml.iter() if el.text and "\\" in el.text})
    if unknown:
        raise MathError(f"unknown LaTeX command(s) {', '.join(unknown)} in formula {latex!r}")


@lru_cache(maxsize=512)
def render(latex: str, *, inline: bool = False) -> Svg:
    """Typeset ``latex`` as a standalone SVG (glyphs as paths: no fonts needed to display it)."""
    check_latex(latex)
    import ziamath as zm

    zm.config.svg2 = False  # plain paths, no <symbol>/<use>: several SVGs on one page cannot clash
    try:
        markup = zm.Latex(latex, size=INLINE_SIZE if inline else DISPLAY_SIZE, inline=inline).svg()
    except Exception as exc:
        raise MathError(f"ziamath cannot typeset {latex!r}: {type(exc).__name__} {exc}") from exc
    root = ET.fromstring(markup)
    if not any(el.tag.endswith("path") for el in root.iter()):
        raise MathError(f"formula {latex!r} rendered to an empty SVG")
    x0, y0, width, height = (float(v) for v in root.get("viewBox", "").split())
    # ziamath puts the baseline at y = 0, so what lies below it is the box's bottom edge.
    return Svg(markup=markup, width=width, height=height, depth=max(0.0, y0 + height))


def pieces(sentence: str) -> list[dict]:
    """Split prose with ``$...$`` formulas into text and inline-formula pieces."""
    parts = sentence.split("$")
    if len(parts) % 2 == 0:
        raise MathError(f"unmatched $ in {sentence!r}")
    out: list[dict] = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            if part:
                out.append({"text": part})
        else:
            out.append({"latex": part})
    return out


def plain(sentence: str) -> str:
    """The sentence with its ``$...$`` markers removed: for report.json and the terminal."""
    return sentence.replace("$", "")


class SvgWriter:
    """Typesets formulas into build/figures/math/, one file per distinct formula (named by its hash)."""

    def __init__(self, build_dir: Path, folder: Path) -> None:
        self.build_dir, self.folder = build_dir, folder
        self.count = 0

    def _write(self, latex: str, inline: bool) -> dict:
        s = render(latex, inline=inline)
        name = ("i-" if inline else "d-") + hashlib.sha1(latex.encode()).hexdigest()[:12] + ".svg"
        path = self.folder / name
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(s.markup, encoding="utf-8")
            self.count += 1
        return {"svg": str(path.relative_to(self.build_dir)), "width": round(s.width, 2),
                "height": round(s.height, 2), "depth": round(s.depth, 2)}

    def display(self, latex: str) -> dict:
        return self._write(latex, inline=False)

    def inline(self, latex: str) -> dict:
        return {"latex": latex, **self._write(latex, inline=True)}

    def pieces(self, sentence: str) -> list[dict]:
        return [self.inline(p["latex"]) if "latex" in p else p for p in pieces(sentence)]
