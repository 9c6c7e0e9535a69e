"""Flatten and Reshape."""

from __future__ import annotations

from math import prod
from typing import Any

from engine.errors import ShapeError
from engine.layers.call import call
from engine.layers.geometry import fmt, numel
from engine.layers.lazy_torch import modules, nn
from engine.layers.spec import LayerCost, LayerSpec, Param, require


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


def _flatten_params(m: Any) -> dict:
    require(m.start_dim == 1 and m.end_dim == -1,
            f"flatten(start_dim={m.start_dim}, end_dim={m.end_dim}) (only from axis 1 to the end)")
    return {}


SPECS = (
    LayerSpec(type_id="Flatten", category="Shape", display_name="Flatten",
              description="Lays all values of a sample out in one row: C x H x W becomes C*H*W features.",
              infer=lambda p, ins: LayerCost({"out": (numel(ins[0]),)}),
              constructor=lambda p, ins, used: call(nn.Flatten),
              module_types=("torch.nn.Flatten",), from_module=_flatten_params, name_prefix="flatten", glyph="≡"),
    LayerSpec(type_id="Reshape", category="Shape", display_name="Reshape / Unflatten",
              description="Gives each sample a new shape with the same number of values.",
              params=(Param("shape", "shape", (1, 28, 28),
                            "Target shape without the batch axis; -1 once means 'infer this size'.",
                            summary="{}"),),
              infer=lambda p, ins: LayerCost({"out": _reshape_target(p, ins[0])}),
              constructor=lambda p, ins, used: call(modules.Reshape, shape=_reshape_target(p, ins[0])),
              module_types=("engine.layers.modules.Reshape",),
              from_module=lambda m: {"shape": tuple(m.shape)},  # a -1 comes back as the size it stood for
              name_prefix="reshape", glyph="⤨"),
)
