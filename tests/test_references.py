"""The reference list (fer_report/report/references.py, references.json): complete, none unused, numbered in
order of first citation, and in the built report."""

from __future__ import annotations

from fer_report.report import references as R


def test_every_citation_key_resolves_and_no_entry_is_unused():
    keys = {k for group in (R.SECTIONS, R.MODELS, R.HEADER) for ks in group.values() for k in ks}
    assert keys <= set(R.entries()), keys - set(R.entries())
    assert set(R.entries()) <= keys, set(R.entries()) - keys
    for entry in R.entries().values():
        assert entry["short"] and entry["title"] and entry["author"] and entry["issued"]["date-parts"][0][0] > 2000
        assert entry.get("arxiv") or entry.get("URL") or "thesis" in entry["container-title"].lower() \
            or entry["container-title"].startswith(("IEEE", "Technical", "Journal"))


def test_numbers_follow_first_citation_and_skipped_sections_cite_nothing():
    report = {"settings": {"data": "fer2013.csv", "model": "resnet18"},
              "sections": [{"name": "architecture", "status": "ok"}, {"name": "saliency", "status": "ok"},
                           {"name": "lime", "status": "skipped"}, {"name": "methods", "status": "ok"}]}
    found = R.cited(report, ["architecture", "saliency", "lime", "methods"])
    assert found["header"]["data"] == [["FER2013", 1]] and found["header"]["library"] == [["PyTorch", 2]]
    assert found["sections"]["architecture"] == [["ResNet", 3]]
    assert [n for _, n in found["sections"]["saliency"]] == [4, 5, 6]
    assert "lime" not in found["sections"]
    methods = dict(found["sections"]["methods"])
    assert methods["gradient saliency"] == 4 and methods["captum"] == 6  # cited again under its first number
    assert [n for n, _ in found["list"]] == list(range(1, len(found["list"]) + 1))


def test_a_line_of_the_list():
    line = R.formatted(R.entries()["selvaraju2017"])
    assert line.startswith("R. R. Selvaraju, M. Cogswell") and "ICCV 2017, 2017. arXiv:1610.02391." in line
    assert ".." not in R.formatted(R.entries()["paszke2019"])


def test_the_built_report_cites_in_the_text_and_lists_at_the_end(tmp_path):
    from fer_report.cli import main

    out = tmp_path / "out"
    assert main(["build", "--sections", "architecture,saliency", "--synthetic-size", "tiny", "--epochs", "1",
                 "--out", str(out), "-q"]) == 0
    html = (out / "report.html").read_text()
    assert 'Sources: gradient saliency [<a href="#ref-2">2</a>]' in html
    assert '<li value="2" id="ref-2">K. Simonyan, A. Vedaldi and A. Zisserman. Deep inside' in html
    assert "FER2013" not in html.split('id="references"')[1]  # the synthetic faces are not FER2013


def test_arrays_from_a_notebook_are_not_cited_as_fer2013():
    report = {"settings": {"data": "arrays:0123abcd", "model": "cnn4"}, "sections": []}
    assert R.cited(report, [])["header"]["data"] == []


def test_the_data_audit_cites_perceptual_hashing_only_when_it_searched_for_copies():
    def sources(numbers):
        report = {"settings": {"model": "cnn4"}, "sections": [{"name": "data_audit", "status": "ok",
                                                                "numbers": numbers}]}
        return [label for label, _ in R.cited(report, ["data_audit"])["sections"]["data_audit"]]

    assert "perceptual hashing" in sources({"copies": {"train-test": 3}})
    assert "perceptual hashing" not in sources({"blank": {}})
