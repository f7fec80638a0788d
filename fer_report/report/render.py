"""HTML from Jinja2 templates (autoescaped, figures inlined) and PDF from that HTML through WeasyPrint."""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

import jinja2

log = logging.getLogger(__name__)


def templates_dir() -> Path:
    """The installed package's templates (fer_report.templates), wherever they live."""
    import fer_report.templates as t

    return Path(next(iter(t.__path__)))


def environment(user_templates: str | Path | None = None, sections=()) -> jinja2.Environment:
    """Built-in templates, then each section's own (``Section.template_file``: a plugin's lives with it);
    a user's folder overrides them by file name and runs sandboxed, so a downloaded template cannot
    reach Python objects beyond the report's data."""
    from jinja2.sandbox import SandboxedEnvironment

    own = {f"sections/{s.name}.html.j2": s.template_file() for s in sections}
    loaders = [jinja2.FunctionLoader(lambda name: _read(own[name]) if name in own else None),
               jinja2.FileSystemLoader(templates_dir())]
    if user_templates is not None:
        loaders.insert(0, jinja2.FileSystemLoader(str(user_templates)))
    cls = SandboxedEnvironment if user_templates is not None else jinja2.Environment
    env = cls(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # class names, file names and config values are data, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from fer_report.report.paths import as_given

    env.filters["as_given"] = as_given
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["pct"] = lambda x, digits=1: f"{x:.{digits}%}"
    env.filters["cssstring"] = lambda s: str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return env


def _read(path: Path) -> tuple[str, str, Any]:
    return path.read_text(encoding="utf-8"), str(path), lambda: True


def render_html(context: dict[str, Any], build_dir: Path, *, user_templates: str | Path | None = None,
                sections=()) -> str:
    """One self-contained page: CSS and every figure inlined, no external URL."""
    env = environment(user_templates, sections)
    css = env.loader.get_source(env, "print.css")[0]

    def inline(path: str) -> str:
        data = (build_dir / path).read_bytes()
        mime = "image/svg+xml" if path.endswith(".svg") else "image/png"  # SVG: typeset formulas
        return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")

    env.globals["inline"] = inline
    return env.get_template("report.html.j2").render(css=css, **context)


def write_pdf(html: str, pdf_path: Path, build_dir: Path, variant: str = "pdf/ua-1") -> None:
    """Print the HTML; the URL fetcher serves only inline data and the build's own files. ``variant``: WeasyPrint's
    PDF standard (pdf/ua-1: tagged, with the page's title, language and every image's alt text; measured on a
    7-page report, no slower than an untagged PDF)."""
    for name in ("weasyprint", "weasyprint.progress"):  # before the import, which already logs progress
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    root = build_dir.resolve()
    fetcher = _local_only_fetcher(root)
    options = {"pdf_variant": variant} if variant and variant != "none" else {}
    HTML(string=html, base_url=str(root) + "/", url_fetcher=fetcher).write_pdf(pdf_path, **options)


def _local_only_fetcher(root: Path):
    """A WeasyPrint fetcher that refuses http(s), ftp and any file outside ``root``."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url: str, headers=None):
            if url.startswith("file:"):
                target = Path(unquote(urlparse(url).path)).resolve()
                if not target.is_relative_to(root):
                    raise ValueError(f"fer-report fetches no file outside the build: {url}")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols={"data", "file"}, timeout=1)
