"""Normalization (batch norm, layer norm) and regularization (dropout) layers."""

from __future__ import annotations

from typing import Any

from engine.layers.call import Call, call
from engine.layers.geometry import numel, require_image, require_rank
from engine.layers.lazy_torch import modules, nn
from engine.layers.spec import LayerCost, LayerSpec, Param, require

_MOMENTUM = Param("momentum", "float", 0.1, "Weight of each batch in the running mean/variance used in eval mode.",
                  minimum=0.0, maximum=1.0)
_EPS = Param("eps", "float", 1e-5, "Small constant added to the variance.", minimum=1e-12, maximum=1.0)


def _bn1d_infer(p: dict, ins: list) -> LayerCost:
    require_rank(ins[0], (1, 2), "features or channels x length", "use BatchNorm2d for images")
    return LayerCost({"out": ins[0]}, params=2 * ins[0][0], macs=numel(ins[0]))


def _bn2d_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    return LayerCost({"out": ins[0]}, params=2 * ins[0][0], macs=numel(ins[0]))


def _ln_infer(p: dict, ins: list) -> LayerCost:
    normalized = ins[0][-1] if p.get("over") == "last_axis" else numel(ins[0])
    return LayerCost({"out": ins[0]}, params=2 * normalized if p["affine"] else 0, macs=numel(ins[0]))


def _ln2d_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    return LayerCost({"out": ins[0]}, params=2 * ins[0][0], macs=numel(ins[0]))


def _scale_infer(p: dict, ins: list) -> LayerCost:
    return LayerCost({"out": ins[0]}, params=ins[0][0], macs=numel(ins[0]))


def _scale_shape(shape: tuple) -> tuple:
    return (shape[0],) + (1,) * (len(shape) - 1)


def _layer_norm_over(m: Any, ins: list) -> dict:
    """The whole sample, or (a torch LayerNorm of one size on an input of more axes) its last axis."""
    return {"over": "last_axis" if len(m.normalized_shape) == 1 and len(ins[0]) > 1 else "sample"}


def _layer_norm2d_params(m: Any) -> dict:
    require(m.elementwise_affine and getattr(m, "bias", None) is not None,
            "a channels layer norm without a learned scale and shift")
    return {"eps": float(m.eps)}


def _dropout_infer(p: dict, ins: list) -> LayerCost:
    return LayerCost({"out": ins[0]})


def _batch_norm(p: dict, ins: list, module: Any) -> Call:
    return call(module, ins[0][0], eps=p["eps"], momentum=p["momentum"])


def _batch_norm_params(m: Any) -> dict:
    require(m.affine and m.track_running_stats, "batch norm without affine weights or running statistics")
    require(m.momentum is not None, "batch norm with a cumulative average (momentum=None)")
    return {"momentum": float(m.momentum), "eps": float(m.eps)}


def _layer_norm_params(m: Any) -> dict:
    """eps and affine; the normalized shape is the whole input's (import checks it against the input)."""
    require(not m.elementwise_affine or getattr(m, "bias", None) is not None,
            "layer norm with a scale but no shift (bias=False)")
    return {"eps": float(m.eps), "affine": m.elementwise_affine}


SPECS = (
    LayerSpec(type_id="BatchNorm1d", category="Normalization", display_name="BatchNorm1d",
              description="Normalizes each feature over the batch while training; uses running "
                          "statistics in eval mode.",
              params=(_MOMENTUM, _EPS), infer=_bn1d_infer,
              constructor=lambda p, ins, used: _batch_norm(p, ins, nn.BatchNorm1d),
              module_types=("torch.nn.BatchNorm1d",), from_module=_batch_norm_params,
              name_prefix="bn", glyph="β"),
    LayerSpec(type_id="BatchNorm2d", category="Normalization", display_name="BatchNorm2d",
              description="Normalizes each channel over batch, height and width while training; uses "
                          "running statistics in eval mode.",
              params=(_MOMENTUM, _EPS), infer=_bn2d_infer,
              constructor=lambda p, ins, used: _batch_norm(p, ins, nn.BatchNorm2d),
              module_types=("torch.nn.BatchNorm2d",), from_module=_batch_norm_params,
              name_prefix="bn", glyph="β"),
    LayerSpec(type_id="LayerNorm", category="Normalization", display_name="LayerNorm",
              description="Normalizes each sample over all its values (or at each position over its last "
                          "axis); same in training and eval.",
              params=(_EPS, Param("affine", "bool", True, "Learn a scale and shift per value."),
                      Param("over", "choice", "sample", "Normalize over the whole sample, or at each position "
                            "over the last axis (a channels-last input's channels, as in ConvNeXt).",
                            choices=("sample", "last_axis"), summary="over the {}", summary_unless="sample")),
              infer=_ln_infer,
              constructor=lambda p, ins, used: call(nn.LayerNorm, list(ins[0][-1:] if p.get("over") == "last_axis"
                                                                       else ins[0]),
                                                    eps=p["eps"], elementwise_affine=p["affine"]),
              module_types=("torch.nn.LayerNorm",), from_module=_layer_norm_params, fit_input=_layer_norm_over,
              name_prefix="ln", glyph="λ"),
    LayerSpec(type_id="LayerNorm2d", category="Normalization", display_name="LayerNorm2d",
              description="Normalizes the channels at each position of an image, with a learned scale and "
                          "shift per channel (ConvNeXt's); same in training and eval.",
              params=(Param("eps", "float", 1e-6, "Small constant added to the variance.", minimum=1e-12,
                            maximum=1.0),),
              infer=_ln2d_infer,
              constructor=lambda p, ins, used: call(modules.LayerNorm2d, ins[0][0], eps=p["eps"]),
              module_types=("engine.layers.modules.LayerNorm2d", "torchvision.models.convnext.LayerNorm2d"),
              from_module=_layer_norm2d_params, name_prefix="ln", glyph="λ"),
    LayerSpec(type_id="Dropout", category="Regularization", display_name="Dropout",
              description="While training, zeroes each value with probability p and scales the rest by "
                          "1/(1-p); does nothing in eval mode.",
              params=(Param("p", "float", 0.5, "Probability of dropping a value.", minimum=0.0, maximum=0.99,
                            summary="p = {}"),),
              infer=_dropout_infer, constructor=lambda p, ins, used: call(nn.Dropout, p["p"]),
              module_types=("torch.nn.Dropout",), from_module=lambda m: {"p": float(m.p)},
              name_prefix="dropout", glyph="⋰"),
    LayerSpec(type_id="StochasticDepth", category="Regularization", display_name="Stochastic depth",
              description="While training, drops its whole input (a residual branch) with probability p, per "
                          "sample or for the batch, and scales the rest by 1/(1-p); does nothing in eval mode.",
              params=(Param("p", "float", 0.2, "Probability of dropping the input.", minimum=0.0, maximum=1.0,
                            summary="p = {}"),
                      Param("mode", "choice", "row", "Drop per sample ('row') or the whole batch at once.",
                            choices=("row", "batch"), summary="per {}", summary_unless="row")),
              infer=_dropout_infer,
              constructor=lambda p, ins, used: call(modules.StochasticDepth, p["p"], p["mode"]),
              module_types=("engine.layers.modules.StochasticDepth",),
              from_module=lambda m: {"p": float(m.p), "mode": m.mode}, name_prefix="droppath", glyph="⋱"),
    LayerSpec(type_id="Scale", category="Normalization", display_name="Scale (per channel)",
              description="Multiplies each channel by a learned factor, starting small so a residual branch "
                          "starts near zero (ConvNeXt's layer scale).",
              params=(Param("init", "float", 1e-6, "The factors' starting value.", minimum=0.0, maximum=1e6,
                            summary="init {}"),),
              infer=_scale_infer,
              constructor=lambda p, ins, used: call(modules.Scale, _scale_shape(ins[0]), init=p["init"]),
              module_types=("engine.layers.modules.Scale",),
              from_module=lambda m: {"init": float(m.init)}, name_prefix="scale", glyph="γ"),
)
