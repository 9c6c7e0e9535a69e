"""Flatten and Reshape."""

from __future__ import annotations

from math import prod

from engine.errors import ShapeError
from engine.layers.geometry import fmt, numel
from engine.layers.lazy_torch import modules, nn
from engine.layers.spec import LayerCost, LayerSpec, Param


def _reshape_target(p: dict, shape: tuple) -> tuple:
    target, total = p["shape"], numel(shape)
    known = prod(s for s in target if s != -1)
    if -1 in target:
        if total % known:
            raise ShapeError(f"cannot reshape {fmt(shape)} ({total} values) to {list(target)}; "
                             f"{total} is not a multiple of {known}")
        return tuple(total // known if s == -1 else s for s in target)
    if known != total:
        raise ShapeError(f"cannot reshape {fmt(shape)} ({total} values) to {fmt(target)} ({known} values); "
                         "the sizes must multiply to the same total (use -1 for one size to infer it)")
    return target


SPECS = (
    LayerSpec(type_id="Flatten", category="Shape", display_name="Flatten",
              description="Lays all values of a sample out in one row: C x H x W becomes C*H*W features.",
              infer=lambda p, ins: LayerCost({"out": (numel(ins[0]),)}),
              build=lambda p, ins, used: nn.Flatten(), name_prefix="flatten", glyph="≡"),
    LayerSpec(type_id="Reshape", category="Shape", display_name="Reshape / Unflatten",
              description="Gives each sample a new shape with the same number of values.",
              params=(Param("shape", "shape", (1, 28, 28),
                            "Target shape without the batch axis; -1 once means 'infer this size'."),),
              infer=lambda p, ins: LayerCost({"out": _reshape_target(p, ins[0])}),
              build=lambda p, ins, used: modules.Reshape(_reshape_target(p, ins[0])),
              name_prefix="reshape", glyph="⤨"),
)
