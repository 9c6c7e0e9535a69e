"""Convolution and transposed convolution."""

from __future__ import annotations

from typing import Any

from engine.errors import ShapeError
from engine.layers.call import DEFAULT_INIT, Call, call
from engine.layers.geometry import conv_transpose_size, require_image, sliding_output
from engine.layers.lazy_torch import nn
from engine.layers.spec import LayerCost, LayerSpec, Param, as_pair, init_param, require


def _geometry_params(kernel: int, stride: int, padding: int) -> tuple[Param, ...]:
    return (
        Param("kernel", "pair", (kernel, kernel), "Kernel size F (height, width).", minimum=1, maximum=1024,
              summary="{h}×{w}"),
        Param("stride", "pair", (stride, stride), "Stride S (height, width): step between windows.",
              minimum=1, maximum=1024, summary="stride {}"),
        Param("padding", "pair", (padding, padding), "Zero padding P added on each side (height, width).",
              minimum=0, maximum=1024, summary="pad {}", summary_unless=(0, 0)),
    )


_FILTERS = Param("filters", "int", 8, "Number of filters (output channels).", minimum=1, maximum=100_000,
                 summary="{} filters")
_BIAS = Param("bias", "bool", True, "Add a learned bias to each filter.", summary="no bias", summary_unless=True)


def _check_groups(channels: int, filters: int, groups: int) -> None:
    if channels % groups or filters % groups:
        raise ShapeError(f"groups={groups} must divide both the {channels} input channels and the "
                         f"{filters} filters; pick a common divisor")


def _conv_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    c, h, w = ins[0]
    _check_groups(c, p["filters"], p["groups"])
    oh, ow = sliding_output((h, w), p["kernel"], p["stride"], p["padding"], p["dilation"])
    kh, kw = p["kernel"]
    per_output = (c // p["groups"]) * kh * kw
    params = p["filters"] * per_output + (p["filters"] if p["bias"] else 0)
    return LayerCost({"out": (p["filters"], oh, ow)}, params=params, macs=p["filters"] * oh * ow * per_output)


def _conv_call(p: dict, ins: list, used: frozenset) -> Call:
    return call(nn.Conv2d, ins[0][0], p["filters"], kernel_size=p["kernel"], stride=p["stride"],
                padding=p["padding"], dilation=p["dilation"], groups=p["groups"], bias=p["bias"]).with_init(p["init"])


def _conv_params(m: Any) -> dict:
    require(not isinstance(m.padding, str), f"padding='{m.padding}' (give explicit padding)")
    require(m.padding_mode == "zeros", f"padding_mode='{m.padding_mode}' (only zero padding)")
    return {"filters": m.out_channels, "kernel": as_pair(m.kernel_size), "stride": as_pair(m.stride),
            "padding": as_pair(m.padding), "dilation": as_pair(m.dilation), "groups": m.groups,
            "bias": m.bias is not None, "init": DEFAULT_INIT}  # how it was initialised is unknown


CONV2D = LayerSpec(
    type_id="Conv2d",
    category="Convolution",
    display_name="Conv2d",
    description="2-D convolution: slides learned F x F filters over the image, one feature map per filter.",
    params=(
        _FILTERS,
        *_geometry_params(3, 1, 0),
        Param("dilation", "pair", (1, 1), "Spacing between kernel taps (height, width).", minimum=1, maximum=1024,
              summary="dilation {}", summary_unless=(1, 1)),
        Param("groups", "int", 1, "Split channels into independent groups (depthwise = channels).",
              minimum=1, maximum=100_000, summary="{} groups", summary_unless=1),
        _BIAS,
        init_param("convolution"),
    ),
    summary_order=("kernel", "stride", "padding", "dilation", "groups", "filters", "bias", "init"),
    infer=_conv_infer,
    constructor=_conv_call,
    module_types=("torch.nn.Conv2d",),
    from_module=_conv_params,
    name_prefix="conv",
    glyph="▦",
)


def _convt_infer(p: dict, ins: list) -> LayerCost:
    require_image(ins[0])
    c, h, w = ins[0]
    _check_groups(c, p["filters"], p["groups"])
    if any(op >= s for op, s in zip(p["output_padding"], p["stride"])):
        raise ShapeError("output padding must be smaller than the stride; lower the output padding")
    oh, ow = (conv_transpose_size(n, k, s, pad, op)
              for n, k, s, pad, op in zip((h, w), p["kernel"], p["stride"], p["padding"], p["output_padding"]))
    if oh < 1 or ow < 1:
        raise ShapeError(f"padding {p['padding']} removes the whole output; lower the padding")
    kh, kw = p["kernel"]
    per_input = (p["filters"] // p["groups"]) * kh * kw
    params = c * per_input + (p["filters"] if p["bias"] else 0)
    return LayerCost({"out": (p["filters"], oh, ow)}, params=params, macs=c * h * w * per_input)


def _convt_call(p: dict, ins: list, used: frozenset) -> Call:
    return call(nn.ConvTranspose2d, ins[0][0], p["filters"], kernel_size=p["kernel"], stride=p["stride"],
                padding=p["padding"], output_padding=p["output_padding"], groups=p["groups"],
                bias=p["bias"]).with_init(p["init"])


def _convt_params(m: Any) -> dict:
    require(as_pair(m.dilation) == (1, 1), "dilation other than 1")
    require(m.padding_mode == "zeros", f"padding_mode='{m.padding_mode}'")
    return {"filters": m.out_channels, "kernel": as_pair(m.kernel_size), "stride": as_pair(m.stride),
            "padding": as_pair(m.padding), "output_padding": as_pair(m.output_padding), "groups": m.groups,
            "bias": m.bias is not None, "init": DEFAULT_INIT}  # how it was initialised is unknown


CONV_TRANSPOSE2D = LayerSpec(
    type_id="ConvTranspose2d",
    category="Convolution",
    display_name="ConvTranspose2d",
    description="Transposed ('up-') convolution: learns to enlarge feature maps, as in decoders.",
    params=(
        _FILTERS,
        *_geometry_params(2, 2, 0),
        Param("output_padding", "pair", (0, 0), "Extra rows/columns added to one side of the output.",
              minimum=0, maximum=1024),
        Param("groups", "int", 1, "Split channels into independent groups.", minimum=1, maximum=100_000,
              summary="{} groups", summary_unless=1),
        _BIAS,
        init_param("transposed convolution"),
    ),
    summary_order=("kernel", "stride", "padding", "groups", "filters", "bias", "init"),
    infer=_convt_infer,
    constructor=_convt_call,
    module_types=("torch.nn.ConvTranspose2d",),
    from_module=_convt_params,
    name_prefix="deconv",
    glyph="▩",
)

SPECS = (CONV2D, CONV_TRANSPOSE2D)
