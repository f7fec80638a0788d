"""Small Keras 3 models of the kinds students saved, random weights, and the three ways of saving them.

Imported only after ``pytest.importorskip("keras")`` (and with KERAS_BACKEND=torch set), so the suite
runs without Keras. Every model gets random weights, BatchNorm moving statistics included: with
Keras's initial 0/1 statistics a missing or misplaced statistic would go unnoticed.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

#: The course's 4-block CNN: (filters, kernel) per Conv-BN-ReLU-MaxPool-Dropout block, then Dense widths.
SEED_BLOCKS, SEED_DENSE = ((32, 3), (64, 5), (64, 3), (32, 3)), (256, 512)


def seed_cnn() -> keras.Model:
    """4 x (Conv2D-BN-ReLU-MaxPool-Dropout), Flatten, 2 x (Dense-BN-ReLU-Dropout), Dense(7, softmax)."""
    model = keras.Sequential([keras.Input((48, 48, 1))], name="seed_cnn")
    for filters, k in SEED_BLOCKS:
        model.add(layers.Conv2D(filters, k, padding="same"))
        model.add(layers.BatchNormalization())
        model.add(layers.Activation("relu"))
        model.add(layers.MaxPooling2D(2))
        model.add(layers.Dropout(0.25))
    model.add(layers.Flatten())
    for width in SEED_DENSE:
        model.add(layers.Dense(width))
        model.add(layers.BatchNormalization())
        model.add(layers.Activation("relu"))
        model.add(layers.Dropout(0.5))
    model.add(layers.Dense(7, activation="softmax"))
    return model


def mini_xception() -> keras.Model:
    """The mini-Xception pattern: separable convs, a strided 1x1 shortcut, Add, depthwise, GAP, softmax."""
    inp = keras.Input((24, 24, 1))
    x = layers.Conv2D(8, 3, use_bias=False)(inp)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    shortcut = layers.BatchNormalization()(layers.Conv2D(16, 1, strides=2, padding="same", use_bias=False)(x))
    y = layers.SeparableConv2D(16, 3, padding="same", use_bias=False)(x)
    y = layers.Activation("relu")(layers.BatchNormalization()(y))
    y = layers.SeparableConv2D(16, 3, padding="same", depth_multiplier=2)(y)
    y = layers.BatchNormalization(center=False)(y)
    y = layers.MaxPooling2D(3, strides=2, padding="same")(y)
    x = layers.Add()([y, shortcut])
    x = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(7, 3, padding="same")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inp, layers.Activation("softmax")(x), name="mini_xception")


def branches() -> keras.Model:
    """A Functional model with two branches joined by Concatenate, on RGB input.

    21x21 so that the "same" average pooling pads symmetrically: on an asymmetric pad Keras-on-torch
    averages replicated edge pixels in, unlike TensorFlow (see test_ops.py)."""
    inp = keras.Input((21, 21, 3))
    a = layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
    b = layers.Conv2D(6, 5, padding="same", activation="relu", dilation_rate=1)(inp)
    x = layers.Concatenate()([a, b])
    x = layers.AveragePooling2D(3, strides=2, padding="same")(x)
    x = layers.SpatialDropout2D(0.2)(x)
    x = layers.Flatten()(x)
    return keras.Model(inp, layers.Dense(7, activation="softmax")(x), name="branches")


def tf_padding() -> keras.Model:
    """Even kernels, stride 2 and "same" on odd sides (TensorFlow's asymmetric padding), dilation, pads."""
    return keras.Sequential([
        keras.Input((17, 17, 1)),
        layers.Conv2D(4, 4, strides=2, padding="same"),
        layers.Conv2D(4, 2, padding="same", activation="tanh"),
        layers.ZeroPadding2D(((1, 0), (2, 1))),
        layers.MaxPooling2D(2, strides=2, padding="same"),
        layers.Conv2D(5, 3, padding="same", dilation_rate=2),
        layers.AveragePooling2D(2, strides=1, padding="same"),
        layers.Cropping2D(((0, 1), (1, 0))),
        layers.Conv2D(6, 3, strides=(2, 1), padding="valid", activation="sigmoid"),
        layers.Flatten(),
        layers.Dense(7),
    ], name="tf_padding")


def preprocessing() -> keras.Model:
    """Rescaling and an adapted Normalization inside the model (raw 0-255 pixels in), at 64x64 RGB."""
    norm = layers.Normalization()
    norm.adapt(np.random.default_rng(0).uniform(0, 1, (8, 64, 64, 3)).astype("float32"))
    return keras.Sequential([
        keras.Input((64, 64, 3)),
        layers.Rescaling(1 / 255.0),
        norm,
        layers.Normalization(mean=0.1, variance=2.0),
        layers.Conv2D(4, 3, strides=2, activation="relu"),
        layers.GlobalMaxPooling2D(),
        layers.Dense(7, activation="softmax"),
    ], name="preprocessing")


def activations() -> keras.Model:
    """The activation layers and strings students used, with their Keras defaults."""
    inp = keras.Input((12, 12, 2))
    x = layers.Conv2D(6, 3)(inp)
    x = layers.LeakyReLU()(x)  # Keras's default slope 0.3
    x = layers.PReLU(shared_axes=[1, 2])(layers.Conv2D(6, 3, activation="selu")(x))
    x = layers.ELU(alpha=0.7)(layers.Conv2D(6, 1, activation="swish")(x))
    x = layers.ReLU(max_value=6.0)(layers.Conv2D(6, 1, activation="gelu")(x))
    x = layers.ReLU(negative_slope=0.1, threshold=0.2)(layers.Conv2D(6, 1, activation="elu")(x))
    x = layers.Activation("softplus")(layers.LeakyReLU(negative_slope=0.1)(x))
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.PReLU()(layers.Dense(8, activation="leaky_relu")(x))
    x = layers.Dense(7, activation="tanh")(x)
    return keras.Model(inp, layers.Softmax()(x), name="activations")


def nested() -> keras.Model:
    """Models used as layers: a Keras 3-era augmentation Sequential (inactive at inference) and a block."""
    augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)], name="augment")
    block = keras.Sequential([keras.Input((12, 12, 4)), layers.Conv2D(4, 3, padding="same"),
                              layers.BatchNormalization()], name="block")
    inp = keras.Input((12, 12, 1))
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(augment(inp))
    x = layers.GlobalAveragePooling2D()(block(x))
    return keras.Model(inp, layers.Dense(7, activation="softmax")(x), name="nested")


BUILDERS = {f.__name__: f for f in (seed_cnn, mini_xception, branches, tf_padding, preprocessing, activations,
                                    nested)}


def randomize(model: keras.Model, seed: int = 0) -> keras.Model:
    """Random weights of a sensible scale; BatchNorm/Normalization statistics random too (variances > 0)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        values = []
        for w in layer.weights:
            name, shape = w.path.rsplit("/", 1)[-1], tuple(w.shape)
            if name in ("moving_variance", "variance", "gamma"):
                values.append(rng.uniform(0.5, 1.5, shape))
            elif name == "count":
                values.append(np.asarray(8.0))
            elif len(shape) > 1:
                values.append(rng.normal(0, 1 / np.sqrt(np.prod(shape[:-1])), shape))
            else:
                values.append(rng.normal(0, 0.3, shape))
        layer.set_weights([np.asarray(v, dtype="float32") for v in values])
    return model


def save_all(model: keras.Model, folder: Path) -> dict[str, tuple[Path, Path | None]]:
    """The model as a .keras zip, a legacy .h5, and to_json + save_weights; name -> (model, weights)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / model.name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(f"{base}.keras")
        model.save(f"{base}.h5")
        model.save_weights(f"{base}.weights.h5")
    Path(f"{base}.json").write_text(model.to_json())
    return {"keras": (Path(f"{base}.keras"), None), "h5": (Path(f"{base}.h5"), None),
            "json": (Path(f"{base}.json"), Path(f"{base}.weights.h5"))}


def keras_output(model: keras.Model, x_nhwc: np.ndarray) -> np.ndarray:
    return keras.ops.convert_to_numpy(model(x_nhwc, training=False))


def images(model: keras.Model, n: int = 4, seed: int = 1, scale: float = 1.0) -> np.ndarray:
    """Random NHWC inputs for the model (scale 255 for a model that rescales inside)."""
    shape = tuple(model.inputs[0].shape[1:])
    return (np.random.default_rng(seed).uniform(0, 1, (n, *shape)) * scale).astype("float32")
