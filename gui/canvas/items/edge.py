"""A wire: a smooth curve from an output port to an input port, labelled with the shape it carries."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from engine.graph import Edge
from gui import style
from gui.canvas.items.port import PortItem

_LABEL_FONT = style.font(7.6, mono=True)
_LABEL_METRICS = QFontMetricsF(_LABEL_FONT)


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A horizontal S-curve; wires going backwards loop out so they stay readable."""
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class EdgeItem(QGraphicsItem):
    def __init__(self, edge: Edge, source: PortItem, target: PortItem) -> None:
        super().__init__()
        self.edge, self.source, self.target = edge, source, target
        self.label = ""
        self.rank = 0
        self.error = False
        self.flow: float | None = None  # 0..1 strength of the gradient flowing back (training)
        self.path = QPainterPath()
        self._label_rect = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self.update_path()

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
        self.prepareGeometryChange()
        self.path = wire_path(self.source.anchor(), self.target.anchor())
        self._place_label()

    def _place_label(self) -> None:
        if not self.label:
            self._label_rect = QRectF()
            return
        mid = self.path.pointAtPercent(0.5)
        width = _LABEL_METRICS.horizontalAdvance(self.label) + 10
        self._label_rect = QRectF(mid.x() - width / 2, mid.y() - 8, width, 16)

    def _label_fits(self) -> bool:
        """Draw the label only where it does not cover the cards at either end."""
        span = abs(self.target.anchor().x() - self.source.anchor().x())
        return span >= self._label_rect.width() + 12 or self.path.length() > 3 * self._label_rect.width()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self.path.boundingRect().united(self._label_rect).adjusted(-6, -6, 6, 6)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path)

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
        if self.label and lod > 0.45 and self._label_fits():
            painter.setPen(QPen(color, 1))
            painter.setBrush(style.WIRE_LABEL_FILL)
            painter.drawRoundedRect(self._label_rect, 8, 8)
            painter.setFont(_LABEL_FONT)
            painter.setPen(style.ERROR if self.error else style.CARD_TEXT)
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)
