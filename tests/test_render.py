import subprocess

from urllib.request import OpenerDirector

from fer_report.report.render import write_pdf


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


def test_user_templates_override_by_name_and_run_sandboxed(tmp_path):
    import jinja2.exceptions
    import pytest

    from fer_report.report.render import environment

    user = tmp_path / "mine"
    (user / "sections").mkdir(parents=True)
    (user / "sections" / "confusion.html.j2").write_text("<p>{{ s.text[0] }}</p>")
    (user / "evil.html.j2").write_text("{{ s.__class__.__mro__[1].__subclasses__() }}")
    env = environment(user)
    s = {"text": ["<b>x</b>"]}
    assert env.get_template("sections/confusion.html.j2").render(s=s) == "<p>&lt;b&gt;x&lt;/b&gt;</p>"
    assert "{% macro figure" in env.loader.get_source(env, "_macros.html.j2")[0]  # built-ins still there
    with pytest.raises(jinja2.exceptions.SecurityError):
        env.get_template("evil.html.j2").render(s=s)
