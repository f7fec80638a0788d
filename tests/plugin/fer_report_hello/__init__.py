"""A third-party section as a package would ship it (tests/e2e/test_plugin.py installs it on a path):
its own artefact, requirement, strings in both languages, question heading and template."""

from __future__ import annotations

from pathlib import Path

from fer_report.report.artifacts import artefact
from fer_report.report.requirements import Requirement
from fer_report.report.section import Result, Section


@artefact("pixel_mean", "mean grey level of the training images")
def pixel_mean(artefacts) -> float:
    return float(artefacts.get("dataset").train.x.mean())


def _embedded_faces(artefacts):
    return None if artefacts.get("settings").data is None else ("hello.not_embedded", {})


def run(pixel_mean, dataset, text) -> Result:
    n = len(dataset.train)
    return Result(numbers={"mean": pixel_mean, "n": n}, text=[text("hello.mean", n=n, mean=pixel_mean)])


section = Section(
    name="hello", order=95, run=run, summary="mean grey level of the training faces (a plugin)",
    question={"en": "What is the mean grey level of the training faces?", "zh-TW": "訓練影像的平均灰階是多少？"},
    strings={"en": {"hello.mean": "The {n} training faces have a mean grey level of {mean:.1f}.",
                    "hello.not_embedded": "this section only looks at the embedded faces.",
                    "hello.label": "Mean grey"},
             "zh-TW": {"hello.mean": "{n} 張訓練影像的平均灰階為 {mean:.1f}。",
                       "hello.not_embedded": "本題只分析內建的合成人臉。",
                       "hello.label": "平均灰階"}},
    requires=(Requirement("embedded faces", _embedded_faces),),
    template=Path(__file__).with_name("hello.html.j2"),
)
