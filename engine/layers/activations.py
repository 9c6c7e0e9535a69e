"""Element-wise activation functions (and softmax)."""

from __future__ import annotations

from typing import Callable

from engine.layers.geometry import numel
from engine.layers.lazy_torch import nn
from engine.layers.spec import LayerCost, LayerSpec, Param


def _same_shape(p: dict, ins: list) -> LayerCost:
    return LayerCost({"out": ins[0]})


def _activation(type_id: str, name: str, description: str, build: Callable[[dict], nn.Module],
                glyph: str, params: tuple[Param, ...] = ()) -> LayerSpec:
    return LayerSpec(type_id=type_id, category="Activation", display_name=name, description=description,
                     params=params, infer=_same_shape, build=lambda p, ins, used: build(p),
                     name_prefix=type_id.lower(), glyph=glyph)


def _softmax_infer(p: dict, ins: list) -> LayerCost:
    return LayerCost({"out": ins[0]}, macs=numel(ins[0]))


SPECS = (
    _activation("Sigmoid", "Sigmoid (logistic)", "Logistic function 1 / (1 + e^-x): squashes to (0, 1).",
                lambda p: nn.Sigmoid(), "σ"),
    _activation("Tanh", "Tanh", "Hyperbolic tangent: squashes to (-1, 1), centred on zero.",
                lambda p: nn.Tanh(), "th"),
    _activation("ReLU", "ReLU", "Rectified linear unit max(0, x).", lambda p: nn.ReLU(), "⌐"),
    _activation("LeakyReLU", "Leaky ReLU", "max(0, x) + slope * min(0, x): never fully dead.",
                lambda p: nn.LeakyReLU(p["negative_slope"]), "⌐'",
                (Param("negative_slope", "float", 0.01, "Slope for negative inputs.", minimum=0.0, maximum=1.0),)),
    _activation("GELU", "GELU", "Gaussian error linear unit x * Phi(x), a smooth ReLU.", lambda p: nn.GELU(), "g"),
    _activation("Identity", "Identity", "Passes its input through unchanged (a linear unit).",
                lambda p: nn.Identity(), "="),
    LayerSpec(type_id="Softmax", category="Activation", display_name="Softmax",
              description="Turns scores into probabilities over the first axis (classes or channels). "
                          "Not needed before a cross-entropy Output, which applies it itself.",
              infer=_softmax_infer, build=lambda p, ins, used: nn.Softmax(dim=1),
              name_prefix="softmax", glyph="Σ"),
)
