"""Where each layer is in a compiled model with blocks: its module path ('stage1.0.conv1', as in the
state_dict) and the chain of node ids that leads to it (the block at the top, the blocks inside it,
the layer in the innermost definition), for live views, probes and gradient flow of inner layers."""

from __future__ import annotations

import operator
from collections.abc import Iterator
from dataclasses import dataclass

from torch import fx, nn


@dataclass(frozen=True)
class LayerPlace:
    """One layer (or block) of the compiled model. `nodes`: node ids from the top level down, each in
    the network of the definition above it; `repetitions`: for each enclosing block, the repetition
    the layer is in (0 when the block does not repeat); `definition`: the definition whose network
    holds the layer (None at the top level)."""

    path: str
    nodes: tuple[str, ...]
    repetitions: tuple[int, ...]
    definition: str | None
    is_block: bool


def layer_places(model: fx.GraphModule) -> list[LayerPlace]:
    """Every layer with a module, at every depth, blocks included, in the model's order."""
    return list(_walk(model, "", (), (), None))


def _walk(model: fx.GraphModule, prefix: str, nodes: tuple[str, ...], repetitions: tuple[int, ...],
          definition: str | None) -> Iterator[LayerPlace]:
    by_name = {node.name: node for node in model.graph.nodes}
    claimed: set[str] = set()
    for node_id, value in model.meta.get("layerlab_nodes", {}).items():
        node = by_name.get(value)
        if node is not None and node.op == "call_function" and node.target is operator.getitem:
            node = node.args[0]  # a layer with several outputs: its module's call
        if node is None or node.op != "call_module" or str(node.target) in claimed:
            continue
        target = str(node.target)
        claimed.add(target)
        module = model.get_submodule(target)
        path, chain = f"{prefix}{target}", (*nodes, node_id)
        copies = list(module) if isinstance(module, nn.Sequential) else [module]
        inner = [m for m in copies if isinstance(m, fx.GraphModule) and "layerlab_block" in m.meta]
        yield LayerPlace(path, chain, repetitions, definition, bool(inner))
        for index, block in enumerate(inner):
            where = f"{path}.{index}." if isinstance(module, nn.Sequential) else f"{path}."
            yield from _walk(block, where, chain, (*repetitions, index), block.meta["layerlab_block"])


def keys_in_scope(model: fx.GraphModule, scope: list[tuple[str, int]]) -> dict[str, str]:
    """Node id -> probe key (engine.training.probes) of each layer with a module in the network shown
    at `scope`: the opened blocks as (Block node id, repetition), top level first. A top-level
    layer's key is its node id, an inner layer's its module path ('stage2.0.conv1')."""
    blocks, repetitions = tuple(b for b, _ in scope), tuple(r for _, r in scope)
    return {place.nodes[-1]: place.nodes[0] if len(place.nodes) == 1 else place.path
            for place in layer_places(model)
            if place.nodes[:-1] == blocks and place.repetitions == repetitions}
