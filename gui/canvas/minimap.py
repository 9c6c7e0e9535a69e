"""An overview of the whole network in a corner of the canvas, shown when the network is larger
than the view: every card as a small block in its category colour, the visible area as a frame.
Click or drag in it to move the view there. `paint_overview` also draws the start page's
thumbnails."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from gui.common import style

Block = tuple[QRectF, QColor]  # a card's rectangle (scene coordinates) and its colour
Wire = tuple[QPointF, QPointF]  # from an output port to an input port (scene coordinates)

SIZE = (180, 124)
MARGIN = 10


def overview_transform(scene_rect: QRectF, target: QRectF) -> tuple[float, QPointF]:
    """Scale and offset that fit `scene_rect` centred into `target`."""
    scale = min(target.width() / max(scene_rect.width(), 1.0), target.height() / max(scene_rect.height(), 1.0))
    offset = QPointF(target.left() + (target.width() - scene_rect.width() * scale) / 2 - scene_rect.left() * scale,
                     target.top() + (target.height() - scene_rect.height() * scale) / 2 - scene_rect.top() * scale)
    return scale, offset


def paint_overview(painter: QPainter, blocks: Iterable[Block], wires: Iterable[Wire], scene_rect: QRectF,
                   target: QRectF) -> tuple[float, QPointF]:
    """Draw cards as blocks and wires as thin lines, fitted into `target`; returns the mapping."""
    scale, offset = overview_transform(scene_rect, target)

    def at(point: QPointF) -> QPointF:
        return QPointF(point.x() * scale, point.y() * scale) + offset

    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(style.WIRE, 1))
    for start, end in wires:
        painter.drawLine(at(start), at(end))
    painter.setPen(Qt.PenStyle.NoPen)
    for rect, color in blocks:
        painter.setBrush(color)
        corner = at(rect.topLeft())
        painter.drawRoundedRect(QRectF(corner.x(), corner.y(), max(rect.width() * scale, 2.0),
                                       max(rect.height() * scale, 2.0)), 2, 2)
    return scale, offset


class Minimap(QWidget):
    """Lives on the canvas view's viewport; the view tells it what is visible (`refresh`)."""

    jump_requested = Signal(QPointF)  # a scene point to centre the view on

    def __init__(self, parent: QWidget, network_view: Callable[[], tuple[list[Block], list[Wire], QRectF]]) -> None:
        super().__init__(parent)
        self.setObjectName("minimap")
        self.setFixedSize(*SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview of the whole network: click or drag to move the view")
        self._network_view = network_view
        self._visible = QRectF()
        self._scale, self._offset, self._scene_rect = 1.0, QPointF(), QRectF()
        self.hide()

    def refresh(self, visible: QRectF) -> None:
        """Show the overview when the network does not fit in `visible` (scene coordinates)."""
        _, _, scene_rect = self._network_view()
        needed = not scene_rect.isNull() and not visible.contains(scene_rect)
        self._visible = visible
        self.setVisible(needed)
        if needed:
            parent = self.parentWidget()
            self.move(parent.width() - self.width() - MARGIN, parent.height() - self.height() - MARGIN)
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        blocks, wires, scene_rect = self._network_view()
        self._scene_rect = scene_rect.united(self._visible).adjusted(-20, -20, 20, 20)
        painter = QPainter(self)
        painter.setPen(QPen(style.CARD_BORDER, 1))
        painter.setBrush(QColor(255, 255, 255, 200))
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        inner = QRectF(self.rect()).adjusted(6, 6, -6, -6)
        self._scale, self._offset = paint_overview(painter, blocks, wires, self._scene_rect, inner)
        frame = QRectF(self._visible.left() * self._scale + self._offset.x(),
                       self._visible.top() * self._scale + self._offset.y(),
                       self._visible.width() * self._scale, self._visible.height() * self._scale)
        painter.setPen(QPen(style.SELECTION, 1.5))
        painter.setBrush(QColor(47, 127, 240, 30))
        painter.drawRect(frame.intersected(inner))
        painter.end()

    def _jump(self, event: QMouseEvent) -> None:
        point = event.position()
        scene = QPointF((point.x() - self._offset.x()) / self._scale, (point.y() - self._offset.y()) / self._scale)
        self.jump_requested.emit(scene)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._jump(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._jump(event)
