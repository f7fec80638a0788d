"""The output folder is replaced whole or not at all: a build writes into a temporary folder beside the
report, and only a build that succeeded swaps its files in, one rename each, so a reader never sees half a
report and a failed or killed build leaves the previous one as it was."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from fer_report.errors import UserError

log = logging.getLogger(__name__)
OUTPUTS = ("report.html", "report.pdf", "report.json", "figures", "submission.csv")


def check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write there ({exc.strerror}); choose another folder") from None


def clear_leftovers(out: Path) -> None:
    """A build killed outright (SIGKILL, power cut) runs no cleanup: its ``.building-PID-*`` folder stays,
    and a kill between the two renames in ``replace`` leaves ``.old-figures`` with no ``figures``.
    Remove the first and put the second back; a build still running (its process is alive) is left alone."""
    running = False
    for leftover in out.glob(".building-*"):
        pid = leftover.name.split("-")[1]
        if pid.isdigit() and _alive(int(pid)):
            running = True
        else:
            log.info("removing %s, left by a build that was killed", leftover)
            shutil.rmtree(leftover, ignore_errors=True)
    if running:  # its replace may be between two renames right now
        return
    for name in OUTPUTS:
        trash, current = out / f".old-{name}", out / name
        if trash.exists() and not current.exists():
            os.replace(trash, current)
        shutil.rmtree(trash, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to someone else
        return True
    return pid != 0


def replace(work: Path, out: Path) -> None:
    """Swap the new outputs in; each file is replaced by one rename, so readers never see half a file."""
    for name in OUTPUTS:
        new, old = work / name, out / name
        if not new.exists():
            continue
        if new.is_dir():
            trash = out / f".old-{name}"
            shutil.rmtree(trash, ignore_errors=True)
            if old.exists():
                os.replace(old, trash)
            os.replace(new, old)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(new, old)
