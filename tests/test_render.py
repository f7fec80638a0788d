import subprocess

from urllib.request import OpenerDirector

from fer_report.render import write_pdf


def test_pdf_printing_fetches_nothing_outside_the_build(tmp_path, monkeypatch):
    opened = []
    real_open = OpenerDirector.open

    def recording_open(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        return real_open(self, url, *args, **kwargs)

    monkeypatch.setattr(OpenerDirector, "open", recording_open)
    (tmp_path / "ok.css").write_text("p { color: red }")
    html = ('<link rel="stylesheet" href="ok.css"><img src="http://example.invalid/x.png">'
            '<img src="https://example.invalid/y.png"><img src="file:///etc/passwd">'
            '<link rel="stylesheet" href="file:///etc/hostname"><p>中文 text</p>')
    write_pdf(html, tmp_path / "r.pdf", tmp_path)
    assert opened == [(tmp_path / "ok.css").resolve().as_uri()]
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "中文" in text
