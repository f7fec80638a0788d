"""A section's result showing the student's own code (``--code KIND=FILE[:PART]``, read by student_code):
one sentence saying whose code it is and where it comes from, and the listing highlighted."""

from __future__ import annotations

from fer_report.model.source import highlight
from fer_report.report.section import Result
from fer_report.report.student_code import read


def shown(kind: str, ref: str, text):
    """The section's result for the student's own code: one sentence and the listing, highlighted."""
    snippet = read(ref)
    html, css = highlight(snippet.code)
    where = f"{snippet.file}:{snippet.part}" if snippet.part else snippet.file
    sentence = text("code.student", kind=kind, where=where, first=snippet.first, last=snippet.last,
                    lines=snippet.last - snippet.first + 1)
    numbers = {"student_code": {"kind": kind, "file": snippet.file, "part": snippet.part,
                                "lines": [snippet.first, snippet.last]}, "source": snippet.code}
    return Result(numbers=numbers, text=[sentence],
                  tables={"facts": [], "css": css, "html": html, "blocks": [{"intro": sentence, "html": html}]})


STRINGS = {
    "en": {"code.student": "The code below is yours, as given with --code {kind}={where}: lines {first}-{last} of the "
                           "file ({lines} lines), shown as it is, not run."},
    "zh-TW": {"code.student": "以下是你以 --code {kind}={where} 指定的程式碼：檔案的第 {first}-{last} 行（共 {lines} "
                              "行），原樣呈現，未執行。"},
}
