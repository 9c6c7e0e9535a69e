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
              description="Multiplies its inputs element-wise (gating).",
              inputs=_MANY, role="merge", infer=_same_shapes,
              constructor=lambda p, ins, used: call(modules.Multiply),
              module_types=("engine.layers.modules.Multiply",), from_module=lambda m: {},
              name_prefix="mul", glyph="×"),
)
