"""Pooling: max, average and global average."""

from __future__ import annotations

from typing import Any

from engine.errors import ShapeError
from engine.layers.call import Call, call
from engine.layers.geometry import check_padding, fmt, require_image, sliding_output
from engine.layers.lazy_torch import modules, nn
from engine.layers.spec import LayerCost, LayerSpec, Param, as_pair, require


def window_params() -> tuple[Param, ...]:
    return (
        Param("kernel", "pair", (2, 2), "Pooling window F (height, width).", minimum=1, maximum=1024,
              summary="{h}×{w}"),
        Param("stride", "pair", (2, 2), "Step S between windows (height, width).", minimum=1, maximum=1024,
              summary="stride {}"),
        Param("padding", "pair", (0, 0), "Padding P on each side (at most half the window).",
              minimum=0, maximum=512, summary="pad {}", summary_unless=(0, 0)),
    )


CEIL_MODE = Param("ceil_mode", "bool", False, "Round the output size up: a last window that starts inside the "
                  "(left-padded) input but runs past its end is kept, as in SqueezeNet and GoogLeNet.",
                  label="round up", summary="round up", summary_unless=False)


def window_call(module: Any, p: dict, **kwargs: Any) -> Call:
    """`module(kernel, stride=..., padding=...)`; the source leaves out a stride equal to the kernel."""
    if "ceil_mode" in p:
        kwargs["ceil_mode"] = p["ceil_mode"]
    return call(module, p["kernel"], stride=p["stride"], padding=p["padding"], **kwargs).with_defaults(
        stride=p["kernel"])


def window_of(m: Any) -> dict:
    """kernel, stride and padding of a torch pooling module (its stride defaults to its kernel)."""
    return {"kernel": as_pair(m.kernel_size), "stride": as_pair(m.stride or m.kernel_size),
            "padding": as_pair(m.padding)}


def _pool_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    c, h, w = ins[0]
    check_padding(p["kernel"], p["padding"])
    if p.get("ceil_mode"):  # a window may run past the end of the input
        oh, ow = (ceil_pool_size(n, k, s, pad) for n, k, s, pad in zip((h, w), p["kernel"], p["stride"], p["padding"]))
        if oh < 1 or ow < 1:
            raise ShapeError(f"{fmt(p['kernel'])} window leaves no output of its {fmt((h, w))} input; "
                             "lower the kernel or add padding")
    else:
        oh, ow = sliding_output((h, w), p["kernel"], p["stride"], p["padding"], kind="window")
    return LayerCost({"out": (c, oh, ow), "indices": (c, oh, ow)})


def ceil_pool_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output size with ceil_mode (PyTorch's rule): round up, but drop a last window that would
    start in the right padding."""
    out = -(-(size + 2 * padding - kernel) // stride) + 1
    return out - 1 if (out - 1) * stride >= size + padding else out


def _max_params(m: Any) -> dict:
    require(as_pair(m.dilation) == (1, 1), "dilation other than 1")
    require(not m.return_indices, "return_indices=True")
    return window_of(m) | {"ceil_mode": bool(m.ceil_mode)}


def _avg_params(m: Any) -> dict:
    require(m.count_include_pad and m.divisor_override is None, "count_include_pad=False or a divisor override")
    return window_of(m) | {"ceil_mode": bool(m.ceil_mode)}


MAXPOOL2D = LayerSpec(
    type_id="MaxPool2d",
    category="Pooling",
    display_name="MaxPool2d",
    description="Keeps the largest value of each window; its 'indices' output feeds a MaxUnpool2d.",
    params=(*window_params(), CEIL_MODE),
    infer=_pool_infer,
    constructor=lambda p, ins, used: window_call(nn.MaxPool2d, p, return_indices="indices" in used),
    module_types=("torch.nn.MaxPool2d",),
    from_module=_max_params,
    outputs=("out", "indices"),
    name_prefix="pool",
    glyph="⊞",
)

AVGPOOL2D = LayerSpec(
    type_id="AvgPool2d",
    category="Pooling",
    display_name="AvgPool2d",
    description="Replaces each window by its average.",
    params=(*window_params(), CEIL_MODE),
    infer=lambda p, ins: LayerCost({"out": _pool_infer(p, ins).outputs["out"]}),
    constructor=lambda p, ins, used: window_call(nn.AvgPool2d, p),
    module_types=("torch.nn.AvgPool2d",),
    from_module=_avg_params,
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
    constructor=lambda p, ins, used: call(modules.GlobalAvgPool2d),
    module_types=("engine.layers.modules.GlobalAvgPool2d",),
    from_module=lambda m: {},
    name_prefix="gap",
    glyph="⊡",
)

SPECS = (MAXPOOL2D, AVGPOOL2D, GLOBAL_AVGPOOL)
