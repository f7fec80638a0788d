"""The PDF a course office would accept as is (issue 26): tagged PDF/UA-1 by default, with the document's title
and language, every figure's alt text said from its data, fonts embedded; PDF/A-3b on request. Checked with
pikepdf on the structure itself (veraPDF needs Java and is not on the registries this project installs from)."""

from __future__ import annotations

import pytest

pikepdf = pytest.importorskip("pikepdf")


def _build(tmp_path, *extra):
    from fer_report.cli import main

    out = tmp_path / "out"
    assert main(["build", "--sections", "architecture,confusion,calibration", "--synthetic-size", "tiny", "--epochs",
                 "1", "--out", str(out), "-q", *extra]) == 0
    return out / "report.pdf"


def _figures(node, found):
    if isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            _figures(kid, found)
    return found


def _fonts(pdf):
    for page in pdf.pages:
        for font in (page.Resources.get("/Font") or {}).values():
            descendants = font.get("/DescendantFonts")
            yield descendants[0] if descendants is not None else font


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_default_pdf_is_tagged_with_title_language_and_alt_texts(tmp_path, lang):
    with pikepdf.open(_build(tmp_path, "--lang", lang)) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True and "/StructTreeRoot" in root
        assert str(root.Lang) == lang
        with pdf.open_metadata() as meta:
            assert meta.get("dc:title")
        figures = _figures(root.StructTreeRoot, [])
        assert len(figures) >= 2 and all(figures), figures
        confusion = next(a for a in figures if "onfusion" in a)
        assert ("largest confusion is" in confusion) if lang == "en" else ("最大的混淆是" in confusion)
        for font in _fonts(pdf):
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_an_archival_pdf_on_request(tmp_path):
    with pikepdf.open(_build(tmp_path, "--pdf-variant", "pdf/a-3b")) as pdf:
        with pdf.open_metadata() as meta:
            assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"
