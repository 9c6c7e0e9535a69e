"""Input and Output: where data enters the network and where the prediction (and loss) is."""

from __future__ import annotations

import math

from engine.errors import ShapeError
from engine.layers.call import call
from engine.layers.lazy_torch import nn
from engine.layers.spec import LayerCost, LayerSpec, Param

LOSSES = ("cross_entropy", "mse", "mse_onehot", "bce")

MAX_SAMPLE_VALUES = 2**31 - 1
"""The most values one sample may have (8 GiB of float32): more is a typo, not a dataset."""


def _input_infer(p: dict, ins: list) -> LayerCost:
    if any(size < 1 for size in p["shape"]):
        raise ShapeError(f"its shape {list(p['shape'])} must have sizes of at least 1 (-1, 'infer this "
                         "size', works only in a Reshape); set every size of one sample")
    if math.prod(p["shape"]) > MAX_SAMPLE_VALUES:
        raise ShapeError(f"its shape {list(p['shape'])} makes one sample of {math.prod(p['shape']):,} values, "
                         f"more than the {MAX_SAMPLE_VALUES:,} LayerLab can hold; check the sizes")
    return LayerCost({"out": p["shape"]})


INPUT = LayerSpec(
    type_id="Input",
    category="Input / Output",
    display_name="Input",
    description="Where samples enter the network; its shape comes from the dataset or is set by hand.",
    params=(Param("shape", "shape", (1, 28, 28),
                  "Size of one sample without the batch axis, e.g. [1, 28, 28] for MNIST or [2] "
                  "for 2-D points. Set automatically when a dataset is chosen.", summary="{}"),),
    inputs=(),
    role="input",
    infer=_input_infer,
    constructor=lambda p, ins, used: call(nn.Identity),
    name_prefix="input",
    glyph="▶",
)

OUTPUT = LayerSpec(
    type_id="Output",
    category="Input / Output",
    display_name="Output",
    description="Marks the prediction and chooses the loss the network is trained with.",
    params=(
        Param("loss", "choice", "cross_entropy",
              "cross_entropy: softmax cross-entropy on raw scores (logits). mse: mean squared "
              "error against targets (regression, reconstruction). mse_onehot: squared error "
              "against one-hot labels (the 'square loss' for classification). bce: binary "
              "cross-entropy on logits.", choices=LOSSES, summary="{}"),
        Param("label_smoothing", "float", 0.0,
              "Cross-entropy only: share of the target probability spread over all classes.",
              minimum=0.0, maximum=0.99),
    ),
    role="output",
    infer=lambda p, ins: LayerCost({"out": ins[0]}),
    constructor=lambda p, ins, used: call(nn.Identity),
    outputs=(),
    name_prefix="output",
    glyph="◉",
)

SPECS = (INPUT, OUTPUT)
