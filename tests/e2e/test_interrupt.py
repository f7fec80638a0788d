"""Nothing lost: Ctrl-C, `kill` and `kill -9` during a build leave the previous report as it was, and the
next build clears what the dead one left and resumes its training where it stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fer_report.report.output_dir import clear_leftovers as _clear_leftovers
from fer_report.cli import main

TINY = ["--synthetic-size", "tiny", "--batch-size", "32", "-q"]
OLD = {"report.html": b"<p>yesterday</p>", "report.pdf": b"%PDF-old", "report.json": b'{"old": true}',
       "figures/confusion.png": b"old png"}


def _previous_report(out: Path) -> None:
    for name, data in OLD.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)


def _untouched(out: Path) -> bool:
    return all((out / name).read_bytes() == data for name, data in OLD.items())


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_section_keeps_the_previous_report(tmp_path, monkeypatch, capsys, how):
    import fer_report.sections.architecture as architecture

    def interrupted(settings):
        assert list(tmp_path.glob(".building-*"))  # the build really is under way
        if how == "ctrl-c":
            raise KeyboardInterrupt
        os.kill(os.getpid(), signal.SIGTERM)  # `kill PID`: the CLI turns it into the same clean stop
        time.sleep(5)
        raise AssertionError("SIGTERM did not interrupt the build")

    monkeypatch.setattr(architecture.section, "run", interrupted)
    _previous_report(tmp_path)
    assert main(["build", "--sections", "architecture", "--out", str(tmp_path), *TINY]) == 130
    err = capsys.readouterr().err.strip()
    assert err == "fer-report: interrupted; the previous report is untouched and training resumes on the next run"
    assert _untouched(tmp_path)
    assert not list(tmp_path.glob(".building-*"))
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is only there during the command


CHILD = """
import pathlib, sys, time
import fer_report.training.train as tr
real, calls = tr._train_epoch, []
def epoch(*args, **kwargs):
    calls.append(1)
    if len(calls) == 2:  # epoch 1 is finished and saved: wait here to be killed
        pathlib.Path("epoch-1-done").write_text("")
        time.sleep(300)
    return real(*args, **kwargs)
tr._train_epoch = epoch
from fer_report.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_kill_9_during_training_loses_nothing_and_the_next_build_resumes(tmp_path, monkeypatch):
    import fer_report.training.train as tr
    from fer_report.data.synthetic import make_synthetic
    from tests.conftest import tiny_settings

    out = tmp_path / "out"
    out.mkdir()
    _previous_report(out)
    args = ["build", "--sections", "history", "--out", str(out), "--epochs", "2", *TINY]
    child = subprocess.Popen([sys.executable, "-c", CHILD, *args], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not (tmp_path / "epoch-1-done").exists():
            assert child.poll() is None, child.communicate()[1].decode()
            assert time.monotonic() < deadline, "the child never finished its first epoch"
            time.sleep(0.1)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()

    assert _untouched(out)
    assert [p.name.split("-")[1] for p in out.glob(".building-*")] == [str(child.pid)]  # no cleanup ran
    assert len(list(out.glob("cache/train-*/state.pt"))) == 1

    real, trained_epochs = tr._train_epoch, []

    def counting(*a, **kw):
        trained_epochs.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(tr, "_train_epoch", counting)
    assert main(args) == 0
    assert not list(out.glob(".building-*"))  # the dead build's folder is gone
    assert len(trained_epochs) == 1  # epoch 2 only: epoch 1 came from the killed run
    report = json.loads((out / "report.json").read_text())
    assert report["sections"][0]["status"] == "ok" and report["run"]["training"]["epochs_run"] == 2
    assert not (out / "figures" / "confusion.png").exists()  # figures/ is this build's, whole

    monkeypatch.setattr(tr, "_train_epoch", real)
    reference = tr.train(tiny_settings(tmp_path / "reference", epochs=2), make_synthetic(seed=0, size="tiny"),
                         progress=False)
    resumed = json.loads(next(out.glob("cache/train-*/history.json")).read_text())["history"]
    assert [h["epoch"] for h in resumed] == [1, 2]
    for r, h in zip(reference.history, resumed):
        assert r["val_acc"] == h["val_acc"]
        assert r["train_loss"] == pytest.approx(h["train_loss"], rel=1e-5)


def test_leftovers_of_dead_builds_go_and_a_running_build_is_left_alone(tmp_path):
    dead = tmp_path / ".building-999999999-abc"  # above Linux's pid_max: no such process
    alive = tmp_path / f".building-{os.getpid()}-xyz"
    unnamed = tmp_path / ".building-oldstyle"
    for d in (dead, alive, unnamed):
        d.mkdir()
        (d / "report.html").write_text("half")
    _clear_leftovers(tmp_path)
    assert not dead.exists() and not unnamed.exists() and alive.exists()


def test_a_kill_between_the_two_renames_gets_the_old_figures_back(tmp_path):
    (tmp_path / ".old-figures").mkdir()  # killed after figures/ -> .old-figures/, before the new one moved in
    (tmp_path / ".old-figures" / "a.png").write_bytes(b"old")
    _clear_leftovers(tmp_path)
    assert (tmp_path / "figures" / "a.png").read_bytes() == b"old" and not (tmp_path / ".old-figures").exists()
