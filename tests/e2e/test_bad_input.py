"""Every kind of bad input the issues list, for every data format and every file the user brings (model
file, checkpoint, training logs, pictures, Keras files: tests/e2e/*_cases.py), through the real command.

Each case writes its input into an empty folder, runs ``fer_report.cli.main`` there (relative paths,
so messages are the same on every machine) and demands: one line on stderr, naming the file and the
line or path, what was found and what was expected; exit code 2; no traceback. Every case fails
while reading options or data, before any training, so the whole table takes seconds. A few inputs
are not errors (a class missing only from val or test): those must build, with one warning line.

docs/bad-input.md is this table with the messages the command actually printed:

    .venv/bin/python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md
"""

from __future__ import annotations

import contextlib
import io
import logging
import pickle
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from fer_report.cli import main
from tests.e2e.api_cases import API_CASES, api_markdown, run_api_case
from tests.e2e.cases import BASE, Case
from tests.e2e.code_cases import code_cases
from tests.e2e.dnn_cases import dnn_cases
from tests.e2e.csv_cases import csv_cases
from tests.e2e.folder_cases import FOLDER_CASES
from tests.e2e.keras_cases import keras_cases
from tests.e2e.option_cases import OPTION_CASES, _evil_checkpoint, _RunsCode
from tests.e2e.own_input_cases import own_cases
from tests.e2e.pretrained_cases import pretrained_cases

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "bad-input.md"

CASES = (csv_cases() + FOLDER_CASES + OPTION_CASES + own_cases(Case) + pretrained_cases(Case)
         + keras_cases(Case) + code_cases(Case) + dnn_cases(Case))


# --- running a case ---------------------------------------------------------------------------------


_RESULTS: dict[str, tuple[int, str, str, list[str]]] = {}  # case id -> last result, reused by the docs test


def run_case(case: Case, folder: Path) -> tuple[int, str, str, list[str]]:
    """(exit code, stderr, stdout, arguments) of the command run in ``folder``; log records count as stderr."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(folder):
        args = [*case.command, *case.make(folder)]
    err, out = io.StringIO(), io.StringIO()
    logger = logging.getLogger("fer_report")
    handler = logging.StreamHandler(err)
    handler.setLevel(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # else pytest's or basicConfig's handler prints it a second time
    try:
        with contextlib.chdir(folder), contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse
                code = int(exc.code or 0)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    _RESULTS[case.id] = code, err.getvalue(), out.getvalue(), args
    return _RESULTS[case.id]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_clear_line(case, tmp_path):
    code, err, out, _ = run_case(case, tmp_path)
    assert code == case.code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, and never a traceback
    message = lines[0]
    assert "Traceback" not in message and "internal error" not in message
    for part in case.expect:
        assert part in message, f"{part!r} not in {message!r}"
    if case.code == 2:
        assert message.startswith("fer-report") and ": error: " in message
        assert not (tmp_path / "out" / "report.html").exists()
    else:  # not an error: the build went on and wrote the report
        assert message.startswith("warning: ")
        assert (tmp_path / "out" / "report.html").exists() and "wrote out/report.html" in out
    assert not (tmp_path / "PWNED").exists()  # no case may run code from a file


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_bad_python_input_raises_one_clear_line(case, tmp_path):
    kind, message = run_api_case(case, tmp_path)
    assert kind is not None and issubclass(kind, case.raises), kind
    assert len(message.splitlines()) == 1 and "Traceback" not in message, message
    for part in case.expect:
        assert part in message, f"{part!r} not in {message!r}"
    assert not (tmp_path / "out" / "report.html").exists()


def test_no_code_runs_from_a_crafted_checkpoint(tmp_path):
    """The payload really would run if unpickled freely; weights_only refuses it before the call."""
    _evil_checkpoint(tmp_path)
    with contextlib.chdir(tmp_path):
        pickle.loads(pickle.dumps(_RunsCode()))  # the payload is live: plain unpickling runs it
        assert (tmp_path / "PWNED").exists()
        (tmp_path / "PWNED").unlink()
    case = next(c for c in CASES if c.id == "weights-pickled-object")
    code, err, _, _ = run_case(case, tmp_path)
    assert code == 2 and "refused" in err and not (tmp_path / "PWNED").exists()


def test_a_real_process_exits_2_without_a_traceback(tmp_path):
    """In-process runs above prove the messages; this proves what a shell sees: the exit status, one line."""
    case = next(c for c in CASES if c.id == "kaggle-gz-2305-pixels")
    args = case.make(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "fer_report", *case.command, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == f"fer-report: error: {case.expect[0]}\n"
    assert proc.stdout == ""


def test_every_issue_case_is_covered_for_every_format():
    """The issue's list, per data format: a case dropped from the table fails here."""
    def having(fmt_prefix: str) -> set[str]:
        return {c.case for c in CASES if c.fmt.startswith(fmt_prefix)}

    csv_cases = {"empty file", "header only", "missing column", "wrong column", "a row with 2303 pixels",
                 "a row with 2305 pixels", "non-numeric pixel", "out-of-range pixel (<0)", "out-of-range pixel (>255)",
                 "label outside 0..6", "non-integer label", "a class with no images", "duplicate header"}
    for fmt in ("Kaggle CSV", "Kaggle CSV (.csv.gz)", "Kaggle CSV (.zip)", "course CSV", "course CSV (.csv.gz)",
                "course CSV (.zip)"):
        assert csv_cases <= {c.case for c in CASES if c.fmt == fmt}, fmt
    assert {"empty file", "a class with no images", "corrupt PNG", "corrupt JPEG", "class names that do not match",
            "label outside 0..6", "duplicate header"} <= having("image folder")
    assert {"non-existent --data", "unwritable --out", "unknown --model", "unknown section name", "TOML unknown key",
            "TOML wrong type", "checkpoint holding a pickled object"} <= {c.case for c in CASES}
    assert {"a model file with a syntax error", "an import that fails", "a constructor that raises", "unknown NAME",
            "NAME that is not an nn.Module", "a missing model file", "mismatched weights", "truncated weights",
            "pickled weights", "wrong class count"} <= {c.case for c in CASES}  # the own-model issue's list
    assert {"a truncated log", "unknown columns", "an empty TensorBoard folder", "non-numeric values",
            "epochs out of order", "an images folder with no pictures", "a corrupt picture"} <= {c.case for c in CASES}


# --- the table in docs/bad-input.md -------------------------------------------------------------------


def markdown() -> str:
    """The table of every case with the message the command printed (run now unless a test just ran it)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, case in enumerate(CASES, start=1):
            code, err, _, args = _RESULTS.get(case.id) or run_case(case, Path(tmp) / case.id)
            message = err.strip().replace("|", "\\|")
            extra = args[len(case.command):]
            shown = ["build", "…", *extra] if case.command == tuple(BASE) else args  # BASE: see the note above
            command = " ".join(["fer-report", *shown])
            rows.append(f"| {k} | {case.case} | {case.fmt} | {case.what} | `{command}` | {code} | `{message}` |")
        python_rows = api_markdown(Path(tmp), len(CASES) + 1)
    n_err = sum(c.code == 2 for c in CASES)
    return "\n".join([
        "# Bad input: what `fer-report` says",
        "",
        "Generated by `.venv/bin/python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md` from the",
        "cases in `tests/e2e/test_bad_input.py`: each message below is what the command printed (paths are",
        "relative to the folder it ran in). Every case ends with one line on stderr and no traceback; exit",
        f"code 2 means the build stopped before any training ({n_err} cases), exit code 0 means the input is",
        f"usable and the build went on with one warning ({len(CASES) - n_err} cases). `--debug` adds the",
        "traceback to an error. A failed build never touches the previous report in `--out`.",
        "",
        "Not errors: blank lines, header case and stray spaces, 64x64 rows (4096 pixels), images of any size",
        "or colour in a folder (converted to 48x48 grey; 64x64 stays 64x64), files other than images in a",
        "class folder.",
        "",
        f"`build …` stands for `fer-report {' '.join(BASE)}`: one cheap section, so a usable input builds in",
        "seconds; `--all` reads the data the same way.",
        "",
        "| # | Case | Format | Input | Command | Exit | Message |",
        "|---|---|---|---|---|---|---|",
        *rows,
        *python_rows,
        "",
    ])


def _stable(text: str) -> str:
    """Lists of sections and config keys grow as features are added; they are not what the table is about."""
    return re.sub(r"\((choices|known): [^)]*\)", r"(\1: …)", text)


def test_docs_table_shows_the_current_messages():
    assert DOC.exists(), "run: .venv/bin/python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md"
    assert _stable(DOC.read_text(encoding="utf-8")) == _stable(markdown()), (
        "docs/bad-input.md is stale; run: .venv/bin/python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md")


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m tests.e2e.test_bad_input --markdown > docs/bad-input.md")
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    sys.stdout.write(markdown())
