"""Settings: built-in defaults, then a recipe, then a TOML file, then command-line flags, each
overriding the last. Every setting is declared once below (``option``): its flag, help, checks and
which cache keys it enters all come from that declaration (``fer_report.options``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fer_report import keys, options, toml_file
from fer_report.options import option

LANGS = ("en", "zh-TW")
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b", "none")
DEVICES = ("auto", "cpu", "cuda")
OPTIMIZERS = ("adam", "sgd")
AUGMENT_POLICIES = ("light", "strong", "flip")  # see fer_report/data/augment.py
# On real faces a flip alone beat the light policy (bench/results/accuracy.json: 51.5 % vs 48.2 % PrivateTest at
# 20 epochs, 2 and 3 seeds; equal at 50 with higher macro-F1); the embedded synthetic faces keep light.
REAL_FACES_POLICY = "flip"
SCHEDULES = ("cosine", "plateau")
ABLATIONS = ("dnn",)  # extra runs for the augmentation section (each one more training)
SYNTHETIC_SIZES = ("default", "small", "tiny")
BALANCES = ("none", "weights", "sampler")
TTAS = ("none", "flip", "five-crop", "ten-crop")  # see fer_report/model/inference.py (Views)


@dataclass
class Author:
    """What a course report carries in its header (學號 / 系級 / 姓名)."""

    student_id: str = ""
    department: str = ""
    name: str = ""
    collaborators: str = ""  # fills the "(Collaborators: )" field of the course years that ask for it


def _code_pairs(items: list[str]) -> dict[str, str]:
    from fer_report.report.student_code import parse_code_options

    return parse_code_options(items)


def _compare_pairs(items: list[str]) -> dict[str, str]:
    from fer_report.logs import parse_compare

    return parse_compare(items)


@dataclass
class Settings:
    data: str | None = option(None, affects="results", group="data", metavar="PATH", help=(
        "Kaggle FER2013 CSV (emotion,pixels,Usage), course CSV (label,feature), .csv.gz/.zip of either, or a "
        "folder with one sub-folder per class; default: embedded synthetic faces"))
    model: str = option("cnn4", affects="training", group="data", metavar="NAME", key_always=True,
                        key=keys.model_key,
                        help="a built-in (cnn4, cnn3, resnet18, vgg, dnn; see `fer-report list`), your own class "
                             "or function in a file (model.py:FaceExpressionNet), a whole saved model "
                             "(TorchScript .pt, ONNX .onnx), or a Keras model (.h5, .keras, or a to_json "
                             ".json with --weights)")
    model_args: dict = option(factory=dict, affects="training", group="data", metavar="JSON",
                              help="constructor arguments of your model, e.g. '{\"num_classes\": 7}' "
                                   "(TOML: [model_args])")
    match: str = option("cnn4", affects="training", group="data", metavar="NAME", key_always=True,
                        key=keys.match_key,
                        help="for --model dnn: the CNN whose parameter count it matches")
    weights: str | None = option(None, affects="training", group="data", metavar="FILE", key_always=True,
                                 key=keys.weights_key, path="file", help=(
        "your trained weights (a state dict or a checkpoint holding one, .pth/.pt/.safetensors): the report "
        "evaluates the model as given and trains nothing; for a Keras model.json, its save_weights .h5"))
    trust_pickle: bool = option(False, affects="nothing", group="data", help=(
        "load a checkpoint or model that holds pickled Python objects (torch.save(model)); this runs code from "
        "the file: only for files you made yourself"))
    input_size: int | None = option(None, affects="training", group="data", metavar="N", minimum=8, help=(
        "the side your model takes; images are resized to it (default: the data's, or the size your model "
        "runs at)"))
    normalize: str | None = option(None, affects="training", group="data", metavar="HOW", help=(
        "input normalisation: 0-1 (x/255, torchvision's ToTensor; default for your own model), mean-std "
        "(fitted on the training split; default for the built-ins), imagenet, none (raw 0..255; default for a "
        "Keras model that starts with a Rescaling layer), or MEAN,STD (e.g. 0.5,0.5)"))
    classes: list[str] | None = option(None, affects="training", group="data", metavar="A,B,...", help=(
        "the order of your model's outputs when it is not FER2013's (Angry,Disgust,Fear,Happy,Sad,Surprise,"
        "Neutral), e.g. ImageFolder's angry,disgust,fear,happy,neutral,sad,surprise"))
    history: str | None = option(None, affects="results", group="data", metavar="FILE", key=keys.file_key("history"),
                                 help=(
        "your training log, for the history section when the model comes trained: a Keras CSVLogger CSV or "
        "history JSON, Lightning's metrics.csv, a CSV with epoch/loss/acc/val_loss/val_acc columns, or a "
        "TensorBoard log folder"))
    history_tags: str | None = option(None, affects="results", group="data", metavar="KEY=TAG,...", help=(
        "names of unusual columns or tags in your log, e.g. train_loss=Loss/train,val_acc=eval/top1"))
    compare: dict[str, str] = option(factory=dict, affects="results", group="data", metavar="LABEL=FILE",
                                     repeat=True, parse=_compare_pairs, key=keys.compare_key, help=(
        "one of your own runs (a training log) for the comparison section, e.g. 'with augmentation=aug.csv' "
        "and 'without augmentation=plain.csv' (TOML: [compare])"))
    code: dict[str, str] = option(factory=dict, affects="results", group="data", metavar="KIND=FILE[:PART]",
                                  repeat=True, parse=_code_pairs, key=keys.code_key, help=(
        "your own code for a 'paste the code' question, shown in place of ours: KIND is augmentation, confusion "
        "or model; PART a function or class (Class.method) or a line range START-END, e.g. "
        "augmentation=train.py:get_transforms (TOML: [code])"))
    dnn_model: str | None = option(None, affects="results", group="data", metavar="FILE.py:NAME", key=keys.dnn_model_key,
                                   help="your own DNN for the dnn section, compared beside your CNN (default: ours, sized to yours)")
    dnn_weights: str | None = option(None, affects="results", group="data", metavar="FILE", path="file", key=keys.file_key(
        "dnn_weights"), help="the trained weights of --dnn-model (without them its class is trained here, our recipe)")
    dnn_history: str | None = option(None, affects="results", group="data", metavar="FILE", key=keys.file_key(
        "dnn_history"), help="the training log of --dnn-model, in any format --history reads")
    images: str | None = option(None, affects="results", group="data", metavar="DIR", path="dir", help=(
        "your own pictures (PNG/JPEG, any size, colour or grey) to predict and explain in the saliency, "
        "Grad-CAM and LIME sections; they are resized to the model's input, so crop each to the face"))
    predict: str | None = option(None, affects="nothing", group="data", metavar="FILE", path="file", help=(
        "an unlabelled test file (pixels or id,pixels / id,feature): writes OUT/submission.csv (id,label) from "
        "the model's predictions, as the course's Kaggle takes it"))
    pretrained: str | None = option(None, affects="training", group="data", metavar="FILE", path="file",
                                    key=keys.pretrained_key,
                                    help="for resnet18: a local torchvision ImageNet state dict to start training "
                                         "from; for a model file whose constructor downloads pretrained weights: a "
                                         "local copy of them")
    epochs: int = option(10, affects="training", group="training", metavar="N", key_always=True, minimum=1,
                         help="training epochs")
    batch_size: int = option(64, affects="training", group="training", metavar="N", key_always=True, minimum=2,
                             help="batch size")
    lr: float = option(2e-3, affects="training", group="training", metavar="LR", key_always=True, positive=True,
                       help="learning rate (cosine schedule)")
    optimizer: str = option("adam", affects="training", group="training", choices=OPTIMIZERS, key_always=True,
                            help="adam or sgd (Nesterov momentum 0.9)")
    augment: bool = option(True, affects="training", group="training", flag="--no-augment", key_always=True,
                           help="train without flip/rotation/shift/scale augmentation")
    augment_policy: str = option("light", affects="training", group="training", choices=AUGMENT_POLICIES, help=(
        "light (flip, rotation, shift, zoom), strong (random resized crop, shift, flip, rotation, random erasing) "
        "or flip (a horizontal flip only); default: light on the embedded synthetic faces, flip with --data "
        "(measured better on real faces: bench/results/accuracy.json)"))
    ten_crop: bool = option(False, affects="training", group="training",
                            help="train on the ten crops of each image and average them at test time")
    schedule: str = option("cosine", affects="training", group="training", choices=SCHEDULES,
                           help="cosine, or plateau (lr x0.75 after 5 epochs without a better val_acc)")
    label_smoothing: float = option(0.0, affects="training", group="training", metavar="EPS", minimum=0.0,
                                    help="label smoothing of the cross-entropy (0 = off)")
    mixup: float = option(0.0, affects="training", group="training", metavar="ALPHA", minimum=0.0,
                          help="mixup of training batches, Beta(ALPHA, ALPHA) weights (0 = off)")
    cutmix: float = option(0.0, affects="training", group="training", metavar="ALPHA", minimum=0.0,
                           help="CutMix of training batches, Beta(ALPHA, ALPHA) areas (0 = off)")
    balance: str = option("none", affects="training", group="training", choices=BALANCES, help=(
        "class imbalance (Disgust is 1.5 %% of FER2013): none, weights (inverse-frequency loss weights) or "
        "sampler (batches drawn class-balanced)"))
    warmup_epochs: int = option(0, affects="training", group="training", metavar="N", minimum=0,
                                help="epochs of linear learning-rate warm-up before the schedule")
    weight_decay: float | None = option(None, affects="training", group="training", metavar="WD", minimum=0.0,
                                        help="weight decay (default: 0 for adam, 1e-4 for sgd)")
    tta: str = option("none", affects="training", group="training", choices=TTAS, help=(
        "test-time augmentation for validation and test predictions: none, flip (the mean of each image and its "
        "mirror), five-crop or ten-crop (the mean over torchvision's FiveCrop / TenCrop crops, at the side the "
        "model takes: --input-size 44 on 48x48 faces gives 44x44 crops); the header gives the single-image "
        "accuracy beside it"))
    compile: bool = option(False, affects="nothing", group="training",
                           help="torch.compile the training step (CUDA; speed only)")
    device: str = option("auto", affects="training", group="training", choices=DEVICES, key_always=True,
                         key=keys.device_key, help="where to train and explain (auto: cuda if present)")
    seed: int = option(0, affects="training", group="training", metavar="N", key_always=True,
                       help="seed for data generation, splits and training")
    synthetic_size: str = option("default", affects="results", group="training", choices=SYNTHETIC_SIZES,
                                 help="size of the embedded synthetic dataset")
    ablations: list[str] = option(factory=list, affects="results", group="training", choices=ABLATIONS,
                                  help="extra runs compared in the augmentation section, each one more training: "
                                       "dnn (a fully connected net with the CNN's parameter count)")
    layer: str | None = option(None, affects="results", metavar="NAME", help=(
        "conv layer (dotted module name, see the architecture table) for the filter and Grad-CAM sections; "
        "default: each section's own choice"))
    budget: float = option(30.0, affects="results", metavar="SECONDS", positive=True, help=(
        "seconds of model evaluations each explanation section (saliency, filters, LIME, Grad-CAM, methods) may "
        "spend: the cost of one evaluation is measured on your model, and a section whose full image, sample "
        "or step counts would take longer uses fewer, never below its stated minimum; the report says what it "
        "used"))
    export_course_figures: str | None = option(None, affects="results", metavar="DIR", help=(
        "also write the course's file names (fig1_0..6.jpg saliency, fig2_1.jpg/fig2_2.jpg filters, "
        "fig3_0..6.jpg LIME) into DIR"))
    lang: str = option("en", affects="results", choices=LANGS, help="report language")
    pdf_variant: str = option("pdf/ua-1", affects="nothing", choices=PDF_VARIANTS, help=(
        "the PDF's standard: pdf/ua-1 (tagged for screen readers, with title, language and each figure's "
        "alt text: the default), pdf/a-3b (archival), or none"))
    out: str = option("build", affects="nothing", metavar="DIR", help="output folder")
    cache: str | None = option(None, affects="nothing", metavar="DIR", help="artefact cache (default OUT/cache)")
    templates: str | None = option(None, affects="nothing", metavar="DIR", path="dir", help=(
        "folder of Jinja2 templates overriding the built-in ones by name (e.g. report.html.j2, print.css, "
        "sections/confusion.html.j2); rendered in a sandbox"))
    keep_going: bool = option(False, affects="nothing", help="write the report even if a section fails (marked failed)")
    title: str | None = option(None, affects="nothing", metavar="TEXT", help="the report's title")
    preset: str | None = option(None, affects="nothing", flag="--questions", metavar="PRESET", help=(
        "the question set of your course year, word for word, in its order, with weights (TOML: questions = "
        "\"PRESET\"; `fer-report list` shows them), e.g. ntu-ml-2019fall-hw3"))
    answers: str | None = option(None, affects="nothing", metavar="DIR", path="dir", help=(
        "a folder of your own discussion, one Markdown file per question number of the preset (3.md, 6-2.md), "
        "shown under each question"))
    sections: list[str] | None = option(None, affects="nothing", flag="",
                                        help="sections to build (build --sections A,B); default every section")
    author: Author = option(factory=Author, affects="nothing", flag="",
                            help="[author] student_id, department, name: the report header")
    questions: dict[str, str] = option(factory=dict, affects="nothing", flag="",
                                       help="[questions] section name -> question heading")

    @property
    def cache_dir(self) -> Path:
        return Path(self.cache) if self.cache else Path(self.out) / "cache"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def load_settings(config_file: str | Path | None, overrides: dict[str, Any], *, recipe: str | None = None,
                  cls: type = Settings) -> Settings:
    """Defaults < ``recipe`` < ``config_file`` < ``overrides`` (flags the user actually gave; None means not given)."""
    values: dict[str, Any] = {}
    lines: dict[str, str] = {}
    if recipe is not None:
        recipe_path = toml_file.recipe_file(recipe)
        values.update(toml_file.read_toml(recipe_path, cls))
        lines = {k: f"recipe {recipe} ({recipe_path})" for k in values}
    if config_file is not None:
        from_file = toml_file.read_toml(Path(config_file), cls)
        values.update(from_file)
        text = Path(config_file).read_text(encoding="utf-8")
        lines.update({k: f"{config_file}{toml_file.line_of(text, k)}" for k in from_file})
    flags = {k: v for k, v in overrides.items() if v is not None}
    values.update(flags)
    if values.get("data") is not None and "augment_policy" not in values:
        values["augment_policy"] = REAL_FACES_POLICY
    author = Author(**values.pop("author", {}))
    settings = cls(author=author, **values)

    def source(key: str) -> str:
        """Where a value was set, for the message: the flag, or the config file and its line."""
        if key in flags or key not in lines:
            return f"--{key.replace('_', '-')}"
        return lines[key]

    options.validate(settings, source)
    from fer_report.checks import check_models

    check_models(settings, source)
    return settings
