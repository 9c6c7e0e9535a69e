"""Automatic left-to-right layout by topological layers (for samples, imports, messy graphs)."""

from __future__ import annotations



from engine.graph import Network

COLUMN_WIDTH = 260.0
ROW_HEIGHT = 140.0


def layered_positions(network: Network) -> dict[str, tuple[float, float]]:
    """Each node's column is its longest distance from a source; rows are centred on y = 0."""
    order = network.topological_order()
    depth: dict[str, int] = {}
    for node_id in order:
        preds = list(network.graph.predecessors(node_id))
        depth[node_id] = 1 + max((depth[p] for p in preds), default=-1)
    columns: dict[int, list[str]] = {}
    for node_id in order:
        columns.setdefault(depth[node_id], []).append(node_id)
    positions = {}
    for column, members in columns.items():
        offset = (len(members) - 1) / 2
        for row, node_id in enumerate(members):
            positions[node_id] = (column * COLUMN_WIDTH, (row - offset) * ROW_HEIGHT)
    return positions


def apply_layout(network: Network) -> dict[str, tuple[float, float]]:
    """Move every node to its layered position; returns the old positions (for undo)."""
    old = {n: network.node(n).position for n in network.node_ids}
    for node_id, position in layered_positions(network).items():
        network.move(node_id, position)
    return old



