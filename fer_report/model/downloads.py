"""Pretrained weights that a student's model file downloads while it is built (issue 27).

Fine-tuning tutorials build the backbone with its ImageNet weights in the constructor:
``models.resnext50_32x4d(pretrained=True)``, ``resnet18(weights=ResNet18_Weights.DEFAULT)`` or
``self.load_state_dict(torch.hub.load_state_dict_from_url(URL))``. ``pretrained_downloads`` is the
context the user's file is imported and its model built in:

- ``skip=True`` (``--weights`` given): nothing is downloaded. Every such request returns an empty
  state dict marked ``NotDownloaded``, and ``nn.Module.load_state_dict`` of that marker (or of an
  empty dict, e.g. the marker filtered through a dict comprehension) is skipped, so the model keeps
  its random initial weights, which the student's checkpoint then replaces. Returning a plain ``{}``
  would not do: ``model.load_state_dict({})`` fails on every missing key; building a second model
  to serve its state dict would cost the very memory and time the skip is for.
- ``skip=False`` (the model is trained here): the weights come from ``local`` (``--pretrained FILE``),
  else from torch's hub cache (``torch.hub.get_dir()/checkpoints``), else they are downloaded as
  the file asks; a download that fails raises ``PretrainedUnavailable``, which ``user_model`` turns
  into one line naming the file's line, the weights and how to proceed.

torchvision fetches weights through ``WeightsEnum.get_state_dict`` (the legacy ``pretrained=True``
is mapped to a weights enum before that), which calls the ``load_state_dict_from_url`` torchvision
bound at import; students call ``torch.hub.load_state_dict_from_url`` or its alias
``torch.utils.model_zoo.load_url``. Those are patched while the context is active, and
``torch.hub.download_url_to_file`` too, so that any download still reaching the network reports
its failure in the same line. A name bound to a patched function while the file was imported
(``from torch.hub import load_state_dict_from_url``) keeps working afterwards: outside the context
each patched function calls the original.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import torch
from torch import nn
from torch.nn.modules.module import _IncompatibleKeys

log = logging.getLogger(__name__)

_REAL_HUB_LOAD = torch.hub.load_state_dict_from_url
_REAL_DOWNLOAD = torch.hub.download_url_to_file
_REAL_MODULE_LOAD = nn.Module.load_state_dict
_SAID: set[tuple] = set()  # console lines already said in this process (the model is built more than once)


@dataclass
class Asked:
    """One download the model's file asked for."""

    weights: str  # "resnet18 IMAGENET1K_V1" for a torchvision weights enum, else the URL's file name
    url: str
    cache: str  # where torch keeps the downloaded file (the hub cache, or the model_dir / dst the file gave)
    source: str = ""  # skipped, cache, download or local (--pretrained FILE)


@dataclass
class Downloads:
    """What the model's file asked for while the context was active."""

    skip: bool
    local: Path | None = None
    asked: list[Asked] = field(default_factory=list)

    def ask(self, url: str, weights: str, cache: Path | str) -> Asked:
        for a in self.asked:
            if a.url == url:
                return a
        self.asked.append(Asked(weights=weights, url=url, cache=str(cache)))
        return self.asked[-1]

    def facts(self) -> list[dict[str, str]]:
        """For the run facts (report.json ``run.model.pretrained``)."""
        return [asdict(a) for a in self.asked]


class NotDownloaded(dict):
    """The state dict a skipped download returns: empty, and marked so that loading it is skipped."""

    def __init__(self, asked: Asked) -> None:
        super().__init__()
        self.asked = asked

    def __delitem__(self, key: Any) -> None:  # `del state["fc.weight"]` before loading: nothing to delete
        pass


class PretrainedUnavailable(Exception):
    """The model's file asks for weights that are neither at hand nor downloadable here."""

    def __init__(self, asked: Asked, reason: BaseException, *, weights_given: bool) -> None:
        self.asked, self.weights_given = asked, weights_given
        lines = str(reason).strip().splitlines()
        why = f"{type(reason).__name__}: {lines[0][:160] if lines else ''}"
        cache = _shown(asked.cache)
        if weights_given:  # only a download fer-report cannot skip (download_url_to_file called directly)
            text = (f"downloads {asked.url} with torch.hub.download_url_to_file, which fer-report cannot skip, and it "
                    f"cannot be downloaded here ({why}); put that file at {cache}")
        else:
            folder = Path(asked.cache).parent
            place = "torch's hub cache" if folder == Path(torch.hub.get_dir()) / "checkpoints" else f"{_shown(folder)}/"
            text = (f"asks for pretrained weights ({asked.weights}), which are not in {place} and cannot be "
                    f"downloaded here ({why}); give your trained model's checkpoint with --weights FILE (nothing is "
                    f"downloaded then), or put {asked.url} at {cache}, or give a copy of it with --pretrained FILE")
        super().__init__(text)


_ACTIVE: Downloads | None = None


@contextmanager
def pretrained_downloads(*, skip: bool, local: str | Path | None = None) -> Iterator[Downloads]:
    """Import the user's file and build their model inside this: see the module's docstring."""
    global _ACTIVE
    record = Downloads(skip=skip, local=Path(local) if local else None)
    patches = [(torch.hub, "load_state_dict_from_url", _hub_load), (torch.hub, "download_url_to_file", _hub_download),
               (nn.Module, "load_state_dict", _module_load_state_dict)]
    import torch.utils.model_zoo as model_zoo

    patches.append((model_zoo, "load_url", _hub_load))
    try:
        import torchvision._internally_replaced_utils as tv_utils
        from torchvision.models._api import WeightsEnum
    except ImportError:  # pragma: no cover - torchvision is a dependency
        pass
    else:
        patches += [(WeightsEnum, "get_state_dict", _weights_get_state_dict),
                    (tv_utils, "load_state_dict_from_url", _hub_load)]
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    outer, _ACTIVE = _ACTIVE, record
    for owner, name, patched in patches:
        setattr(owner, name, patched)
    try:
        with warnings.catch_warnings():  # torchvision's "'pretrained' is deprecated": the student's style, not ours
            warnings.filterwarnings("ignore", message=r"The parameter '\w+' is deprecated", category=UserWarning)
            warnings.filterwarnings("ignore", message=r"Arguments other than a weight enum", category=UserWarning)
            yield record
    finally:
        _ACTIVE = outer
        for owner, name, original in saved:
            setattr(owner, name, original)


def _hub_load(url: str, model_dir: str | None = None, map_location=None, progress: bool = True,
              check_hash: bool = False, file_name: str | None = None, weights_only: bool = False) -> Any:
    def load() -> Any:
        return _REAL_HUB_LOAD(url, model_dir, map_location, progress, check_hash, file_name, weights_only)

    record = _ACTIVE
    if record is None:
        return load()
    name = file_name or _file_name(url)
    return _fetch(record, record.ask(url, name, _cache_dir(model_dir) / name), load)


def _weights_get_state_dict(self, *args: Any, **kwargs: Any) -> Any:
    from torchvision.models._api import load_state_dict_from_url

    def load() -> Any:
        return load_state_dict_from_url(self.url, *args, **kwargs)

    record = _ACTIVE
    if record is None:
        return load()
    builder = re.sub(r"_?(Quantized)?Weights$", "", type(self).__name__).lower()  # ResNet18_Weights -> resnet18
    cache = _cache_dir(kwargs.get("model_dir")) / (kwargs.get("file_name") or _file_name(self.url))
    return _fetch(record, record.ask(self.url, f"{builder} {self.name}", cache), load)


def _fetch(record: Downloads, asked: Asked, load) -> Any:
    if record.skip:
        asked.source = "skipped"
        return NotDownloaded(asked)
    if record.local is not None:
        from fer_report.model.checkpoints import load_tensors

        asked.source = "local"
        return load_tensors(record.local, "--pretrained file")
    asked.source = "cache" if Path(asked.cache).is_file() else "download"
    return load()  # from the cache, else through _hub_download, which names a failed download


def _hub_download(url: str, dst: str, hash_prefix: str | None = None, progress: bool = True) -> None:
    record = _ACTIVE
    if record is None:
        return _REAL_DOWNLOAD(url, dst, hash_prefix, progress)
    asked = record.ask(url, _file_name(url), dst)
    try:
        _REAL_DOWNLOAD(url, dst, hash_prefix, progress)
    except OSError as exc:  # URLError, HTTPError, no name resolution, refused, timed out
        raise PretrainedUnavailable(asked, exc, weights_given=record.skip) from None
    asked.source = "download"


def _module_load_state_dict(self: nn.Module, state_dict: Mapping[str, Any], *args: Any, **kwargs: Any):
    record = _ACTIVE
    if record is not None and record.skip and isinstance(state_dict, Mapping) and not state_dict and (
            isinstance(state_dict, NotDownloaded) or any(a.source == "skipped" for a in record.asked)):
        return _IncompatibleKeys([], [])  # the download was skipped: keep the initial weights
    return _REAL_MODULE_LOAD(self, state_dict, *args, **kwargs)


def _cache_dir(model_dir: str | None) -> Path:
    return Path(model_dir) if model_dir else Path(torch.hub.get_dir()) / "checkpoints"


def _file_name(url: str) -> str:
    return os.path.basename(urlparse(url).path) or url


def _shown(path: str | Path) -> str:
    """A path as the user would type it: relative to the working folder, or under ~."""
    p = Path(path)
    if not p.is_absolute():
        return str(p)
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(p.relative_to(base))
        except ValueError:
            continue
    return str(p)


def names(pretrained: list[dict[str, str]]) -> str:
    return ", ".join(a["weights"] for a in pretrained)


def announce(pretrained: list[dict[str, str]], model: str, *, weights: str | None, local: str | None) -> None:
    """The console line, once per process for the same model and request (the model is built several times):
    with ``--weights``, said once the checkpoint has loaded (a checkpoint that does not fit says so instead)."""
    file = model.rpartition(":")[0] or model
    key = (model, weights, local, tuple(a["url"] for a in pretrained))
    if key in _SAID:
        return
    _SAID.add(key)
    skipped = [a["weights"] for a in pretrained if a["source"] == "skipped"]
    if skipped:
        log.warning("warning: %s asks for pretrained weights (%s); they were not downloaded: your checkpoint (%s) "
                    "replaces them", file, ", ".join(skipped), weights)
    elif local and weights is None and not pretrained:
        log.warning("warning: --pretrained %s: %s asks for no pretrained weights, so the file is not used", local, file)
    for a in pretrained:
        if a["source"] in ("cache", "local", "download"):
            where = {"cache": f"from {_shown(a['cache'])}", "local": f"from --pretrained {local}",
                     "download": f"downloaded to {_shown(a['cache'])}"}[a["source"]]
            log.info("%s: pretrained weights %s %s", file, a["weights"], where)


def missing_hint(pretrained: list[dict[str, str]], model: str) -> str:
    """Appended to the weights file's missing-keys line when the backbone's download was skipped."""
    skipped = [a for a in pretrained if a.get("source") == "skipped"]
    if not skipped:
        return ""
    file = model.rpartition(":")[0] or model
    return (f"; {file} builds its backbone with pretrained weights ({', '.join(a['weights'] for a in skipped)}), "
            "which were not downloaded, so the checkpoint must hold every parameter: save the whole model's "
            "state_dict (torch.save(model.state_dict(), path))")


def failure_hint() -> str:
    """Appended to a constructor's exception while the context is active: what the downloads returned."""
    record = _ACTIVE
    if record is None:
        return ""
    skipped = [a.weights for a in record.asked if a.source == "skipped"]
    if skipped:
        return (f"; it ran with the pretrained weights it asks for ({', '.join(skipped)}) not downloaded, since "
                "--weights replaces them: an empty state dict stood in for them")
    if record.local is not None and any(a.source == "local" for a in record.asked):
        return f"; the pretrained weights it loaded are those of --pretrained {record.local}"
    return ""


def header_line(pretrained: list[dict[str, str]], text) -> str:
    """The report header's line (``text`` is the report's ``i18n.Text``)."""
    if all(a["source"] == "skipped" for a in pretrained):
        return text("report.pretrained_skipped", weights=names(pretrained))
    items = [f"{a['weights']} ({text('report.pretrained_from.' + a['source'])})" if a["source"] != "skipped"
             else a["weights"] for a in pretrained]
    return text("report.pretrained_loaded", weights=", ".join(items))
