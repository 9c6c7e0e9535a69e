"""Keyboard navigation on the canvas: which card the arrow keys move the selection to."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.canvas.scene import CanvasScene


def first(scene: CanvasScene) -> str | None:
    """Where the selection starts: the Input, else the top-left card."""
    if not scene.nodes:
        return None
    inputs = scene.document.network.nodes_with_role("input")
    if inputs:
        return inputs[0]
    return min(scene.nodes, key=lambda n: (scene.nodes[n].y(), scene.nodes[n].x()))


def neighbour(scene: CanvasScene, node_id: str, direction: str) -> str | None:
    """'down': the next layer along an outgoing wire; 'up': the previous one along an incoming
    wire (the one most nearly in line); 'left'/'right': the nearest card beside it."""
    network, items = scene.document.network, scene.nodes
    here = items[node_id].card_rect()
    if direction in ("up", "down"):
        edges = network.out_edges(node_id) if direction == "down" else network.in_edges(node_id)
        ends = [e.target if direction == "down" else e.source for e in edges]
        if not ends:
            return None
        return min(ends, key=lambda n: abs(items[n].card_rect().center().x() - here.center().x()))
    sign = 1 if direction == "right" else -1
    candidates = []
    for other_id, item in items.items():
        rect = item.card_rect()
        dx = (rect.center().x() - here.center().x()) * sign
        if other_id == node_id or dx <= 1:
            continue
        dy = abs(rect.center().y() - here.center().y())
        candidates.append((dy > here.height(), dy + dx, other_id))  # same row first, then nearest
    return min(candidates)[2] if candidates else None
