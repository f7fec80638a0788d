"""The `fer-report` command. Heavy libraries (torch, matplotlib, weasyprint) load only after parsing,
so `--help` answers at once."""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import signal
import sys
from pathlib import Path

from fer_report import __version__, options
from fer_report.errors import UserError, did_you_mean

log = logging.getLogger("fer_report")

EPILOG = """examples:
  fer-report build --all                      train on the embedded synthetic faces, write build/report.{html,pdf,json}
  fer-report build --all --data fer2013.csv   the same on the Kaggle FER2013 CSV (also .csv.gz, .zip, course CSV, image folder)
  fer-report section confusion                rebuild one section into build/sections/confusion/, reusing the cache
  fer-report build --lang zh-TW --config report.toml
  fer-report list                             sections and models
"""


def _options() -> argparse.ArgumentParser:
    """Options shared by build, section and train: every setting's flag (declared once, in config.Settings)
    plus the few flags that are not settings."""
    from fer_report.config import Settings

    p = argparse.ArgumentParser(add_help=False)
    groups = options.add_arguments(p, Settings)
    groups["training"].add_argument(
        "--recipe", metavar="NAME", help="a built-in training recipe (configs/NAME.toml) under --config and flags: "
        "fer2013-best = the best published FER2013 network's training (VGG, GPU, hours on CPU); "
        "fer2013-cpu = the best measured on real faces on 2 CPU cores (cnn4, flip, 50 epochs)")
    g = groups["report"]
    g.add_argument("--config", metavar="FILE.toml", help="TOML file setting any option above plus [author] "
                   "student_id/department/name and [questions] headings; flags override it")
    g.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    g.add_argument("--debug", action="store_true", help="show Python tracebacks")
    return p


class _OneLineParser(argparse.ArgumentParser):
    """argparse prints the whole usage before an error; one line with a pointer to --help reads better."""

    def error(self, message: str):  # type: ignore[override]
        m = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if m:  # Python 3.11's argparse names the choices but not the closest one
            message += did_you_mean(m.group(1), re.findall(r"'([^']*)'", m.group(2)))
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    common = _options()
    top = _OneLineParser(
        prog="fer-report", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Train a facial-expression classifier and write the course report (HTML + PDF + JSON).")
    top.add_argument("--version", action="version", version=f"fer-report {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", parents=[common], help="build the report (all sections or some)",
                       description="Train (or reuse) the model, run the sections, write OUT/report.html, "
                       "report.pdf, report.json and figures/. The previous report is replaced only on success.")
    which = b.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every section (the default)")
    which.add_argument("--sections", metavar="A,B", help="comma-separated section names, e.g. architecture,confusion")
    s = sub.add_parser("section", parents=[common], help="build one section into OUT/sections/NAME/",
                       description="Build one section, reusing cached artefacts, into OUT/sections/NAME/ "
                       "(report.html, report.pdf, report.json) and print its generated text.")
    s.add_argument("name", metavar="NAME", help="section name; see `fer-report list`")
    sub.add_parser("train", parents=[common], help="train (or reuse) the model and print its accuracy",
                   description="Train the model into the cache without building a report.")
    sub.add_parser("list", help="list sections and models")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    logging.basicConfig(level=logging.WARNING if getattr(args, "quiet", False) else logging.INFO,
                        format="%(message)s", stream=sys.stderr)
    try:
        with _terminate_like_ctrl_c():
            return _dispatch(args)
    except UserError as exc:
        if debug:
            raise
        print(f"fer-report: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fer-report: interrupted; the previous report is untouched and training resumes on the next run",
              file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so, keep the traceback for --debug
        if debug:
            raise
        print(f"fer-report: internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)",
              file=sys.stderr)
        return 1


@contextlib.contextmanager
def _terminate_like_ctrl_c():
    """`kill PID` (SIGTERM) would end Python without cleanup; as KeyboardInterrupt it removes the
    temporary build folder and prints the same message as Ctrl-C. Only the main thread can set it."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "list":
        return _list()
    settings = _settings(args)
    from fer_report.training import distributed

    if distributed.is_launched() and args.command != "train":
        raise UserError("torchrun runs `fer-report train` only: train with torchrun, then run `fer-report "
                        f"{args.command}` once with the same settings (it reuses the trained model)")
    if args.command == "train":
        return _train(settings)
    from fer_report.api import build_report, build_section  # the same path as fer_report.Report

    if args.command == "section":
        out, report = build_section(settings, args.name)
        for line in report["sections"][0]["text"]:
            print(line)
        print(f"wrote {out}/report.html, report.pdf, report.json")
        return 0
    report = build_report(settings)
    out = Path(settings.out)
    failed = [s["name"] for s in report["sections"] if s["status"] == "failed"]
    skipped = [s["name"] for s in report["sections"] if s["status"] == "skipped"]
    acc = report["run"].get("accuracy")
    print(f"wrote {out}/report.html, {out}/report.pdf, {out}/report.json ({len(report['sections'])} sections"
          + (f", test accuracy {acc['test']:.1%}" if acc else "") + ")")
    if "submission" in report["run"]:
        sub = report["run"]["submission"]
        print(f"wrote {out}/submission.csv ({sub['rows']:,} predictions for {sub['from']}, id,label)")
    if skipped:
        print(f"sections skipped (not applicable; report.json says why): {', '.join(skipped)}", file=sys.stderr)
    if failed:
        print(f"sections marked failed: {', '.join(failed)}", file=sys.stderr)
    return 0


def _settings(args: argparse.Namespace):
    from fer_report.config import load_settings

    from fer_report.config import Settings

    given = options.overrides(args, Settings)
    if getattr(args, "sections", None):
        given["sections"] = [s.strip() for s in args.sections.split(",") if s.strip()]
    return load_settings(args.config, given, recipe=getattr(args, "recipe", None))


def _train(settings) -> int:
    from fer_report.report.artifacts import Artefacts

    from fer_report.training import distributed

    a = Artefacts(settings, Path(settings.out))
    try:
        t = a.trained  # under torchrun every process trains its shard ...
    finally:
        distributed.leave()
    if distributed.rank() != 0:  # ... and rank 0 alone reports
        return 0
    p = a.predictions
    print(f"{settings.model}: val accuracy {p.val.accuracy:.1%}, test accuracy {p.test.accuracy:.1%} "
          f"({len(t.history)} epochs, {t.recorded_seconds:.0f} s on {t.device}; cache {t.cache_dir})")
    return 0


def _list() -> int:
    from fer_report.model.builtin import MODELS
    from fer_report.report.section import load_sections

    print("sections (report order; * only when a course preset or --sections asks, not in --all):")
    for name, s in load_sections().items():
        print(f"  {name + ('*' if s.on_request else ''):<18} {s.summary}")
    print("models (--model):")
    for name, summary in MODELS.items():
        print(f"  {name:<14} {summary}")
    from fer_report.report import presets

    print("course question sets (--questions):")
    for name in presets.names():
        p = presets.load(name)
        print(f"  {name:<24} {p.title_en} ({len(p.numbers())} questions)")
    return 0
