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


def _softplus(m: Any) -> dict:
    return {"beta": float(m.beta), "threshold": float(m.threshold)}


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
                kwargs=lambda p: {"approximate": p["approximate"]},
                from_module=lambda m: {"approximate": m.approximate},
                params=(Param("approximate", "choice", "none", "Compute Phi exactly ('none') or with the "
                              "faster tanh formula ('tanh').", choices=("none", "tanh"),
                              summary="{} approximation", summary_unless="none"),)),
    _activation("ReLU6", "ReLU6", "ReLU capped at 6: min(max(0, x), 6), as in MobileNetV2.", "⌐6", "ReLU6",
                can_die=True),
    _activation("SiLU", "SiLU (swish)", "Sigmoid linear unit x * sigmoid(x), as in EfficientNet.", "s",
                "SiLU"),
    _activation("Mish", "Mish", "x * tanh(softplus(x)): a smooth, non-monotonic ReLU.", "m", "Mish"),
    _activation("Hardswish", "Hardswish", "x * ReLU6(x + 3) / 6: a cheap swish, as in MobileNetV3.", "hs",
                "Hardswish"),
    _activation("Hardsigmoid", "Hardsigmoid", "ReLU6(x + 3) / 6: a cheap, piecewise linear sigmoid.", "hσ",
                "Hardsigmoid"),
    _activation("Softplus", "Softplus", "log(1 + e^(beta x)) / beta: a smooth ReLU, linear above the "
                "threshold.", "sp", "Softplus", kwargs=lambda p: {"beta": p["beta"], "threshold": p["threshold"]},
                from_module=_softplus,
                params=(Param("beta", "float", 1.0, "Sharpness: larger is closer to ReLU.", minimum=1e-6,
                              maximum=1e6, summary="beta {}", summary_unless=1.0),
                        Param("threshold", "float", 20.0, "Above beta * x > threshold the output is x.",
                              minimum=0.0, maximum=1e6))),
    _activation("Identity", "Identity", "Passes its input through unchanged (a linear unit).", "=", "Identity"),
    _activation("Softmax", "Softmax", "Turns scores into probabilities over the first axis (classes or "
                "channels). Not needed before a cross-entropy Output, which applies it itself.", "Σ", "Softmax",
                kwargs=lambda p: {"dim": 1}, from_module=_softmax, infer=_softmax_infer),
)
