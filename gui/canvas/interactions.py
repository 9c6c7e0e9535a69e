"""Mouse gestures on the canvas that end in a command: drag-to-connect and drag-to-move."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from gui.canvas.items.edge import wire_path
from gui.canvas.items.node import NodeItem
from gui.canvas.items.port import PortItem
from gui.common import style


class ConnectDrag:
    """A rubber wire from the port where the drag started to the cursor."""

    def __init__(self, scene: QGraphicsScene, port: PortItem) -> None:
        self.scene, self.port = scene, port
        self.wire = QGraphicsPathItem()
        pen = QPen(style.SELECTION, 2, Qt.PenStyle.DashLine)
        self.wire.setPen(pen)
        self.wire.setZValue(3)
        scene.addItem(self.wire)
        self.hover: PortItem | None = None
        self.move(port.anchor())

    def move(self, pos: QPointF) -> None:
        start, end = self.port.anchor(), pos
        self.wire.setPath(wire_path(start, end) if self.port.is_output else wire_path(end, start))
        candidate = self.target_at(pos)
        if candidate is not self.hover:
            if self.hover is not None:
                self.hover.set_highlighted(False)
            if candidate is not None:
                candidate.set_highlighted(True)
            self.hover = candidate

    def target_at(self, pos: QPointF) -> PortItem | None:
        """The port under the cursor, or the first free-looking port of the card under it."""
        for item in self.scene.items(pos):
            if isinstance(item, PortItem) and item.is_output != self.port.is_output:
                return item
            if isinstance(item, NodeItem) and item.node_id != self.port.node_id:
                ports = item.inputs if self.port.is_output else item.outputs
                return next(iter(ports.values()), None)
        return None

    def finish(self, pos: QPointF) -> tuple[str, str, str, str] | None:
        """Remove the rubber wire; return (source, target, source_port, target_port) or None."""
        self.scene.removeItem(self.wire)
        if self.hover is not None:
            self.hover.set_highlighted(False)
        other = self.target_at(pos)
        if other is None:
            return None
        out, inp = (self.port, other) if self.port.is_output else (other, self.port)
        return out.node_id, inp.node_id, out.name, inp.name


class MoveTracker:
    """Remembers where the dragged cards started, so a drag becomes one Move command."""

    def __init__(self, items: list[NodeItem]) -> None:
        self.start = {item.node_id: (item.pos().x(), item.pos().y()) for item in items}
        self.items = items

    def moves(self) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
        found = {}
        for item in self.items:
            new = (item.pos().x(), item.pos().y())
            if new != self.start[item.node_id]:
                found[item.node_id] = (self.start[item.node_id], new)
        return found
