"""Upsampling and unpooling: nearest neighbour, bed of nails, and max-unpooling."""

from __future__ import annotations

from typing import Any

from engine.errors import ShapeError
from engine.layers.call import call
from engine.layers.geometry import check_padding, conv_transpose_size, fmt, require_image
from engine.layers.lazy_torch import modules, nn
from engine.layers.pooling import window_call, window_of, window_params
from engine.layers.spec import LayerCost, LayerSpec, Param, Port, require

_SCALE = Param("scale", "pair", (2, 2), "Enlargement factor (height, width).", minimum=1, maximum=64,
               summary="scale ×{}")


def _scaled(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    c, h, w = ins[0]
    sh, sw = p["scale"]
    return LayerCost({"out": (c, h * sh, w * sw)})


def _upsample_params(m: Any) -> dict:
    require(m.mode == "nearest" and m.size is None, f"mode='{m.mode}' or a fixed size (only nearest by a factor)")
    scale = m.scale_factor if isinstance(m.scale_factor, tuple) else (m.scale_factor, m.scale_factor)
    require(all(float(s).is_integer() for s in scale), "a fractional scale factor")
    return {"scale": tuple(int(s) for s in scale)}


UPSAMPLE_NEAREST = LayerSpec(
    type_id="UpsampleNearest",
    category="Upsampling",
    display_name="Upsample (nearest)",
    description="Unpooling by copying: each value fills an s x s block (nearest-neighbour).",
    params=(_SCALE,),
    infer=_scaled,
    constructor=lambda p, ins, used: call(nn.Upsample, scale_factor=tuple(float(s) for s in p["scale"]),
                                          mode="nearest"),
    module_types=("torch.nn.Upsample",),
    from_module=_upsample_params,
    name_prefix="upsample",
    glyph="⇱",
)

BED_OF_NAILS = LayerSpec(
    type_id="BedOfNails",
    category="Upsampling",
    display_name="Unpool (bed of nails)",
    description="Unpooling by zero insertion: each value goes to the corner of an s x s block of zeros.",
    params=(_SCALE,),
    infer=_scaled,
    constructor=lambda p, ins, used: call(modules.BedOfNails, scale=p["scale"]),
    module_types=("engine.layers.modules.BedOfNails",),
    from_module=lambda m: {"scale": tuple(m.scale)},
    name_prefix="unpool",
    glyph="⁞",
)


def _unpool_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    if len(ins) < 2:
        raise ShapeError("needs the 'indices' output of a MaxPool2d; wire one to its 'indices' port")
    if ins[1] != ins[0]:
        raise ShapeError(f"its input is {fmt(ins[0])} but the indices are {fmt(ins[1])}; wire the "
                         "indices of the max-pool whose output has the input's shape")
    check_padding(p["kernel"], p["padding"])  # as in max-pooling: so the output is never empty
    c, h, w = ins[0]
    oh, ow = (conv_transpose_size(n, k, s, pad)
              for n, k, s, pad in zip((h, w), p["kernel"], p["stride"], p["padding"]))
    return LayerCost({"out": (c, oh, ow)})


MAX_UNPOOL2D = LayerSpec(
    type_id="MaxUnpool2d",
    category="Upsampling",
    display_name="MaxUnpool2d",
    description="Puts each value back where its paired max-pool found the maximum; zeros elsewhere.",
    params=window_params(),
    inputs=(Port("in"), Port("indices")),
    infer=_unpool_infer,
    constructor=lambda p, ins, used: window_call(nn.MaxUnpool2d, p),
    module_types=("torch.nn.MaxUnpool2d",),
    from_module=window_of,
    name_prefix="maxunpool",
    glyph="⊠",
)

SPECS = (UPSAMPLE_NEAREST, BED_OF_NAILS, MAX_UNPOOL2D)
