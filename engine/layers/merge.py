"""Merges: Add (residual connections), Concatenate (channel axis), Multiply."""

from __future__ import annotations

from engine.errors import ShapeError
from engine.layers.call import call
from engine.layers.geometry import fmt, numel
from engine.layers.lazy_torch import modules
from engine.layers.spec import LayerCost, LayerSpec, Port

_MANY = (Port("in", multi=True),)


def _same_shapes(p: dict, ins: list) -> LayerCost:
    if any(s != ins[0] for s in ins[1:]):
        shapes = ", ".join(fmt(s) for s in ins)
        raise ShapeError(f"all inputs must have the same shape, got {shapes}; make the branches agree "
                         "(e.g. a 1x1 convolution or matching stride on the shortcut)")
    return LayerCost({"out": ins[0]}, macs=numel(ins[0]) * (len(ins) - 1))


def broadcast(ins: list) -> tuple[int, ...]:
    """The shape inputs broadcast to (PyTorch's rule, per axis: equal sizes or 1), or a ShapeError."""
    if len({len(s) for s in ins}) > 1 or any(len({n for n in sizes if n != 1}) > 1 for sizes in zip(*ins)):
        shapes = ", ".join(fmt(s) for s in ins)
        raise ShapeError(f"inputs must have the same shape, or size 1 where they differ (as a squeeze-"
                         f"excitation gate's C x 1 x 1), got {shapes}")
    return tuple(max(sizes) for sizes in zip(*ins))


def _product(p: dict, ins: list) -> LayerCost:
    out = broadcast(ins)
    return LayerCost({"out": out}, macs=numel(out) * (len(ins) - 1))


def _concat(p: dict, ins: list) -> LayerCost:
    rest = {s[1:] for s in ins}
    if len(rest) > 1 or len({len(s) for s in ins}) > 1:
        shapes = ", ".join(fmt(s) for s in ins)
        raise ShapeError(f"inputs must agree on every axis but the first (channels), got {shapes}")
    return LayerCost({"out": (sum(s[0] for s in ins),) + ins[0][1:]})


SPECS = (
    LayerSpec(type_id="Add", category="Merge", display_name="Add",
              description="Sums its inputs element-wise: the residual / skip connection of a ResNet.",
              inputs=_MANY, role="merge", infer=_same_shapes, constructor=lambda p, ins, used: call(modules.Add),
              module_types=("engine.layers.modules.Add",), from_module=lambda m: {},
              name_prefix="add", glyph="+"),
    LayerSpec(type_id="Concatenate", category="Merge", display_name="Concatenate",
              description="Stacks its inputs along the channel (first) axis, in wiring order.",
              inputs=_MANY, role="merge", infer=_concat, constructor=lambda p, ins, used: call(modules.Concatenate),
              module_types=("engine.layers.modules.Concatenate",), from_module=lambda m: {},
              name_prefix="concat", glyph="‖"),
    LayerSpec(type_id="Multiply", category="Merge", display_name="Multiply",
              description="Multiplies its inputs element-wise (gating); a size of 1 is repeated along its "
                          "axis, so a C x 1 x 1 gate scales each channel of a C x H x W input.",
              inputs=_MANY, role="merge", infer=_product,
              constructor=lambda p, ins, used: call(modules.Multiply),
              module_types=("engine.layers.modules.Multiply",), from_module=lambda m: {},
              name_prefix="mul", glyph="×"),
)
