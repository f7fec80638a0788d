"""Cases of tests/e2e/test_bad_input.py for --code KIND=FILE[:PART] (issue 24): the student's own code for a
"paste the code" question, checked before any training."""

from __future__ import annotations

from tests.e2e.cases import writing

TRAIN = '''import torchvision.transforms as T


def get_transforms(train=True):
    return T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])
'''


def _with(*args: str):
    return writing({"train.py": TRAIN}, *args)


def code_cases(Case) -> list:
    fmt = "--code KIND=FILE[:PART]"
    return [
        Case("code-missing-function", "a function the file does not define", fmt, "train.py:get_transform",
             _with("--code", "augmentation=train.py:get_transform"),
             ("--code: train.py: no function or class 'get_transform'; did you mean 'get_transforms'?",)),
        Case("code-range-outside", "a line range outside the file", fmt, "train.py:3-40 of a 5-line file",
             _with("--code", "augmentation=train.py:3-40"), ("train.py:3-40: line range outside the file's 1-5",)),
        Case("code-unknown-kind", "an unknown kind", fmt, "augmentaton=train.py",
             _with("--code", "augmentaton=train.py"), ("--code: unknown kind 'augmentaton'; did you mean "
                                                       "'augmentation'?",)),
        Case("code-missing-file", "a missing file", fmt, "confusion=eval.py (no such file)",
             _with("--code", "confusion=eval.py"), ("--code: eval.py: no such file",)),
    ]
