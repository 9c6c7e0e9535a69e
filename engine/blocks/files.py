"""The block library in project files: a list of definitions, each
`{"name", "description", "args": {name: default}, "graph": {"nodes", "edges"}}` (the graph as the
top level's, its ports being BlockInput / BlockOutput layers). Loading is forgiving: a definition
that is broken or contains itself is left out, a wire to a missing definition or port is left out,
each said in words, and the rest of the project loads."""

from __future__ import annotations

from typing import Any

import networkx as nx

from engine.blocks.definition import BlockDefinition, BlockLibrary
from engine.errors import GraphError, ProjectError
from engine.graph import Edge, Network
from engine.layers import get_spec
from engine.layers.blocks import BLOCK


def load_library(raw: Any, problems: list[str]) -> BlockLibrary:
    """The definitions of a project's 'blocks' section, nested ones first; what cannot be used is
    left out and described in `problems`."""
    if not isinstance(raw, list):
        raise ProjectError(f"the 'blocks' section must be a list, not {type(raw).__name__}.")
    entries: dict[str, dict] = {}
    for index, entry in enumerate(raw):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip():
            problems.append(f"Block definition #{index + 1} has no name, so it is left out.")
        elif name in entries:
            problems.append(f"There are two block definitions named '{name}'; the second is left out.")
        else:
            entries[name] = entry
    uses = nx.DiGraph()
    uses.add_nodes_from(entries)
    uses.add_edges_from((name, used) for name, entry in entries.items() for used in _used(entry) if used in entries)
    recursive = {n for part in nx.strongly_connected_components(uses) for n in part
                 if len(part) > 1 or uses.has_edge(n, n)}
    for name in sorted(recursive):
        chain = " › ".join([name, *(v for _, v in nx.find_cycle(uses, name))])
        problems.append(f"Block definition '{name}' contains itself ({chain}); it is left out, and its "
                        "instances show as missing.")
    library = BlockLibrary()
    position = {name: index for index, name in enumerate(entries)}
    usable = uses.subgraph(set(entries) - recursive).reverse()  # nested definitions first, else in file order
    for name in nx.lexicographical_topological_sort(usable, key=position.__getitem__):
        try:
            library.add(_definition(name, entries[name], library, problems))
        except ProjectError as error:
            problems.append(f"Block definition '{name}' cannot be read ({error}); it is left out.")
    return library


def _definition(name: str, entry: dict, library: BlockLibrary, problems: list[str]) -> BlockDefinition:
    from engine.project import _field, _load_graph  # the project reader is built on this module

    try:
        args = get_spec(BLOCK).param("args").validate(entry.get("args", {}))
    except GraphError as error:
        raise ProjectError(f"its arguments: {error}") from None
    network = Network()
    network.library = library
    with network.bulk():
        graph = _field(entry, "graph", dict, f"block definition '{name}'")
        _load_graph(network, graph, "'graph'", problems, f"In block definition '{name}': ")
    return BlockDefinition(name, network, args, str(entry.get("description", "")))


def _used(entry: Any) -> set[str]:
    """The definitions a raw definition's Block layers name (read defensively: it is not checked yet)."""
    graph = entry.get("graph") if isinstance(entry, dict) else None
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    found = set()
    for node in nodes if isinstance(nodes, list) else []:
        params = node.get("params") if isinstance(node, dict) and node.get("type") == BLOCK else None
        if isinstance(params, dict) and isinstance(params.get("definition"), str):
            found.add(params["definition"])
    return found


def wire_problem(network: Network, edge: Edge, error: GraphError) -> str | None:
    """Why a wire to or from a block is left out, in words; None when neither end is a block (the
    wire's error is then the file's)."""
    ends = [(node_id, port, side) for node_id, port, side in ((edge.source, edge.source_port, "output"),
                                                              (edge.target, edge.target_port, "input"))
            if node_id in network and network.graph.nodes[node_id]["type"] == BLOCK]
    if not ends:
        return None
    names = [network.name_of(n) if n in network else n for n in (edge.source, edge.target)]
    wire = f"the wire {names[0]} -> {names[1]} is left out"
    for node_id, port, side in ends:
        name, definition = network.name_of(node_id), network.params_view(node_id)["definition"]
        if network.library is None or definition not in network.library:
            return (f"Block '{name}' uses the definition '{definition}', which is missing from the block "
                    f"library; {wire}.")
        ports = network.spec(node_id).outputs if side == "output" else [p.name for p in network.spec(node_id).inputs]
        if port not in ports:
            return (f"Block '{name}': its definition '{definition}' has no {side} port '{port}' (its {side}s: "
                    f"{', '.join(ports) or 'none'}); {wire}.")
    return f"Block '{network.name_of(ends[0][0])}': {error} {wire[0].upper()}{wire[1:]}."
