"""The layer types of blocks (engine.blocks): a block instance, and the port layers that stand for
a block's inputs and outputs inside its definition. They are not in the palette (`SPECS`);
`get_spec` finds them by type id."""

from __future__ import annotations

from typing import NoReturn

from engine.errors import ShapeError
from engine.layers.spec import LayerCost, LayerSpec, Param

BLOCK, BLOCK_INPUT, BLOCK_OUTPUT = "Block", "BlockInput", "BlockOutput"


def _outside(what: str) -> NoReturn:
    raise ShapeError(f"{what}")


def _no_module(p: dict, ins: list, used: frozenset) -> NoReturn:
    raise ShapeError("a block is compiled by engine.blocks, not as one layer")


_PORT_INDEX = Param("index", "int", 0, "Where this port comes among the block's ports (lowest first).",
                    minimum=0)

BLOCK_INPUT_SPEC = LayerSpec(
    type_id=BLOCK_INPUT,
    category="Blocks",
    display_name="Block input",
    description="Inside a block: where one of the block's inputs enters; its name is the port's name.",
    params=(_PORT_INDEX,),
    inputs=(),
    infer=lambda p, ins: _outside("a block input belongs inside a block definition; its shape comes "
                                  "from what feeds the block"),
    constructor=_no_module,
    name_prefix="in",
    glyph="⇥",
)

BLOCK_OUTPUT_SPEC = LayerSpec(
    type_id=BLOCK_OUTPUT,
    category="Blocks",
    display_name="Block output",
    description="Inside a block: one of the block's outputs; its name is the port's name.",
    params=(_PORT_INDEX,),
    outputs=(),
    infer=lambda p, ins: LayerCost({"out": ins[0]}),
    constructor=_no_module,
    name_prefix="out",
    glyph="⇤",
)

BLOCK_SPEC = LayerSpec(
    type_id=BLOCK,
    category="Blocks",
    display_name="Block",
    description="An instance of a block definition from the project's block library, repeated in series.",
    params=(
        Param("definition", "text", "block", "The block definition (in the project's library) it is made of."),
        Param("args", "mapping", {}, "Values of the definition's arguments for this instance (the others "
                                     "take the definition's defaults)."),
        Param("first_args", "mapping", {}, "Argument values that differ for the first repetition only "
                                           "(ResNet's stride 2)."),
        Param("repeat", "int", 1, "How many times the block repeats in series.", minimum=1, maximum=1000,
              summary="×{}", summary_unless=1),
    ),
    inputs=(),
    outputs=(),
    infer=lambda p, ins: _outside("a block's shapes are inferred through its definition"),
    constructor=_no_module,
    name_prefix="block",
    glyph="▣",
)

SPECS = (BLOCK_SPEC, BLOCK_INPUT_SPEC, BLOCK_OUTPUT_SPEC)
PORT_TYPES = (BLOCK_INPUT, BLOCK_OUTPUT)
