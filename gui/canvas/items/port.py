"""A node's input or output port: the handle wires start from and end on."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gui.common import style


class PortItem(QGraphicsItem):
    """A circle on a card's top (inputs) or bottom (outputs) edge; `multi` input ports (Add,
    Concatenate) are drawn as a wide pill, since several wires end there."""

    def __init__(self, node_item: QGraphicsItem, node_id: str, name: str, is_output: bool, multi: bool = False,
                 color: QColor | None = None) -> None:
        super().__init__(node_item)
        self.node_id, self.name, self.is_output, self.multi = node_id, name, is_output, multi
        self.color = color or style.PORT_BORDER
        self.highlighted = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        what = "output" if is_output else "input"
        hint = "drag to an input port to connect" if is_output else "drag from an output port onto it"
        extra = " (takes any number of wires)" if multi else ""
        self.setToolTip(f"{what} '{name}'{extra}: {hint}")
        r = style.PORT_RADIUS + 5
        width = r * (2.6 if multi else 1)
        self._bounds = QRectF(-width, -r, 2 * width, 2 * r)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds

    def _shape_rect(self) -> QRectF:
        r = style.PORT_RADIUS + (1.5 if self.highlighted else 0)
        width = r * (2.2 if self.multi else 1)
        return QRectF(-width, -r, 2 * width, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = style.SELECTION if self.highlighted else style.PORT_FILL
        painter.setPen(QPen(style.SELECTION if self.highlighted else self.color, 2))
        painter.setBrush(QBrush(fill))
        rect = self._shape_rect()
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.set_highlighted(True)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.set_highlighted(False)

    def anchor(self) -> QPointF:
        """Where wires attach, in scene coordinates."""
        return self.scenePos()
