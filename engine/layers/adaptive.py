"""Adaptive pooling: a fixed output size whatever the input size (as in VGG and AlexNet)."""

from __future__ import annotations

from typing import Any

from engine.layers.call import call
from engine.layers.geometry import require_image
from engine.layers.lazy_torch import nn
from engine.layers.spec import LayerCost, LayerSpec, Param, as_pair, require


def _adaptive_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    return LayerCost({"out": (ins[0][0], *p["output_size"])})


def _adaptive_params(m: Any) -> dict:
    size = as_pair(m.output_size)
    require(all(isinstance(s, int) for s in size), "an output size of None (keep the input size)")
    return {"output_size": size}


def _adaptive_max_params(m: Any) -> dict:
    require(not m.return_indices, "return_indices=True")
    return _adaptive_params(m)


ADAPTIVE_AVGPOOL2D = LayerSpec(
    type_id="AdaptiveAvgPool2d",
    category="Pooling",
    display_name="AdaptiveAvgPool2d",
    description="Averages over windows chosen so the output is always output size (height, width), "
                "whatever the input size; 1 x 1 is global average pooling that keeps the image axes.",
    params=(Param("output_size", "pair", (1, 1), "Output height and width.", minimum=1, maximum=4096),),
    infer=_adaptive_infer,
    constructor=lambda p, ins, used: call(nn.AdaptiveAvgPool2d, tuple(p["output_size"])),
    module_types=("torch.nn.AdaptiveAvgPool2d",),
    from_module=_adaptive_params,
    name_prefix="adaptivepool",
    glyph="⊡",
)

ADAPTIVE_MAXPOOL2D = LayerSpec(
    type_id="AdaptiveMaxPool2d",
    category="Pooling",
    display_name="AdaptiveMaxPool2d",
    description="Keeps the largest value of windows chosen so the output is always output size (height, "
                "width), whatever the input size; 1 x 1 is global max pooling that keeps the image axes.",
    params=(Param("output_size", "pair", (1, 1), "Output height and width.", minimum=1, maximum=4096),),
    infer=_adaptive_infer,
    constructor=lambda p, ins, used: call(nn.AdaptiveMaxPool2d, tuple(p["output_size"])),
    module_types=("torch.nn.AdaptiveMaxPool2d",),
    from_module=_adaptive_max_params,
    name_prefix="adaptivemaxpool",
    glyph="⊞",
)

SPECS = (ADAPTIVE_AVGPOOL2D, ADAPTIVE_MAXPOOL2D)
