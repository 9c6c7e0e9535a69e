"""A layer on the canvas: a card with name, type, key parameters, output shape and parameter count,
ports on its sides, and an error badge. It shows the model; it never changes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from engine.graph import NodeData
from engine.layers import LayerSpec
from engine.shapes import NodeInfo
from gui import format as fmt
from gui import style
from gui.canvas.items.port import PortItem

if TYPE_CHECKING:
    from gui.canvas.items.edge import EdgeItem

W, H, HEADER = style.NODE_WIDTH, style.NODE_HEIGHT, style.HEADER_HEIGHT
_FONTS = {"title": style.font(10.5, bold=True), "small": style.font(8.2), "body": style.font(9.2),
          "shape": style.font(9.8, bold=True, mono=True), "big": style.font(17, bold=True),
          "bigshape": style.font(16, bold=True, mono=True), "badge": style.font(9, bold=True),
          "port": style.font(7.5)}
_METRICS = {key: QFontMetricsF(f) for key, f in _FONTS.items()}
LOW_DETAIL = 0.55  # below this zoom a card shows only its name and shape, in large type


class NodeItem(QGraphicsItem):
    def __init__(self, data: NodeData, spec: LayerSpec) -> None:
        super().__init__()
        self.node_id, self.spec = data.id, spec
        self.name, self.summary = data.name, fmt.param_summary(spec, data.params)
        self.info: NodeInfo | None = None
        self.error: str | None = None
        self.warning: str | None = None
        self.live_note: str | None = None  # e.g. "dead 40%" on a ReLU while training
        self.edges: list[EdgeItem] = []
        self.color = style.category_color(spec.category)
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setZValue(1)
        self.inputs = {p.name: PortItem(self, data.id, p.name, False, p.multi) for p in spec.inputs}
        self.outputs = {name: PortItem(self, data.id, name, True) for name in spec.outputs}
        self._place_ports()
        self.setPos(QPointF(*data.position))
        self._update_tooltip()

    # -- geometry ----------------------------------------------------------------------
    def _place_ports(self) -> None:
        """The first port sits mid-height (so chains are straight lines); extra ones below it."""
        for ports, x in ((list(self.inputs.values()), 0.0), (list(self.outputs.values()), W)):
            for index, port in enumerate(ports):
                port.setPos(x, H / 2 + index * (H / 2 - 14))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return QRectF(-68, -12, W + 136, H + 18)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, W, H), 8, 8)
        return path

    def title_rect(self) -> QRectF:
        """The name's area in scene coordinates (where in-place rename opens)."""
        return QRectF(self.scenePos() + QPointF(6, 2), self.scenePos() + QPointF(W - 6, HEADER - 2))

    # -- state from the model ----------------------------------------------------------
    def set_name(self, name: str) -> None:
        self.name = name
        self._update_tooltip()
        self.update()

    def set_params(self, params: dict) -> None:
        self.summary = fmt.param_summary(self.spec, params)
        self.update()

    def set_info(self, info: NodeInfo | None, error: str | None, warning: str | None) -> None:
        self.info, self.error, self.warning = info, error, warning
        self._update_tooltip()
        self.update()

    def _update_tooltip(self) -> None:
        lines = [f"<b>{self.name}</b> — {self.spec.display_name}", self.spec.description]
        if self.info and self.info.output_shape is not None:
            lines.append(f"output {fmt.shape_text(self.info.output_shape)} · {fmt.count(self.info.params)} "
                         f"parameters · {fmt.compact(self.info.macs)} MACs")
        if self.error:
            lines.append(f"<span style='color:#d93a3a'><b>Error:</b> {self.error}</span>")
        if self.warning:
            lines.append(f"<span style='color:#a07000'>{self.warning}</span>")
        self.setToolTip("<br>".join(lines))

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):  # noqa: N802 - Qt's name
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)

    # -- painting ----------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(0, 0, W, H)
        if lod > 0.3:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(20, 30, 50, 28))
            painter.drawRoundedRect(card.translated(0, 2.5), 8, 8)
        painter.setBrush(style.ERROR_FILL if self.error else style.CARD_FILL)
        painter.setPen(self._border_pen())
        painter.drawRoundedRect(card, 8, 8)
        self._paint_header(painter)
        if lod < LOW_DETAIL:
            self._paint_low_detail(painter)
        else:
            self._paint_details(painter)
        if self.error:
            self._paint_badge(painter)
        if self.live_note and lod >= LOW_DETAIL:
            self._paint_live_note(painter)

    def _border_pen(self) -> QPen:
        if self.isSelected():
            return QPen(style.SELECTION, 2.5)
        if self.error:
            return QPen(style.ERROR, 2)
        pen = QPen(style.WARNING if self.warning else style.CARD_BORDER, 1.2)
        if self.warning:
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    def _paint_header(self, painter: QPainter) -> None:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0.6, 0.6, W - 1.2, HEADER + 8), 7.5, 7.5)
        clip = QPainterPath()
        clip.addRect(QRectF(0, 0, W, HEADER))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.ERROR if self.error else self.color)
        painter.drawPath(path.intersected(clip))

    def _paint_details(self, painter: QPainter) -> None:
        type_width = min(_METRICS["small"].horizontalAdvance(self.spec.display_name) + 4, W / 2)
        painter.setPen(QColor(255, 255, 255, 190))
        painter.setFont(_FONTS["small"])
        painter.drawText(QRectF(W - 8 - type_width, 0, type_width, HEADER), Qt.AlignmentFlag.AlignVCenter
                         | Qt.AlignmentFlag.AlignRight, _METRICS["small"].elidedText(
                             self.spec.display_name, Qt.TextElideMode.ElideRight, type_width))
        painter.setPen(QColor("white"))
        painter.setFont(_FONTS["title"])
        title_width = W - 22 - type_width
        painter.drawText(QRectF(9, 0, title_width, HEADER), Qt.AlignmentFlag.AlignVCenter,
                         _METRICS["title"].elidedText(f"{self.spec.glyph} {self.name}", Qt.TextElideMode.ElideRight,
                                                      title_width))
        painter.setPen(style.CARD_TEXT if self.summary else style.CARD_MUTED)
        painter.setFont(_FONTS["body"])
        painter.drawText(QRectF(11, HEADER + 4, W - 22, 36), Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                         self._wrapped_summary())
        painter.setPen(QPen(QColor("#e4e8ee"), 1))
        painter.drawLine(QPointF(10, H - 26), QPointF(W - 10, H - 26))
        shape = self.info.output_shape if self.info else None
        painter.setPen(style.ERROR if self.error else style.CARD_TEXT)
        painter.setFont(_FONTS["shape"])
        text = "error" if self.error and shape is None else fmt.shape_text(shape)
        painter.drawText(QRectF(11, H - 25, W - 22, 23), Qt.AlignmentFlag.AlignVCenter, text)
        if self.info and self.info.params:
            params = f"{fmt.compact(self.info.params)} params"
            room = W - 28 - _METRICS["shape"].horizontalAdvance(text)
            if _METRICS["small"].horizontalAdvance(params) > room:
                params = fmt.compact(self.info.params)
            painter.setPen(style.CARD_MUTED)
            painter.setFont(_FONTS["small"])
            painter.drawText(QRectF(11, H - 25, W - 22, 23), Qt.AlignmentFlag.AlignVCenter
                             | Qt.AlignmentFlag.AlignRight, params)
        self._paint_port_labels(painter)

    def _wrapped_summary(self) -> str:
        """The key parameters on at most two lines (elided after that)."""
        text = self.summary or "no parameters"
        metrics, width = _METRICS["body"], W - 22
        if metrics.horizontalAdvance(text) <= width:
            return text
        words, first = text.split(" "), ""
        while words and metrics.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
            first = f"{first} {words.pop(0)}".strip()
        rest = metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
        return f"{first}\n{rest}" if first else metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)

    def _paint_port_labels(self, painter: QPainter) -> None:
        """Name the extra ports (e.g. a max-pool's 'indices'), just outside the card."""
        painter.setFont(_FONTS["port"])
        painter.setPen(style.CARD_MUTED)
        for ports, align, x in ((self.inputs, Qt.AlignmentFlag.AlignRight, -64.0),
                                (self.outputs, Qt.AlignmentFlag.AlignLeft, W + 4.0)):
            for port in list(ports.values())[1:]:
                painter.drawText(QRectF(x, port.y() - 20, 60, 12), align | Qt.AlignmentFlag.AlignBottom, port.name)

    def _paint_low_detail(self, painter: QPainter) -> None:
        painter.setPen(QColor("white"))
        painter.setFont(_FONTS["big"])
        painter.drawText(QRectF(8, -4, W - 16, HEADER + 14), Qt.AlignmentFlag.AlignCenter,
                         _METRICS["big"].elidedText(self.name, Qt.TextElideMode.ElideRight, W - 16))
        shape = self.info.output_shape if self.info else None
        painter.setPen(style.ERROR if self.error else style.CARD_TEXT)
        painter.setFont(_FONTS["bigshape"])
        painter.drawText(QRectF(4, HEADER + 8, W - 8, H - HEADER - 8), Qt.AlignmentFlag.AlignCenter,
                         "error" if self.error and shape is None else fmt.shape_text(shape))

    def set_live_note(self, note: str | None) -> None:
        if note != self.live_note:
            self.live_note = note
            self.update()

    def _paint_live_note(self, painter: QPainter) -> None:
        width = _METRICS["badge"].horizontalAdvance(self.live_note) + 12
        rect = QRectF(W - width - 4, H - 8, width, 16)
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(QBrush(style.DEAD_UNITS))
        painter.drawRoundedRect(rect, 8, 8)
        painter.setPen(QColor("white"))
        painter.setFont(_FONTS["badge"])
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.live_note)

    def _paint_badge(self, painter: QPainter) -> None:
        center = QPointF(W - 2, 0)
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(QBrush(style.ERROR))
        painter.drawEllipse(center, 9, 9)
        painter.setPen(QColor("white"))
        painter.setFont(_FONTS["badge"])
        painter.drawText(QRectF(center.x() - 9, center.y() - 9, 18, 18), Qt.AlignmentFlag.AlignCenter, "!")
