"""Dense (fully connected) layer."""

from __future__ import annotations

from engine.layers.geometry import require_rank
from engine.layers.lazy_torch import nn
from engine.layers.spec import LayerCost, LayerSpec, Param


def _infer(p: dict, ins: list) -> LayerCost:
    require_rank(ins[0], (1,), "a flat input (features)", "add a Flatten layer before it")
    (features,) = ins[0]
    units = p["units"]
    return LayerCost({"out": (units,)}, params=features * units + (units if p["bias"] else 0),
                     macs=features * units)


DENSE = LayerSpec(
    type_id="Dense",
    category="Dense",
    display_name="Dense",
    description="Fully connected layer: every output unit is a weighted sum of all inputs plus a bias.",
    params=(
        Param("units", "int", 16, "Number of output units (neurons).", minimum=1, maximum=1_000_000),
        Param("bias", "bool", True, "Add a learned bias to each unit."),
    ),
    infer=_infer,
    build=lambda p, ins, used: nn.Linear(ins[0][0], p["units"], bias=p["bias"]),
    name_prefix="fc",
    glyph="FC",
)

SPECS = (DENSE,)
