"""Cases of tests/e2e/test_bad_input.py for the student's own DNN (issue 24: --dnn-model, --dnn-weights,
--dnn-history) and a parameter count given to --match; each fails before any training."""

from __future__ import annotations

from tests.e2e.cases import writing

FILES = {"log.csv": "epoch,loss,accuracy\n0,1.9,0.2\n",
         "dnn.py": "import torch.nn as nn\n\n\nclass DNN(nn.Sequential):\n    pass\n"}


def _args(*args: str):
    return writing(FILES, *args)


def dnn_cases(Case) -> list:
    fmt = "--dnn-model / --match"
    return [
        Case("dnn-weights-alone", "DNN weights without the DNN", fmt, "--dnn-history log.csv, no --dnn-model",
             _args("--dnn-history", "log.csv"), ("--dnn-history: describes your own DNN; give its model too with "
                                                 "--dnn-model FILE.py:NAME",)),
        Case("dnn-model-missing", "a missing DNN file", fmt, "--dnn-model mlp.py:MLP (no such file)",
             _args("--dnn-model", "mlp.py:MLP"), ("--dnn-model: model file mlp.py: no such file",)),
        Case("dnn-model-builtin", "a built-in name as --dnn-model", fmt, "--dnn-model dnn",
             _args("--dnn-model", "dnn"), ("--dnn-model: 'dnn' is not a model file",)),
        Case("dnn-history-without-weights", "a DNN log without its weights", fmt,
             "--dnn-model dnn.py:DNN --dnn-history log.csv", _args("--dnn-model", "dnn.py:DNN", "--dnn-history",
                                                                   "log.csv"),
             ("--dnn-history: a training log describes a DNN trained elsewhere; give its weights too",)),
    ]
