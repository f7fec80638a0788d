"""The student's own answers: one Markdown file per question number, rendered to HTML for the report.

The report is a self-contained page and a PDF made without network access, and an answer file is text
someone else may have written, so the rendering can neither run nor fetch anything: raw HTML is
escaped, an image is shown as its alt text (the report embeds only figures it made itself; refusing
the file would stop a build over a picture, so the image is dropped with a logged warning instead),
and a link keeps its text but stays a link only for http(s) and mailto URLs (no javascript:, file:,
data:, and no relative URL, which would resolve against the reader's disk).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from fer_report.errors import UserError, did_you_mean

log = logging.getLogger(__name__)

SAFE_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Answer:
    number: str  # the question number, as the preset numbers it
    markdown: str  # the file as written
    html: str  # rendered, safe to insert unescaped into the report


def load_answers(folder: str | Path, question_numbers: list[str]) -> dict[str, Answer]:
    """Answers in the order of `question_numbers`; a question without a file simply has no entry.

    Files are named by question number: "3.md", "6-2.md", "4a.md", "5(2).md". Other files (figures,
    notes) are left alone with a warning; hidden files are skipped silently.
    """
    folder = Path(folder)
    if not folder.exists():
        raise UserError(f"answers folder {folder}: does not exist; expected a folder of NUMBER.md files")
    if not folder.is_dir():
        raise UserError(f"answers folder {folder}: is a file; expected a folder of NUMBER.md files")
    valid = list(question_numbers)
    found: dict[str, Answer] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix.lower() != ".md" or not path.is_file():
            log.warning("%s: not an answer (answers are NUMBER.md files); ignored", path)
            continue
        number = path.stem
        if number not in valid:
            hint = did_you_mean(number, valid, suffix=".md")
            raise UserError(f"{path}: no question '{number}' in this preset{hint} "
                            f"(valid files: {', '.join(n + '.md' for n in valid)})")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(f"{path}: byte {exc.start} is not UTF-8; expected a UTF-8 Markdown file") from None
        found[number] = Answer(number, text, render_markdown(text, source=str(path)))
    return {n: found[n] for n in valid if n in found}


def render_markdown(text: str, *, source: str = "answer") -> str:
    """CommonMark plus tables and strikethrough, with nothing that can run or fetch (see the module doc)."""
    return _parser().render(text, {"source": source})


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # Accept every URL while parsing, so a bad link still parses as a link and keeps just its text;
    # _drop_unsafe_links then removes the link itself, and images never print their URL at all.
    md.validateLink = lambda url: True
    md.core.ruler.push("drop_unsafe_links", _drop_unsafe_links)
    md.add_render_rule("image", _image_as_alt)
    return md


def is_safe_url(url: str) -> bool:
    """An absolute http(s) or mailto URL (markdown-it has percent-encoded it, so no hidden characters)."""
    scheme, colon, _ = url.partition(":")
    return bool(colon) and scheme.lower() in SAFE_SCHEMES


def _drop_unsafe_links(state) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept, open_safe = [], []  # links do not nest, but a stack costs nothing
        for tok in block.children:
            if tok.type == "link_open":
                open_safe.append(is_safe_url(str(tok.attrGet("href") or "")))
                if not open_safe[-1]:
                    continue
            elif tok.type == "link_close" and open_safe and not open_safe.pop():
                continue
            kept.append(tok)
        block.children = kept


def _image_as_alt(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    log.warning("%s: image %s is not embedded (the report fetches nothing); shown as its alt text %r",
                env.get("source", "answer"), token.attrGet("src"), alt)
    return escapeHtml(alt)
