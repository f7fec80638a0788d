"""Bad input of the user's own model, checkpoint, logs, pictures, answers and options (issues 11-13), for the
table of tests/e2e/test_bad_input.py: each case writes what a student would have and names the message."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

MODEL = '''import torch.nn as nn


class FaceNet(nn.Module):
    def __init__(self, num_classes=7, width=8):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, width, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(width * 12 * 12, num_classes))

    def forward(self, x):
        return self.head(self.features(x))


def helper():
    return 3
'''


def _model(text: str = MODEL, name: str = "FaceNet", *extra: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "model.py").write_text(text)
        return ["--model", f"model.py:{name}", *extra]
    return make


def _weights(kind: str) -> Callable[[Path], list[str]]:
    """A checkpoint for FaceNet that is wrong in one way."""
    def make(folder: Path) -> list[str]:
        import torch
        from torch import nn

        (folder / "model.py").write_text(MODEL)
        args = ["--model", "model.py:FaceNet", "--weights", "best.pth"]
        if kind == "mismatch":  # the state dict of a net with 10 classes and another width
            net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(10, 10))
            torch.save(net.state_dict(), folder / "best.pth")
        elif kind == "truncated":
            torch.save({"features.0.weight": torch.zeros(8, 1, 3, 3)}, folder / "best.pth")
            (folder / "best.pth").write_bytes((folder / "best.pth").read_bytes()[:120])
        elif kind == "pickled":
            torch.save(nn.Sequential(nn.Linear(2, 2)), folder / "best.pth")
        elif kind == "no-state-dict":
            torch.save({"epoch": 12, "acc": 0.61}, folder / "best.pth")
        elif kind == "classes":
            (folder / "model.py").write_text(MODEL.replace("num_classes=7", "num_classes=10"))
            return args[:2]
        return args
    return make


def _onnx_batch_of_one(kind: str) -> Callable[[Path], list[str]]:
    """FaceNet exported as the usual call writes it (one example image, no dynamic_axes); "sum": its scores
    summed over the batch, so no rewrite of a Reshape gives the batch back."""
    def make(folder: Path) -> list[str]:
        import importlib.util
        import warnings

        import torch

        spec = importlib.util.spec_from_loader("facenet_for_onnx", loader=None)
        module = importlib.util.module_from_spec(spec)
        exec(MODEL.replace("return self.head(self.features(x))", "x = self.features(x)\n        "
                                                                  "return self.head[1](x.view(x.size(0), -1))"
                           + (".sum(0, keepdim=True)" if kind == "sum" else "")), module.__dict__)
        torch.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module.FaceNet().eval(), (torch.randn(1, 1, 48, 48),), str(folder / "model.onnx"),
                              dynamo=False, input_names=["input"], output_names=["output"], opset_version=17)
        return ["--model", "model.onnx"]
    return make


def _log(name: str, text: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        import torch

        (folder / "model.py").write_text(MODEL)
        (folder / name).write_text(text)
        torch.save(_state(), folder / "best.pth")
        return ["--model", "model.py:FaceNet", "--weights", "best.pth", "--history", name]
    return make


def _state():
    import importlib.util

    import torch

    spec = importlib.util.spec_from_loader("facenet_for_cases", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(MODEL, module.__dict__)
    torch.manual_seed(0)
    return module.FaceNet().state_dict()


def _tensorboard_empty(folder: Path) -> list[str]:
    import torch

    (folder / "model.py").write_text(MODEL)
    (folder / "runs").mkdir()
    torch.save(_state(), folder / "best.pth")
    return ["--model", "model.py:FaceNet", "--weights", "best.pth", "--history", "runs"]


def _pictures(kind: str) -> Callable[[Path], list[str]]:
    def make(folder: Path) -> list[str]:
        (folder / "photos").mkdir()
        (folder / "photos" / "notes.txt").write_text("my face")
        if kind == "corrupt":
            (folder / "photos" / "me.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
        return ["--images", "photos"]
    return make


def _unlabelled(folder: Path) -> list[str]:
    (folder / "test.csv").write_text("id,pixels\n0," + " ".join(["7"] * 2304) + "\n")
    return ["--data", "test.csv"]


KERAS_LOG = "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.30,1.8,0.35,1.7\n1,0.45,1.5,0.44,1.5\n"


def own_cases(Case) -> list:
    model, weights, logs, pictures, options = ("--model FILE.py:NAME", "--weights", "--history / --compare",
                                               "--images", "command line")
    return [
        Case("own-model-syntax", "a model file with a syntax error", model, "model.py line 5: def __init__(self",
             _model(MODEL.replace("def __init__(self, num_classes=7, width=8):", "def __init__(self")),
             ("model.py line 5: syntax error",)),
        Case("own-model-import", "an import that fails", model, "model.py imports timm",
             _model("import timm\n" + MODEL), ("model.py line 1: imports 'timm'",)),
        Case("own-model-raises", "a constructor that raises", model, "FaceNet() raises ValueError",
             _model(MODEL.replace("super().__init__()", "super().__init__()\n        raise ValueError('width must be "
                                                        "even')")), ("FaceNet() raised ValueError: width must be even",)),
        Case("own-model-unknown-name", "unknown NAME", model, "--model model.py:FaceNett",
             _model(name="FaceNett"), ("model.py: no class or function 'FaceNett'; did you mean 'FaceNet'?",)),
        Case("own-model-not-module", "NAME that is not an nn.Module", model, "--model model.py:helper",
             _model(name="helper"), ("helper() returned an int",)),
        Case("own-model-missing", "a missing model file", model, "--model nope.py:Net (no such file)",
             lambda d: ["--model", "nope.py:Net"], ("model file nope.py: no such file",)),
        Case("own-model-no-name", "a model file without NAME", model, "--model model.py",
             lambda d: [(d / "model.py").write_text(MODEL), "--model", "model.py"][1:],
             ("--model model.py: name the class or function that builds the model after a colon",)),
        Case("own-model-args", "a constructor argument that does not exist", model, "--model-args '{\"widht\": 4}'",
             _model(MODEL, "FaceNet", "--model-args", '{"widht": 4}'),
             ("FaceNet() has no parameter 'widht'; did you mean 'width'?",)),
        Case("own-model-args-json", "--model-args that is not JSON", options, "--model-args '{num_classes: 7}'",
             _model(MODEL, "FaceNet", "--model-args", "{num_classes: 7}"), ("argument --model-args: not valid JSON",)),
        Case("own-weights-mismatch", "mismatched weights", weights, "the state dict of another network",
             _weights("mismatch"), ("weights file best.pth does not fit FaceNet", "missing", "unexpected")),
        Case("own-weights-truncated", "truncated weights", weights, "a torch.save file cut to 120 bytes",
             _weights("truncated"), ("weights file best.pth: not a readable torch checkpoint",)),
        Case("own-weights-pickled", "pickled weights", weights, "torch.save(model): a whole pickled model",
             _weights("pickled"), ("refused: it is a whole pickled model", "torch.save(model.state_dict()",
                                   "--trust-pickle")),
        Case("own-weights-no-state-dict", "a checkpoint without a state dict", weights, "{'epoch': 12, 'acc': 0.61}",
             _weights("no-state-dict"), ("a dict without a state dict (keys: 'epoch', 'acc')",)),
        Case("own-model-classes", "wrong class count", weights, "FaceNet(num_classes=10)", _weights("classes"),
             ("the model returns 10 class scores per image; the data has 7 classes",)),
        Case("own-log-truncated", "a truncated log", logs, "log.csv cut in the middle of its last line",
             _log("log.csv", KERAS_LOG + "2,0.55,1.3,0.5"), ("log.csv line 4: the file ends in the middle",)),
        Case("own-log-columns", "unknown columns", logs, "columns epoch,acuracy,los",
             _log("log.csv", "epoch,acuracy,los\n0,0.3,1.8\n"), ("log.csv line 1: no loss or accuracy column",
                                                                 "did you mean")),
        Case("own-log-non-numeric", "non-numeric values", logs, "val_accuracy 'abc' on line 3",
             _log("log.csv", KERAS_LOG.replace("0.44", "abc")), ("log.csv line 3: val_accuracy 'abc' is not a number",)),
        Case("own-log-order", "epochs out of order", logs, "epoch 0 after epoch 1",
             _log("log.csv", KERAS_LOG + "0,0.5,1.2,0.5,1.3\n"), ("log.csv line 4: epoch 0 after epoch 1",)),
        Case("own-log-tensorboard-empty", "an empty TensorBoard folder", logs, "--history runs (no event files)",
             _tensorboard_empty, ("runs: no TensorBoard event files",)),
        Case("own-log-trained-here", "a log for a model trained here", logs, "--history without --weights",
             lambda d: [(d / "log.csv").write_text(KERAS_LOG), "--history", "log.csv"][1:],
             ("--history: a training log describes a model trained elsewhere",)),
        Case("own-compare-pair", "a --compare without LABEL=", logs, "--compare aug.csv",
             lambda d: [(d / "aug.csv").write_text(KERAS_LOG), "--compare", "aug.csv"][1:],
             ("--compare 'aug.csv': no '='; expected LABEL=FILE",)),
        Case("own-images-none", "an images folder with no pictures", pictures, "photos/ holds notes.txt only",
             _pictures("none"), ("photos: no pictures (found: notes.txt)",)),
        Case("own-images-corrupt", "a corrupt picture", pictures, "photos/me.jpg is not a JPEG",
             _pictures("corrupt"), ("photos/me.jpg: cannot read picture",)),
        Case("own-data-unlabelled", "an unlabelled test file as --data", "CSV", "test.csv with id,pixels",
             _unlabelled, ("test.csv line 1: header 'id,pixels' has no labels", "--predict")),
        Case("own-classes", "unknown --classes names", options, "--classes with 'happyness' and 'disguest'",
             lambda d: ["--classes", "neutral,happyness,surprise,sadness,anger,disguest,fear"],
             ("--classes: unknown classes 'happyness' (did you mean 'happiness', read as Happy?) and 'disguest' "
              "(did you mean 'disgust'?); expected the seven FER2013 classes",)),
        Case("own-classes-contempt", "an eighth class", options, "--classes ending in contempt (FER+'s order)",
             lambda d: ["--classes", "neutral,happiness,surprise,sadness,anger,disgust,fear,contempt"],
             ("--classes: unknown class 'contempt' (not one of FER2013's seven classes",)),
        Case("own-normalize", "unknown --normalize", options, "--normalize 0-255",
             lambda d: ["--normalize", "0-255"], ("--normalize: '0-255' is not one of 0-1, mean-std, imagenet",)),
        Case("preset-unknown", "unknown --questions preset", options, "--questions ntu-ml-2019fal-hw3",
             lambda d: ["--questions", "ntu-ml-2019fal-hw3"],
             ("unknown preset 'ntu-ml-2019fal-hw3'; did you mean 'ntu-ml-2019fall-hw3'?",)),
        Case("answers-unknown-number", "an answer for a question the preset lacks", "--answers", "answers/7.md",
             lambda d: [(d / "answers").mkdir(), (d / "answers" / "7.md").write_text("x"), "--questions",
                        "ntu-ml-2019fall-hw3", "--answers", "answers"][2:],
             ("answers/7.md: no question '7' in this preset",)),
        Case("answers-without-preset", "--answers without a preset", "--answers", "--answers answers/ alone",
             lambda d: [(d / "answers").mkdir(), "--answers", "answers"][1:],
             ("--answers: answers are files named by question number",)),
        Case("own-model-fixed-batch", "a model that takes one image only", model, "x.view(1, -1) in forward",
             _model(MODEL.replace("return self.head(self.features(x))",
                                  "return self.head[1](self.features(x).view(1, -1))")),
             ("model.py:FaceNet runs on one image at a time only (a batch of 2: RuntimeError: ",
              "expected a model that takes a batch of images: flatten with x.view(x.size(0), -1)")),
        Case("own-onnx-batch-sum", "an ONNX file whose batch stays fixed", "--model FILE.onnx",
             "exported for 1 image, scores summed over the batch", _onnx_batch_of_one("sum"),
             ("model file model.onnx: runs on one image at a time only (a batch of 2 with its Reshape to a batch of 1 "
              "freed: 2 images gave output of shape (1, 7))", 'dynamic_axes={"input": {0: "batch"}')),
        Case("own-onnx-batch-one", "an ONNX file exported for a batch of 1", "--model FILE.onnx",
             "torch.onnx.export without dynamic_axes", _onnx_batch_of_one("view"),
             ("warning: model.onnx was exported for a batch of 1 (no dynamic_axes): its 1 Reshape to a batch of 1 "
              "now keeps the batch",), code=0),
        Case("own-tta-ten-crop", "a crop TTA with ten-crop training", options, "--ten-crop --tta five-crop",
             lambda d: ["--ten-crop", "--tta", "five-crop"],
             ("--tta five-crop with --ten-crop: a model trained on ten crops is tested on the same ten crops",)),
        Case("own-model-size", "a model that runs at another size", model, "a 44x44-only model, 48x48 data",
             _model(MODEL.replace("width * 12 * 12", "width * 11 * 11")),
             ("does not run on the data's 48x48 images but does on 44x44",), code=0),
    ]
