"""A wire: from an output port (a card's bottom edge) down to an input port (another card's top
edge), routed around cards (gui/canvas/routing.py) and labelled with the shape it carries."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from engine.graph import Edge
from gui.canvas.items.port import PortItem
from gui.canvas.routing import Obstacles, Route, route_wire
from gui.common import style

_LABEL_FONT = style.font(7.6, mono=True)
_LABEL_METRICS = QFontMetricsF(_LABEL_FONT)
CORNER = 10.0


def _no_obstacles(_rect) -> list:
    return []


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth vertical S from `start` down to `end` (the rubber wire while connecting)."""
    dy = max(40.0, abs(end.y() - start.y()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x(), start.y() + dy), QPointF(end.x(), end.y() - dy), end)
    return path


def route_path(route: Route) -> QPainterPath:
    """A direct route is one smooth S; a lane route is a polyline with rounded corners."""
    points = [QPointF(*p) for p in route.points]
    path = QPainterPath(points[0])
    if route.direct:
        start, turn_a, turn_b, end = points
        if abs(turn_a.x() - turn_b.x()) < 0.5:
            path.lineTo(end)
            return path
        bend = min(turn_a.y() - start.y(), end.y() - turn_b.y(), 28.0)
        path.lineTo(turn_a.x(), turn_a.y() - bend)
        path.cubicTo(turn_a, turn_b, QPointF(turn_b.x(), turn_b.y() + bend))
        path.lineTo(end)
        return path
    for before, corner, after in zip(points, points[1:], points[2:]):
        radius = min(CORNER, _distance(before, corner) / 2, _distance(corner, after) / 2)
        path.lineTo(_towards(corner, before, radius))
        path.quadTo(corner, _towards(corner, after, radius))
    path.lineTo(points[-1])
    return path


def _distance(a: QPointF, b: QPointF) -> float:
    return abs(a.x() - b.x()) + abs(a.y() - b.y())


def _towards(corner: QPointF, other: QPointF, length: float) -> QPointF:
    span = _distance(corner, other) or 1.0
    return corner + (other - corner) * (length / span)


class EdgeItem(QGraphicsItem):
    def __init__(self, edge: Edge, source: PortItem, target: PortItem) -> None:
        super().__init__()
        self.edge, self.source, self.target = edge, source, target
        self.label = ""
        self.rank = 0
        self.error = False
        self.flow: float | None = None  # 0..1 strength of the gradient flowing back (training)
        self.path = QPainterPath()
        self._label_at = QPointF()
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self._shape: QPainterPath | None = None
        self.obstacles: Callable[[], Obstacles] = lambda: _no_obstacles
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.setAcceptHoverEvents(True)

    def set_label(self, label: str, error: bool, rank: int = 0) -> None:
        """Show the shape the wire carries (label and a colour by tensor rank)."""
        if (label, error, rank) != (self.label, self.error, self.rank):
            self.prepareGeometryChange()
            self.label, self.error, self.rank = label, error, rank
            self._place_label()
            self.setToolTip(f"carries {self.label} per sample" if self.label else "")
            self.update()

    def set_flow(self, strength: float | None, text: str = "") -> None:
        """Show the gradient flowing back along the wire (width and colour); None hides it."""
        if strength != self.flow:
            self.flow = strength
            self.setToolTip(f"carries {self.label} per sample" + (f"\n{text}" if text else ""))
            self.update()

    def update_path(self) -> None:
        """Route the wire again from its ports' current places, around the cards in the way."""
        start, end = self.source.anchor(), self.target.anchor()
        route = route_wire((start.x(), start.y()), (end.x(), end.y()), self.obstacles())
        self.prepareGeometryChange()
        self.path = route_path(route)
        self._shape = None
        self._label_at = QPointF(*route.label_at)
        self._place_label()

    def _place_label(self) -> None:
        """Also fixes the bounding box, which Qt asks for often (kept, not recomputed)."""
        if not self.label:
            self._label_rect = QRectF()
        else:
            width = _LABEL_METRICS.horizontalAdvance(self.label) + 10
            self._label_rect = QRectF(self._label_at.x() - width / 2, self._label_at.y() - 8, width, 16)
        self._bounds = self.path.boundingRect().united(self._label_rect).adjusted(-6, -6, 6, 6)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self.path)
        return self._shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = (style.SELECTION if self.isSelected() else style.ERROR if self.error
                 else style.WIRE_BY_RANK.get(self.rank, style.WIRE))
        width = 2.6 if self.isSelected() else 1.8
        if self.flow is not None and not self.isSelected() and not self.error:
            color = style.flow_color(self.flow)
            width = 1.2 + 5.0 * self.flow
        painter.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self.label and lod > 0.55:
            painter.setPen(QPen(color, 1))
            painter.setBrush(style.WIRE_LABEL_FILL)
            painter.drawRoundedRect(self._label_rect, 8, 8)
            painter.setFont(_LABEL_FONT)
            painter.setPen(style.ERROR if self.error else style.CARD_TEXT)
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)
