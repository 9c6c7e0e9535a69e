"""Dense (fully connected) layer."""

from __future__ import annotations

from math import prod

from engine.layers.call import DEFAULT_INIT, call
from engine.layers.geometry import require_rank
from engine.layers.lazy_torch import nn
from engine.layers.spec import LayerCost, LayerSpec, Param, init_param


def _infer(p: dict, ins: list) -> LayerCost:
    if not p.get("per_position"):
        require_rank(ins[0], (1,), "a flat input (features)",
                     "add a Flatten layer before it (or apply it at each position)")
    *positions, features = ins[0]
    units = p["units"]
    return LayerCost({"out": (*positions, units)}, params=features * units + (units if p["bias"] else 0),
                     macs=prod(positions) * features * units)


DENSE = LayerSpec(
    type_id="Dense",
    category="Dense",
    display_name="Dense",
    description="Fully connected layer: every output unit is a weighted sum of all inputs plus a bias.",
    params=(
        Param("units", "int", 16, "Number of output units (neurons).", minimum=1, maximum=1_000_000,
              summary="{} units"),
        Param("bias", "bool", True, "Add a learned bias to each unit.", summary="no bias", summary_unless=True),
        Param("per_position", "bool", False, "Accept an input of several axes and apply the same weights at "
              "each position, to its last axis (a channels-last Linear, as in ConvNeXt and transformers).",
              label="at each position", summary="at each position", summary_unless=False),
        init_param("layer"),
    ),
    size_param="units",
    infer=_infer,
    constructor=lambda p, ins, used: call(nn.Linear, ins[0][-1], p["units"], bias=p["bias"]).with_init(p["init"]),
    module_types=("torch.nn.Linear",),
    from_module=lambda m: {"units": m.out_features, "bias": m.bias is not None, "init": DEFAULT_INIT},
    fit_input=lambda m, ins: {"per_position": len(ins[0]) > 1},
    name_prefix="fc",
    glyph="FC",
)

SPECS = (DENSE,)
