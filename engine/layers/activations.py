"""Element-wise activation functions (and softmax)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.layers.call import call
from engine.layers.geometry import numel
from engine.layers.lazy_torch import nn
from engine.layers.spec import InferFn, LayerCost, LayerSpec, Param, require


def _same_shape(p: dict, ins: list) -> LayerCost:
    return LayerCost({"out": ins[0]})


def _softmax_infer(p: dict, ins: list) -> LayerCost:
    return LayerCost({"out": ins[0]}, macs=numel(ins[0]))


def _activation(type_id: str, name: str, description: str, glyph: str, module: str,
                args: Callable[[dict], tuple] = lambda p: (), kwargs: Callable[[dict], dict] = lambda p: {},
                from_module: Callable[[Any], dict] = lambda m: {}, params: tuple[Param, ...] = (),
                infer: InferFn = _same_shape, can_die: bool = False) -> LayerSpec:
    """An activation that builds torch.nn's `module` from `args(params)` and `kwargs(params)`."""
    return LayerSpec(type_id=type_id, category="Activation", display_name=name, description=description,
                     params=params, role="activation", can_die=can_die, infer=infer,
                     constructor=lambda p, ins, used: call(getattr(nn, module), *args(p), **kwargs(p)),
                     module_types=(f"torch.nn.{module}",), from_module=from_module,
                     name_prefix=type_id.lower(), glyph=glyph)


def _gelu(m: Any) -> dict:
    require(m.approximate == "none", "GELU with the tanh approximation")
    return {}


def _softmax(m: Any) -> dict:
    require(m.dim == 1, f"softmax over dim={m.dim} (LayerLab's Softmax uses axis 1)")
    return {}


SPECS = (
    _activation("Sigmoid", "Sigmoid (logistic)", "Logistic function 1 / (1 + e^-x): squashes to (0, 1).",
                "σ", "Sigmoid"),
    _activation("Tanh", "Tanh", "Hyperbolic tangent: squashes to (-1, 1), centred on zero.", "th", "Tanh"),
    _activation("ReLU", "ReLU", "Rectified linear unit max(0, x).", "⌐", "ReLU", can_die=True),
    _activation("LeakyReLU", "Leaky ReLU", "max(0, x) + slope * min(0, x): never fully dead.", "⌐'", "LeakyReLU",
                args=lambda p: (p["negative_slope"],),
                from_module=lambda m: {"negative_slope": float(m.negative_slope)},
                params=(Param("negative_slope", "float", 0.01, "Slope for negative inputs.", minimum=0.0,
                              maximum=1.0, summary="slope {}"),)),
    _activation("GELU", "GELU", "Gaussian error linear unit x * Phi(x), a smooth ReLU.", "g", "GELU",
                from_module=_gelu),
    _activation("Identity", "Identity", "Passes its input through unchanged (a linear unit).", "=", "Identity"),
    _activation("Softmax", "Softmax", "Turns scores into probabilities over the first axis (classes or "
                "channels). Not needed before a cross-entropy Output, which applies it itself.", "Σ", "Softmax",
                kwargs=lambda p: {"dim": 1}, from_module=_softmax, infer=_softmax_infer),
)
