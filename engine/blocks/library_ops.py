"""Library edits the block panel needs: where a definition is used, renaming one (every instance
follows), removing an unused one. Pure: each returns a new network with a new library."""

from __future__ import annotations

import dataclasses

from engine.blocks.definition import BlockError, BlockLibrary
from engine.graph import Network
from engine.layers.blocks import BLOCK


def instances(network: Network, name: str) -> list[tuple[str | None, str]]:
    """Where the definition `name` is used: (None, node id) at the top level of `network`,
    (definition name, node id) inside other definitions."""
    found: list[tuple[str | None, str]] = [(None, n) for n in network.nodes_of_type(BLOCK)
                                           if network.params_view(n)["definition"] == name]
    for definition in network.library or []:
        found += [(definition.name, n) for n in definition.network.nodes_of_type(BLOCK)
                  if definition.network.params_view(n)["definition"] == name]
    return found


def rename_definition(network: Network, old: str, new: str) -> Network:
    """The network with the definition `old` called `new`, and every instance of it (at the top level
    and inside other definitions) following; the networks that change are copies."""
    library = network.library
    if library is None:
        raise BlockError("the network has no block library")
    library.definition(old)
    new = new.strip()
    if not new:
        raise BlockError("a block definition's name cannot be empty")
    if new in library and new != old:
        raise BlockError(f"the library already has a block definition named '{new}'")
    renamed = BlockLibrary()
    for definition in library:
        users = [n for n in definition.network.nodes_of_type(BLOCK)
                 if definition.network.params_view(n)["definition"] == old]
        if users or definition.name == old:  # a changed definition is a copy
            inner = definition.network.copy()
            for node_id in users:
                inner.set_param(node_id, "definition", new)
            definition = dataclasses.replace(definition, name=new if definition.name == old else definition.name,
                                             network=inner, args=dict(definition.args))
        renamed.add(definition)
    outer = network.copy()
    outer.library = renamed
    for node_id in outer.nodes_of_type(BLOCK):
        if outer.params_view(node_id)["definition"] == old:
            outer.set_param(node_id, "definition", new)
    return outer


def remove_definition(network: Network, name: str) -> Network:
    """The network with the unused definition `name` taken out of its library."""
    if network.library is None:
        raise BlockError("the network has no block library")
    users = instances(network, name)
    if users:
        listed = ", ".join(f"'{(network if where is None else network.library.definition(where).network).name_of(n)}'"
                           + (f" in '{where}'" if where else "") for where, n in users)
        raise BlockError(f"block definition '{name}' is used by {listed}; ungroup or remove those first")
    library = network.library.copy()
    library.remove(name)
    outer = network.copy()
    outer.library = library
    return outer
