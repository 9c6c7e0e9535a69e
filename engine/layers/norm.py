"""Normalization (batch norm, layer norm) and regularization (dropout) layers."""

from __future__ import annotations

from engine.layers.geometry import numel, require_image, require_rank
from engine.layers.lazy_torch import nn
from engine.layers.spec import LayerCost, LayerSpec, Param

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
    return LayerCost({"out": ins[0]}, params=2 * numel(ins[0]) if p["affine"] else 0, macs=numel(ins[0]))


def _dropout_infer(p: dict, ins: list) -> LayerCost:
    return LayerCost({"out": ins[0]})


SPECS = (
    LayerSpec(type_id="BatchNorm1d", category="Normalization", display_name="BatchNorm1d",
              description="Normalizes each feature over the batch while training; uses running "
                          "statistics in eval mode.",
              params=(_MOMENTUM, _EPS), infer=_bn1d_infer,
              build=lambda p, ins, used: nn.BatchNorm1d(ins[0][0], eps=p["eps"], momentum=p["momentum"]),
              name_prefix="bn", glyph="β"),
    LayerSpec(type_id="BatchNorm2d", category="Normalization", display_name="BatchNorm2d",
              description="Normalizes each channel over batch, height and width while training; uses "
                          "running statistics in eval mode.",
              params=(_MOMENTUM, _EPS), infer=_bn2d_infer,
              build=lambda p, ins, used: nn.BatchNorm2d(ins[0][0], eps=p["eps"], momentum=p["momentum"]),
              name_prefix="bn", glyph="β"),
    LayerSpec(type_id="LayerNorm", category="Normalization", display_name="LayerNorm",
              description="Normalizes each sample over all its values; same in training and eval.",
              params=(_EPS, Param("affine", "bool", True, "Learn a scale and shift per value.")),
              infer=_ln_infer,
              build=lambda p, ins, used: nn.LayerNorm(list(ins[0]), eps=p["eps"], elementwise_affine=p["affine"]),
              name_prefix="ln", glyph="λ"),
    LayerSpec(type_id="Dropout", category="Regularization", display_name="Dropout",
              description="While training, zeroes each value with probability p and scales the rest by "
                          "1/(1-p); does nothing in eval mode.",
              params=(Param("p", "float", 0.5, "Probability of dropping a value.", minimum=0.0, maximum=0.99),),
              infer=_dropout_infer, build=lambda p, ins, used: nn.Dropout(p["p"]),
              name_prefix="dropout", glyph="⋰"),
)
