"""Bad-input cases for options, config files and untrusted weights."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Callable

from tests.e2e.cases import Case
from tests.e2e.folder_cases import _png


# --- options, config files, untrusted weights -------------------------------------------------------


class _RunsCode:
    """What a malicious checkpoint smuggles in: unpickling it would run ``touch PWNED``."""

    def __reduce__(self):
        return (os.system, ("touch PWNED",))


def _evil_checkpoint(folder: Path) -> list[str]:
    import torch

    torch.save({"conv1.weight": torch.zeros(64, 1, 7, 7), "payload": _RunsCode()}, folder / "evil.pt")
    return ["--model", "resnet18", "--weights", "evil.pt"]


def _evil_pickle(folder: Path) -> list[str]:
    (folder / "evil.pth").write_bytes(pickle.dumps({"payload": _RunsCode()}, protocol=2))
    return ["--model", "resnet18", "--weights", "evil.pth"]


def _truncated_checkpoint(path: Path) -> None:
    import torch

    torch.save({"conv1.weight": torch.zeros(64, 1, 7, 7)}, path)
    path.write_bytes(path.read_bytes()[:100])


def _toml(text: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "report.toml").write_text(text, encoding="utf-8")
        return ["--config", "report.toml"]
    return make


def _args(*args: str) -> Callable[[Path], list[str]]:
    return lambda folder: list(args)


OPTION_CASES = [
    Case("recipe-unknown", "unknown --recipe", "command line", "--recipe fer2013-cpx", _args("--recipe", "fer2013-cpx"),
         ("--recipe: unknown recipe 'fer2013-cpx'; did you mean 'fer2013-cpu'? (known: fer2013-best, fer2013-cpu)",)),
    Case("data-missing", "non-existent --data", "command line", "--data fer2013.csv (no such file)",
         _args("--data", "fer2013.csv"), ("fer2013.csv: no such file or folder", "expected a FER2013 CSV")),
    Case("out-unwritable", "unwritable --out", "command line", "--out under a regular file",
         lambda d: [(d / "taken").write_text(""), "--out", "taken/report"][1:],
         ("--out taken/report: cannot write there (", "choose another folder")),
    Case("model-unknown", "unknown --model", "command line", "--model cnn5", _args("--model", "cnn5"),
         ("--model: unknown model 'cnn5'; did you mean 'cnn4'? (choices: cnn4,",)),
    Case("match-unknown", "unknown --model", "command line", "--model dnn --match vgg16",
         _args("--model", "dnn", "--match", "vgg16"), ("--match: unknown match 'vgg16'; did you mean 'vgg'?",)),
    Case("section-unknown", "unknown section name", "command line", "--sections confusoin",
         _args("--sections", "confusoin"), ("unknown section 'confusoin'; did you mean 'confusion'?",),
         command=("build", "--out", "out", "-q")),
    Case("section-command-unknown", "unknown section name", "command line", "fer-report section histroy",
         _args(), ("unknown section 'histroy'; did you mean 'history'?",),
         command=("section", "histroy", "--out", "out", "-q")),
    Case("command-unknown", "unknown command", "command line", "fer-report bulid", _args(),
         ("fer-report: error: argument COMMAND: invalid choice: 'bulid'", "did you mean 'build'?"), command=("bulid",)),
    Case("choice-unknown", "unknown option value", "command line", "--lang zh-tw", _args("--lang", "zh-tw"),
         ("argument --lang: invalid choice: 'zh-tw' (choose from 'en', 'zh-TW'); did you mean 'zh-TW'?",)),
    Case("int-wrong", "wrong type", "command line", "--epochs ten", _args("--epochs", "ten"),
         ("argument --epochs: invalid int value: 'ten'",)),
    Case("epochs-zero", "out-of-range value", "command line", "--epochs 0", _args("--epochs", "0"),
         ("--epochs: epochs must be at least 1, got 0",)),
    Case("templates-missing", "non-existent path", "command line", "--templates mine/ (no such folder)",
         _args("--templates", "mine"), ("--templates: templates folder 'mine' does not exist",)),
    Case("weights-missing", "non-existent path", "command line", "--model resnet18 --weights r18.pth (no such file)",
         _args("--model", "resnet18", "--weights", "r18.pth"), ("--weights: weights file 'r18.pth' does not exist",)),
    Case("pretrained-wrong-model", "wrong option", "command line", "--pretrained with --model cnn4",
         lambda d: [(d / "w.pt").write_bytes(b"x"), "--pretrained", "w.pt"][1:],
         ("--pretrained: pretrained weights apply only to --model resnet18, not 'cnn4'",)),
    Case("weights-pickled-object", "checkpoint holding a pickled object", "--weights", "a torch.save file whose "
         "payload's __reduce__ calls os.system", _evil_checkpoint,
         ("weights file evil.pt: refused: it holds a pickled Python object (posix.system)", "expected only tensors")),
    Case("weights-legacy-pickle", "checkpoint holding a pickled object", "--weights", "a plain pickle (protocol 2) "
         "with the same payload", _evil_pickle,
         ("weights file evil.pth: refused: it holds a pickled Python object (posix.system)",)),
    Case("weights-not-torch", "corrupt file", "--weights", "a PNG named r18.pth",
         lambda d: [_png(d / "r18.pth"), "--model", "resnet18", "--weights", "r18.pth"][1:],
         ("weights file r18.pth: not a readable torch checkpoint (it starts with b'\\x89PNG",
          "expected a state dict saved by torch.save")),
    Case("weights-truncated", "corrupt file", "--weights", "a torch.save file cut to 100 bytes",
         lambda d: [_truncated_checkpoint(d / "r18.pth"), "--model", "resnet18", "--weights", "r18.pth"][1:],
         ("weights file r18.pth: not a readable torch checkpoint (RuntimeError: PytorchStreamReader failed",)),
    Case("config-missing", "non-existent path", "config file", "--config report.toml (no such file)",
         _args("--config", "report.toml"), ("report.toml: config file not found",)),
    Case("config-unknown-key", "TOML unknown key", "config file", "line 2: epoch = 3",
         _toml('lang = "en"\nepoch = 3\n'), ("report.toml line 2: unknown key 'epoch'; did you mean 'epochs'?",)),
    Case("config-unknown-table", "TOML unknown key", "config file", "line 1: [autor]",
         _toml('[autor]\nname = "x"\n'), ("report.toml line 1: unknown key 'autor'; did you mean 'author'?",)),
    Case("config-author-key", "TOML unknown key", "config file", "[author] line 3: nmae = ...",
         _toml('[author]\nstudent_id = "b01"\nnmae = "x"\n'),
         ("report.toml line 3: unknown key(s) in [author]: nmae (known: student_id, department, name, collaborators)",)),
    Case("config-wrong-type", "TOML wrong type", "config file", 'line 1: epochs = "3"', _toml('epochs = "3"\n'),
         ("report.toml line 1: key 'epochs' is str '3', expected int",)),
    Case("config-wrong-type-bool", "TOML wrong type", "config file", "line 1: augment = 1", _toml("augment = 1\n"),
         ("report.toml line 1: key 'augment' is int 1, expected bool",)),
    Case("config-question-type", "TOML wrong type", "config file", "[questions] line 2: confusion = 3",
         _toml("[questions]\nconfusion = 3\n"), ("report.toml line 2: 'confusion' is int 3, expected a string",)),
    Case("config-bad-value", "TOML unknown value", "config file", 'line 2: model = "cnn5"',
         _toml('epochs = 3\nmodel = "cnn5"\n'), ("report.toml line 2: unknown model 'cnn5'; did you mean 'cnn4'?",)),
    Case("config-syntax", "TOML syntax error", "config file", "line 1: epochs =", _toml("epochs =\n"),
         ("report.toml: not valid TOML: ", "(at line 1, column")),
]
