"""Expanding blocks: a repeated block split into one block per repetition, a block expanded into
its layers whatever its repeat, a whole network flattened (no blocks left), and "make unique" (an
instance given its own copy of its definition). Pure: each returns a new network."""

from __future__ import annotations

import dataclasses

from engine.blocks.definition import BlockError, BlockLibrary
from engine.blocks.group import ungroup
from engine.graph import Network
from engine.layers.blocks import BLOCK

STEP = 40.0
"""How far apart (x) the blocks that a repeated block is split into are placed."""


def split_repeats(network: Network, block: str) -> tuple[Network, list[str]]:
    """The Block node `block` (repeated N times) replaced by N Block nodes in series, named
    'block_0', 'block_1', ..., each with its repetition's arguments; returns the new network and
    their ids (the first keeps the block's id)."""
    node = network.node(block)
    repeat = node.params["repeat"] if node.type == BLOCK else 1
    if not isinstance(repeat, int):
        raise BlockError(f"block '{node.name}' repeats as often as the argument '{repeat['arg']}' says, so it "
                         "cannot be split here; split it where the argument has a value")
    if repeat == 1:
        return network.copy(), [block]
    if network.library is None:
        raise BlockError(f"block '{node.name}': the network has no block library")
    definition = network.library.definition(node.params["definition"])
    if (len(definition.inputs), len(definition.outputs)) != (1, 1):
        raise BlockError(f"block '{node.name}' repeats, so its definition '{definition.name}' must have one "
                         "input and one output")
    (port_in,), (port_out,) = definition.inputs, definition.outputs
    in_edges, out_edges = network.in_edges(block), network.out_edges(block)
    orders = {e: network.edge_order(e) for e in in_edges + out_edges}
    outer = network.copy()
    ids: list[str] = []
    with outer.bulk():
        outer.remove_node(block)
        for repetition in range(repeat):
            args = {**node.params["args"], **(node.params["first_args"] if repetition == 0 else {})}
            params = {"definition": node.params["definition"], "args": args, "first_args": {}, "repeat": 1}
            position = (node.position[0] + STEP * repetition, node.position[1])
            name = _free_name(outer, f"{node.name}_{repetition}")
            ids.append(outer.add_node(BLOCK, params, name=name, position=position,
                                      node_id=block if repetition == 0 else None))
            if repetition:
                outer.connect(ids[-2], ids[-1], port_out, port_in)
        for edge in in_edges:
            outer.connect(edge.source, ids[0], edge.source_port, edge.target_port, order=orders[edge])
        for edge in out_edges:
            outer.connect(ids[-1], edge.target, edge.source_port, edge.target_port, order=orders[edge])
    return outer, ids


def expand(network: Network, block: str, *, prefix_names: bool = False) -> Network:
    """The Block node `block` replaced by its layers, once per repetition (a repeated block's copies
    are named after their repetition: 'stage1_0_conv1', ...)."""
    split, ids = split_repeats(network, block)
    for node_id in ids:
        split = ungroup(split, node_id, prefix_names=prefix_names or len(ids) > 1)
    return split


def flatten(network: Network) -> Network:
    """The network with every block, nested ones too, expanded into its layers: a network without
    blocks that computes the same. Layers are named after their module path ('stage2_blocks_0_conv1')."""
    library = network.library
    for node_id in network.nodes_of_type(BLOCK):
        name = network.params_view(node_id)["definition"]
        chain = library.recursion(name) if library is not None and name in library else None
        if chain:
            raise BlockError(f"block '{network.name_of(node_id)}' cannot be expanded: its definition contains "
                             f"itself ({' › '.join(chain)})")
    flat = network
    while blocks := flat.nodes_of_type(BLOCK):
        flat = expand(flat, blocks[0], prefix_names=True)
    return flat if flat is not network else network.copy()


def make_unique(network: Network, block: str, name: str | None = None) -> tuple[Network, str]:
    """The network in which the Block node `block` uses its own copy of its definition (named `name`,
    or the old name made unique), so that editing it changes no other instance; returns the new
    network (with a new library holding the copy) and the copy's name."""
    node = network.node(block)
    if node.type != BLOCK or network.library is None:
        raise BlockError(f"'{node.name}' is not a block of a block library")
    original = network.library.definition(node.params["definition"])
    library: BlockLibrary = network.library.copy()
    copy = dataclasses.replace(original, name=library.unique_name(name or original.name),
                               network=original.network.copy(), args=dict(original.args))
    library.add(copy)
    outer = network.copy()
    outer.library = library
    outer.set_param(block, "definition", copy.name)
    return outer, copy.name


def _free_name(network: Network, name: str) -> str:
    taken = {network.name_of(n) for n in network.node_ids}
    return name if name not in taken else network.unique_name(f"{name}_")
