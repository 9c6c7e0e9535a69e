"""Group and ungroup: pure operations that turn a selection of layers into one Block instance of a
new definition, and an instance back into its layers. `ungroup(group(x))` gives back x as a graph:
the same nodes (ids, names, parameters, positions) and the same wires with the same wiring order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from engine.blocks.definition import BlockDefinition, BlockError, BlockLibrary, given_args, substitute_args
from engine.graph import Network, NodeData, python_name
from engine.layers.blocks import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT
from engine.layers.spec import arg_ref

PORT_GAP = 120.0
"""How far left (right) of the selection the block's input (output) port layers are placed."""


@dataclass(frozen=True)
class Grouped:
    """What `group` returns: the new network (whose library holds the new definition), the
    definition, and the id of the Block node that replaced the selection."""

    network: Network
    definition: BlockDefinition
    block: str


def group(network: Network, node_ids: Iterable[str], name: str = "block",
          instance_name: str | None = None, arg_defaults: dict[str, Any] | None = None) -> Grouped:
    """Replace the selected layers by one Block node of a new definition called `name` (made unique
    in the library). Ports: one input per outside value that feeds the selection, one output per
    inside value that leaves it, in wiring order; named 'in' / 'out' when there is one, else after
    the inner layer they feed ('in_conv1') or come from ('out_relu2').

    Inside a definition, layers may refer to its arguments: the new definition gets those arguments
    (defaults from `arg_defaults`, the enclosing definition's) and the instance passes them on."""
    selected = list(dict.fromkeys(node_ids))
    _check_selection(network, selected)
    refs = sorted({ref for n in selected for value in network.params_view(n).values() for ref in _refs(value)})
    missing = [ref for ref in refs if ref not in (arg_defaults or {})]
    if missing:
        raise BlockError(f"the selected layers refer to the block argument '{missing[0]}'; group them where "
                         "that argument is defined (inside its block definition)")
    chosen = set(selected)
    edges = network.edges()
    incoming = [e for e in edges if e.source not in chosen and e.target in chosen]
    outgoing = [e for e in edges if e.source in chosen and e.target not in chosen]
    in_values = list(dict.fromkeys((e.source, e.source_port) for e in incoming))
    out_values = list(dict.fromkeys((e.source, e.source_port) for e in outgoing))

    library = network.library.copy() if network.library is not None else BlockLibrary()
    inner = Network()
    inner.library = library
    for node_id in network.topological_order():
        if node_id in chosen:
            inner.restore_node(network.node(node_id))
    xs = [network.node(n).position for n in selected]
    left, right = min(p[0] for p in xs) - PORT_GAP, max(p[0] for p in xs) + PORT_GAP
    middle = sum(p[1] for p in xs) / len(xs)

    avoid = {network.name_of(n) for n in selected}
    in_names = _port_names(network, "in", avoid, [next(e.target for e in incoming if (e.source, e.source_port) == v)
                                           for v in in_values], [None] * len(in_values))
    out_names = _port_names(network, "out", avoid, [v[0] for v in out_values], [v[1] for v in out_values])
    taken = set(chosen)
    in_ports = [_add_port(inner, BLOCK_INPUT, port, i, (left, middle + 60.0 * i), taken)
                for i, port in enumerate(in_names)]
    out_ports = [_add_port(inner, BLOCK_OUTPUT, port, i, (right, middle + 60.0 * i), taken)
                 for i, port in enumerate(out_names)]
    for edge in edges:
        if edge.source in chosen and edge.target in chosen:
            inner.connect(edge.source, edge.target, edge.source_port, edge.target_port,
                          order=network.edge_order(edge))
        elif edge in incoming:
            port = in_ports[in_values.index((edge.source, edge.source_port))]
            inner.connect(port, edge.target, "out", edge.target_port, order=network.edge_order(edge))
    for value, port in zip(out_values, out_ports, strict=True):
        first = min(network.edge_order(e) for e in outgoing if (e.source, e.source_port) == value)
        inner.connect(value[0], port, value[1], "in", order=first)

    definition = BlockDefinition(library.unique_name(name), inner, {ref: arg_defaults[ref] for ref in refs})  # type: ignore[index]
    library.add(definition)
    outer = network.copy()
    outer.library = library
    orders = {e: network.edge_order(e) for e in outgoing}
    with outer.bulk():
        for node_id in selected:
            outer.remove_node(node_id)
        block = outer.add_node(BLOCK, {"definition": definition.name, "args": {ref: {"arg": ref} for ref in refs}},
                               name=instance_name or outer.unique_name(python_name(definition.name)),
                               position=(sum(p[0] for p in xs) / len(xs), middle))
        for value, port in zip(in_values, in_names, strict=True):
            outer.connect(value[0], block, value[1], port)
        for edge in outgoing:
            port = out_names[out_values.index((edge.source, edge.source_port))]
            outer.connect(block, edge.target, port, edge.target_port, order=orders[edge])
    return Grouped(outer, definition, block)


def ungroup(network: Network, block: str, *, prefix_names: bool = False) -> Network:
    """The network with the Block node `block` replaced by its definition's layers and wires, its
    argument references replaced by the instance's values. Layers keep their ids and names where
    these are free (else they get new ones; `prefix_names`: every name becomes 'block_layer'). A
    repeated block is not ungrouped here (engine.blocks.expand splits it first)."""
    node = network.node(block)
    if node.type != BLOCK:
        raise BlockError(f"'{node.name}' is not a block, so it cannot be ungrouped")
    if network.library is None:
        raise BlockError(f"block '{node.name}': the network has no block library")
    definition = network.library.definition(node.params["definition"])
    if node.params["repeat"] != 1:
        raise BlockError(f"block '{node.name}' repeats {node.params['repeat']} times; expand it instead, "
                         "or set its repeat to 1")
    args = given_args(definition, node.params, 0)
    inner = definition.network
    in_edges, out_edges = network.in_edges(block), network.out_edges(block)
    orders = {e: network.edge_order(e) for e in out_edges}
    outer = network.copy()
    ports = {BLOCK_INPUT: {}, BLOCK_OUTPUT: {}}  # port name -> port node id (inside)
    ids: dict[str, str] = {}
    with outer.bulk():
        outer.remove_node(block)
        for node_id in inner.topological_order():
            data = inner.node(node_id)
            if data.type in ports:
                ports[data.type][data.name] = node_id
                continue
            params = substitute_args(inner.spec(node_id), data.params, args)
            name = f"{node.name}_{data.name}" if prefix_names else data.name
            if _name_taken(outer, name):
                name = f"{node.name}_{name}"
                name = outer.unique_name(f"{name}_") if _name_taken(outer, name) else name
            if node_id in outer:
                ids[node_id] = outer.add_node(data.type, params, name=name, position=data.position)
            else:
                ids[node_id] = outer.restore_node(NodeData(node_id, data.type, name, params, data.position))
        feeds = {e.target_port: (e.source, e.source_port) for e in in_edges}
        for edge in inner.edges():
            order = inner.edge_order(edge)
            source_type = inner.node(edge.source).type
            if edge.target in ids and source_type != BLOCK_INPUT:
                outer.connect(ids[edge.source], ids[edge.target], edge.source_port, edge.target_port, order=order)
            elif edge.target in ids and inner.name_of(edge.source) in feeds:
                source, source_port = feeds[inner.name_of(edge.source)]
                outer.connect(source, ids[edge.target], source_port, edge.target_port, order=order)
        leaves = {inner.name_of(e.target): (ids[e.source], e.source_port) for e in inner.edges()
                  if inner.node(e.target).type == BLOCK_OUTPUT and e.source in ids}
        for edge in out_edges:
            if edge.source_port in leaves:
                source, source_port = leaves[edge.source_port]
                outer.connect(source, edge.target, source_port, edge.target_port, order=orders[edge])
    return outer


def _name_taken(network: Network, name: str) -> bool:
    return any(a["name"] == name for _, a in network.graph.nodes(data=True))


def _check_selection(network: Network, selected: list[str]) -> None:
    if not selected:
        raise BlockError("select at least one layer to group")
    for node_id in selected:
        if network.spec(node_id).role in ("input", "output"):
            raise BlockError(f"'{network.name_of(node_id)}' is the network's {network.spec(node_id).role}; "
                             "it stays outside blocks")
    chosen = set(selected)
    after = set().union(*(nx.descendants(network.graph, n) for n in chosen)) - chosen
    before = set().union(*(nx.ancestors(network.graph, n) for n in chosen)) - chosen
    loop = sorted(after & before, key=network.topological_order().index)
    if loop:
        name = network.name_of(loop[0])
        raise BlockError(f"grouping these layers would make a loop through the block: '{name}' takes a "
                         f"value from the selection and feeds one back into it; add '{name}' to the "
                         "selection, or leave out the layers on one side of it")


def _port_names(network: Network, prefix: str, avoid: set[str], layers: list[str],
                ports: list[str | None]) -> list[str]:
    """Port names: `prefix` alone for one port, else after each inner layer; never an inner layer's name."""
    names: list[str] = []
    for layer, port in zip(layers, ports, strict=True):
        base = prefix if len(layers) == 1 else (f"{prefix}_{python_name(network.name_of(layer))}"
                                                + (f"_{port}" if port not in (None, "out") else ""))
        candidate, i = base, 1
        while candidate in names or candidate in avoid:
            i += 1
            candidate = f"{base}_{i}"
        names.append(candidate)
    return names


def _add_port(inner: Network, type_id: str, name: str, index: int, position: tuple[float, float],
              taken: set[str]) -> str:
    node_id, i = f"{name}", 1
    while node_id in taken:
        i += 1
        node_id = f"{name}_{i}"
    taken.add(node_id)
    return inner.add_node(type_id, {"index": index}, name=name, position=position, node_id=node_id)




def _refs(value: Any) -> list[str]:
    """The arguments a parameter value refers to (also inside a nested block's argument mapping)."""
    if arg_ref(value) is not None:
        return [value["arg"]]
    return [v["arg"] for v in value.values() if arg_ref(v) is not None] if isinstance(value, dict) else []
