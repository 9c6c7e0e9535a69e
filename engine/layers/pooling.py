"""Pooling: max, average and global average."""

from __future__ import annotations

from engine.layers.geometry import check_padding, require_image, sliding_output
from engine.layers.lazy_torch import modules, nn
from engine.layers.spec import LayerCost, LayerSpec, Param


def window_params() -> tuple[Param, ...]:
    return (
        Param("kernel", "pair", (2, 2), "Pooling window F (height, width).", minimum=1, maximum=1024),
        Param("stride", "pair", (2, 2), "Step S between windows (height, width).", minimum=1, maximum=1024),
        Param("padding", "pair", (0, 0), "Padding P on each side (at most half the window).",
              minimum=0, maximum=512),
    )


def _pool_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    c, h, w = ins[0]
    check_padding(p["kernel"], p["padding"])
    oh, ow = sliding_output((h, w), p["kernel"], p["stride"], p["padding"], kind="window")
    return LayerCost({"out": (c, oh, ow), "indices": (c, oh, ow)})


def _max_build(p: dict, ins: list, used: frozenset) -> nn.Module:
    return nn.MaxPool2d(p["kernel"], p["stride"], p["padding"], return_indices="indices" in used)


MAXPOOL2D = LayerSpec(
    type_id="MaxPool2d",
    category="Pooling",
    display_name="MaxPool2d",
    description="Keeps the largest value of each window; its 'indices' output feeds a MaxUnpool2d.",
    params=window_params(),
    infer=_pool_infer,
    build=_max_build,
    outputs=("out", "indices"),
    name_prefix="pool",
    glyph="⊞",
)

AVGPOOL2D = LayerSpec(
    type_id="AvgPool2d",
    category="Pooling",
    display_name="AvgPool2d",
    description="Replaces each window by its average.",
    params=window_params(),
    infer=lambda p, ins: LayerCost({"out": _pool_infer(p, ins).outputs["out"]}),
    build=lambda p, ins, used: nn.AvgPool2d(p["kernel"], p["stride"], p["padding"]),
    name_prefix="avgpool",
    glyph="⊟",
)


def _global_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    return LayerCost({"out": (ins[0][0],)})


GLOBAL_AVGPOOL = LayerSpec(
    type_id="GlobalAvgPool",
    category="Pooling",
    display_name="Global average pool",
    description="Averages each channel over the whole image: C x H x W becomes C features.",
    infer=_global_infer,
    build=lambda p, ins, used: modules.GlobalAvgPool2d(),
    name_prefix="gap",
    glyph="⊡",
)

SPECS = (MAXPOOL2D, AVGPOOL2D, GLOBAL_AVGPOOL)
