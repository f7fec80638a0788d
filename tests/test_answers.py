import logging

import pytest

from fer_report.report.answers import Answer, is_safe_url, load_answers, render_markdown
from fer_report.errors import UserError

NUMBERS = ["1", "2", "3", "6-1", "6-2", "4a", "5(2)", "Bonus 1"]


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_loads_one_file_per_number_in_question_order(tmp_path):
    write(tmp_path, "6-2.md", "BatchNorm: **derived** by hand.")
    write(tmp_path, "1.md", "# Model\n\nFour blocks.")
    write(tmp_path, "5(2).md", "z = U^T (x - mean)")
    write(tmp_path, "Bonus 1.md", "semi")
    answers = load_answers(tmp_path, NUMBERS)
    assert list(answers) == ["1", "6-2", "5(2)", "Bonus 1"]
    assert answers["6-2"] == Answer("6-2", "BatchNorm: **derived** by hand.",
                                    "<p>BatchNorm: <strong>derived</strong> by hand.</p>\n")
    assert "<h1>Model</h1>" in answers["1"].html


def test_unknown_number_is_one_line_naming_the_file_with_a_suggestion(tmp_path):
    write(tmp_path, "6-3.md", "x")
    with pytest.raises(UserError) as e:
        load_answers(tmp_path, NUMBERS)
    msg = str(e.value)
    assert "\n" not in msg and str(tmp_path / "6-3.md") in msg
    assert "no question '6-3' in this preset; did you mean '6-" in msg
    assert "(valid files: 1.md, 2.md, 3.md, 6-1.md, 6-2.md, 4a.md, 5(2).md, Bonus 1.md)" in msg


def test_missing_folder_file_instead_and_not_utf8(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        load_answers(tmp_path / "nope", NUMBERS)
    write(tmp_path, "f", "x")
    with pytest.raises(UserError, match="is a file"):
        load_answers(tmp_path / "f", NUMBERS)
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "3.md").write_bytes("混淆".encode("big5"))
    with pytest.raises(UserError) as e:
        load_answers(folder, NUMBERS)
    assert str(folder / "3.md") in str(e.value) and "not UTF-8" in str(e.value) and "\n" not in str(e.value)


def test_other_files_are_ignored_with_a_warning_and_bom_is_accepted(tmp_path, caplog):
    (tmp_path / "2.md").write_bytes("\ufeff曲線".encode("utf-8"))
    write(tmp_path, "figure.png", "not an answer")
    write(tmp_path, ".DS_Store", "")
    with caplog.at_level(logging.WARNING, logger="fer_report.report.answers"):
        answers = load_answers(tmp_path, NUMBERS)
    assert answers["2"].html == "<p>曲線</p>\n"
    assert "figure.png" in caplog.text and ".DS_Store" not in caplog.text


def test_raw_html_is_escaped():
    html = render_markdown('<script>alert(1)</script>\n\nok <b onclick="x()">b</b>')
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<b" not in html and "&lt;b onclick=" in html


def test_images_fetch_nothing(caplog):
    with caplog.at_level(logging.WARNING, logger="fer_report.report.answers"):
        html = render_markdown("see ![x](http://evil/x.png) and ![](file:///etc/passwd)", source="answers/3.md")
    assert "<img" not in html and "evil" not in html and "passwd" not in html and "src" not in html
    assert html == "<p>see x and </p>\n"
    assert "answers/3.md" in caplog.text and "http://evil/x.png" in caplog.text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "file:///etc/passwd",
                                 "data:text/html;base64,PHNjcmlwdD4=", "vbscript:x", "relative/page.html", "//evil.com/x",
                                 "#top"])
def test_unsafe_links_keep_only_their_text(url):
    html = render_markdown(f"[a]({url}) and <{url}>")
    assert "<a" not in html and "href" not in html
    assert html.startswith("<p>a and ")


def test_safe_links_stay_links():
    html = render_markdown("[ref](https://en.wikipedia.org/wiki/Confusion_matrix), <mailto:ta@ntu.edu.tw>, "
                           "[h](http://x.org/a?b=1&c=2)")
    assert '<a href="https://en.wikipedia.org/wiki/Confusion_matrix">ref</a>' in html
    assert '<a href="mailto:ta@ntu.edu.tw">' in html and 'href="http://x.org/a?b=1&amp;c=2"' in html
    assert is_safe_url("HTTPS://x") and not is_safe_url("javascript:x") and not is_safe_url("a/b:c")


def test_math_chinese_tables_and_strikethrough_survive():
    text = ("由 $\\frac{\\partial L}{\\partial z_t} = \\hat{y}_t - y_t$ 可知，x_i^2 + y_i < 1 且 σ² > 0。\n\n"
            "| class | acc |\n|---|---|\n| 生氣 | 0.61 |\n\n~~錯誤~~")
    html = render_markdown(text)
    assert "$\\frac{\\partial L}{\\partial z_t} = \\hat{y}_t - y_t$" in html
    assert "x_i^2 + y_i &lt; 1 且 σ² &gt; 0。" in html
    assert "<td>生氣</td>" in html and "<s>錯誤</s>" in html
