"""Shared helpers for the block tests."""

from __future__ import annotations

from typing import Any

from engine.graph import Network


def graph_of(network: Network) -> tuple[dict[str, Any], set[tuple]]:
    """A network as comparable data: every node's attributes and every wire with its wiring order."""
    nodes = {n: (a["type"], a["name"], repr(a["params"]), a["position"]) for n, a in network.graph.nodes(data=True)}
    edges = {(e.source, e.target, e.source_port, e.target_port, network.edge_order(e)) for e in network.edges()}
    return nodes, edges


def chain(net: Network, types: list[tuple[str, dict]], source: str) -> list[str]:
    """Add layers in series after `source`; returns their ids."""
    ids = []
    for type_id, params in types:
        node = net.add_node(type_id, params)
        net.connect(source, node)
        ids.append(node)
        source = node
    return ids
