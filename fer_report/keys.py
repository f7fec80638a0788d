"""How settings that name files or models enter the cache keys: by what they hold, never by their path, so a
moved file keeps its cache and an edited one is never served stale results. Each is named in its option's
declaration (``fer_report.config``: ``key=keys.model_key``)."""

from __future__ import annotations

import hashlib

def model_key(s: "Settings") -> str:
    """A built-in by name; the user's model by the content of its file (and arguments), never by its path."""
    from fer_report.model.network import kind_of

    kind = kind_of(s.model)
    if kind == "python":
        from fer_report.model.user_model import model_file_hash

        return "python:" + model_file_hash(s.model, s.model_args)
    if kind in ("file", "keras"):  # a Keras save_weights file enters through weights_key
        from fer_report.hashing import file_sha256

        return f"{kind}:" + file_sha256(s.model)
    return s.model


def dnn_model_key(s: "Settings") -> str | None:
    """The student's DNN (--dnn-model) as model_key takes a model: by content, never by path."""
    from dataclasses import replace

    return model_key(replace(s, model=s.dnn_model, model_args={})) if s.dnn_model else None


def match_key(s: "Settings") -> str | None:
    return s.match if s.model == "dnn" else None


def weights_key(s: "Settings") -> str | None:
    from fer_report.hashing import file_sha256

    return file_sha256(s.weights) if s.weights else None


def file_key(name: str):
    """A path setting enters the result-cache key by its content (a file, or every file of a folder)."""
    def key(s: "Settings") -> str | None:
        from fer_report.hashing import path_sha256

        value = getattr(s, name)
        return path_sha256(value) if value else None
    return key


def compare_key(s: "Settings") -> dict[str, str]:
    from fer_report.hashing import path_sha256

    return {label: path_sha256(path) for label, path in s.compare.items()}


def code_key(s: "Settings") -> dict[str, str]:
    """Each ``--code`` part by the text it names, so an edited function is shown fresh."""
    from fer_report.report.student_code import read

    return {kind: hashlib.sha256(read(ref).code.encode()).hexdigest() for kind, ref in s.code.items()}


def pretrained_key(s: "Settings") -> str | None:
    from fer_report.hashing import file_sha256

    return file_sha256(s.pretrained) if s.pretrained else None


def device_key(s: "Settings") -> str:
    from fer_report.model.inference import resolve_device

    return resolve_device(s.device).type  # "auto" means another device on a GPU machine
