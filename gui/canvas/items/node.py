"""A layer on the canvas: a card with name, type, key parameters, output shape and parameter count,
input ports on its top edge and output ports on its bottom edge (data flows down), and an error
badge. It shows the model; it never changes it.

Semantic zoom: below `LOW_DETAIL` the card collapses to its name and output shape, drawn at a
constant size on screen, so a zoomed-out network still reads as named layers."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from engine.graph import NodeData
from engine.layers import LayerSpec
from engine.shapes import NodeInfo
from gui.canvas.items.port import PortItem
from gui.common import format as fmt
from gui.common import style

if TYPE_CHECKING:
    from gui.canvas.items.edge import EdgeItem

W, H, HEADER = style.NODE_WIDTH, style.NODE_HEIGHT, style.HEADER_HEIGHT
FOOTER = 22.0
_FONTS = {"title": style.font(10, bold=True), "title_small": style.font(8.5, bold=True), "small": style.font(8),
          "body": style.font(9),
          "shape": style.font(9.5, bold=True, mono=True), "badge": style.font(9, bold=True),
          "port": style.font(7.5)}
_METRICS = {key: QFontMetricsF(f) for key, f in _FONTS.items()}
LOW_DETAIL = 0.7  # below this zoom a card shows only its name and shape, at a readable size
COMPACT_POINTS = 9.0  # the compact card's text size on screen
EXTRA_PORT_STEP = 34.0  # extra ports (a max-pool's indices) sit right of the first, this far apart


PICTURE_RECT = QRectF(10, HEADER + 4, W - 20, H - HEADER - FOOTER - 7)  # where a card's picture goes
_BOUNDS = QRectF(-10, -28, W + 40, H + 50)  # the card with its ports, port labels and error badge
_CARD_SHAPE = QPainterPath()
_CARD_SHAPE.addRoundedRect(QRectF(0, 0, W, H), 8, 8)


@lru_cache(maxsize=8)
def _header_path(height: float) -> QPainterPath:
    """The coloured band at the top of a card (rounded top corners, square bottom)."""
    path = QPainterPath()
    path.addRoundedRect(QRectF(0.6, 0.6, W - 1.2, height + 8), 7.5, 7.5)
    clip = QPainterPath()
    clip.addRect(QRectF(0, 0, W, height))
    return path.intersected(clip)


@lru_cache(maxsize=64)
def _compact_font(points: float, bold: bool) -> tuple[QFont, QFontMetricsF]:
    font = style.font(points, bold=bold)
    return font, QFontMetricsF(font)


def port_x(index: int) -> float:
    """The first port is centred (so a chain is a straight vertical line); extras go right."""
    return W / 2 if index == 0 else W / 2 + 18 + index * EXTRA_PORT_STEP


def middle_elided(text: str, metrics: QFontMetricsF, width: float) -> str:
    """Shorten a name, keeping whole dotted parts: both ends where they fit ('layer2.0.downsample.0'
    → 'layer2…downsample.0'), else the most specific end ('…conv1'); else cut in the middle."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    parts = text.split(".")
    best = ""
    for tail in range(len(parts) - 1, 0, -1):
        for head in range(len(parts) - tail - 1, 0, -1):
            candidate = f"{'.'.join(parts[:head])}…{'.'.join(parts[-tail:])}"
            if len(candidate) > len(best) and metrics.horizontalAdvance(candidate) <= width:
                best = candidate
    for tail in range(len(parts) - 1, 0, -1):
        candidate = f"…{'.'.join(parts[-tail:])}"
        if not best and metrics.horizontalAdvance(candidate) <= width:
            best = candidate
    return best or metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, width)


def compact_name(name: str, metrics: QFontMetricsF, width: float, height: float) -> str:
    """The name on one line, or broken in two at a '.' or '_' near its middle when that fits
    better (and there is room for two lines), each line shortened in the middle if need be."""
    if metrics.horizontalAdvance(name) <= width or height < 2 * metrics.height():
        return middle_elided(name, metrics, width)
    cuts = [i + 1 for i, c in enumerate(name[:-1]) if c in "._"]
    if not cuts:
        return middle_elided(name, metrics, width)
    cut = min(cuts, key=lambda i: abs(i - len(name) / 2))
    return "\n".join(middle_elided(part, metrics, width) for part in (name[:cut], name[cut:]))


def fitted_title(glyph: str, name: str, width: float) -> tuple[str, str]:
    """(font key, text) for a card's title: glyph and name in the title font if they fit, else in
    a smaller one, else the name alone (the colour still tells the kind), shortened if need be."""
    for font, text in (("title", f"{glyph} {name}"), ("title_small", f"{glyph} {name}")):
        if _METRICS[font].horizontalAdvance(text) <= width:
            return font, text
    return "title_small", middle_elided(name, _METRICS["title_small"], width)


class NodeItem(QGraphicsItem):
    def __init__(self, data: NodeData, spec: LayerSpec) -> None:
        super().__init__()
        self.node_id, self.spec = data.id, spec
        self.name, self.summary = data.name, fmt.param_summary(spec, data.params)
        self._title: tuple[str, str, bool] | None = None  # font key, text, whether the type shows
        self._summary_text: str | None = None
        self.info: NodeInfo | None = None
        self.error: str | None = None
        self.warning: str | None = None
        self.live_note: str | None = None  # e.g. "dead 40%" on a ReLU while training
        self.picture: QPixmap | None = None  # drawn in place of the parameters (Play's activations)
        self.picture_note = ""
        self.edges: list[EdgeItem] = []
        self.color = style.category_color(spec.category)
        self.is_block = spec.type_id == "Block"
        self.type_label = spec.display_name
        self.repeat = data.params.get("repeat", 1) if self.is_block else 1
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsMovable | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
                      | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable)
        self.setZValue(1)
        # Painted once per zoom level and reused until the card changes: a repaint of the canvas
        # (an edit elsewhere, a wire's gradient flow) then costs a copy, not a redraw.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.inputs = {p.name: PortItem(self, data.id, p.name, False, p.multi) for p in spec.inputs}
        self.outputs = {name: PortItem(self, data.id, name, True) for name in spec.outputs}
        self._place_ports()
        self.setPos(QPointF(*data.position))
        self._update_tooltip()

    # -- geometry ----------------------------------------------------------------------
    def _place_ports(self) -> None:
        for ports, y in ((list(self.inputs.values()), 0.0), (list(self.outputs.values()), H)):
            for index, port in enumerate(ports):
                port.setPos(port_x(index), y)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return _BOUNDS

    def shape(self) -> QPainterPath:
        return _CARD_SHAPE

    def card_rect(self) -> QRectF:
        """The card itself (without ports and labels), in scene coordinates."""
        return QRectF(self.scenePos(), self.scenePos() + QPointF(W, H))

    def title_rect(self) -> QRectF:
        """The name's area in scene coordinates (where in-place rename opens)."""
        return QRectF(self.scenePos() + QPointF(6, 2), self.scenePos() + QPointF(W - 6, HEADER - 2))

    # -- state from the model ----------------------------------------------------------
    def set_name(self, name: str) -> None:
        self.name, self._title = name, None
        self._update_tooltip()
        self.update()

    def set_params(self, params: dict) -> None:
        self.summary, self._summary_text = fmt.param_summary(self.spec, params), None
        if self.is_block:
            self.repeat = params.get("repeat", 1)
        self.update()

    def set_info(self, info: NodeInfo | None, error: str | None, warning: str | None) -> None:
        self.info, self.error, self.warning = info, error, warning
        self._update_tooltip()
        self.update()

    def _update_tooltip(self) -> None:
        lines = [f"<b>{self.name}</b> — {self.type_label}: {self.summary}" if self.is_block else
                 f"<b>{self.name}</b> — {self.type_label}",
                 "A block: double-click to open it (Enter), Ctrl+Shift+G to ungroup it." if self.is_block
                 else self.spec.description]
        if self.info and self.info.output_shape is not None:
            lines.append(f"output {fmt.shape_text(self.info.output_shape)} · {fmt.count(self.info.params)} "
                         f"parameters · {fmt.compact(self.info.macs)} MACs")
        if self.error:
            lines.append(f"<span style='color:#d93a3a'><b>Error:</b> {self.error}</span>")
        if self.warning:
            lines.append(f"<span style='color:#a07000'>{self.warning}</span>")
        if self.picture is not None and self.picture_note:
            lines.append(self.picture_note)
        self.setToolTip("<br>".join(lines))

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):  # noqa: N802 - Qt's name
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            scene = self.scene()
            if scene is not None and hasattr(scene, "node_moved"):
                scene.node_moved(self)
            else:
                for edge in self.edges:
                    edge.update_path()
        return super().itemChange(change, value)

    # -- painting ----------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(0, 0, W, H)
        if self.is_block:  # a stack of cards: it holds layers (two behind when it repeats)
            painter.setPen(QPen(style.CARD_BORDER, 1.2))
            painter.setBrush(style.CARD_FILL)
            for offset in (8.0, 4.0) if self.repeat != 1 else (4.5,):
                painter.drawRoundedRect(card.translated(offset, offset), 8, 8)
        if lod > 0.3:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(20, 30, 50, 28))
            painter.drawRoundedRect(card.translated(0, 2.5), 8, 8)
        painter.setBrush(style.ERROR_FILL if self.error else style.CARD_FILL)
        painter.setPen(self._border_pen())
        painter.drawRoundedRect(card, 8, 8)
        if lod < LOW_DETAIL:
            self._paint_compact(painter, lod)
        else:
            self._paint_header(painter, HEADER)
            self._paint_details(painter)
            if self.live_note:
                self._paint_live_note(painter)
        if self.error:
            self._paint_badge(painter, lod)

    def _border_pen(self) -> QPen:
        if self.isSelected():
            return QPen(style.SELECTION, 3)
        if self.error:
            return QPen(style.ERROR, 2)
        pen = QPen(style.WARNING if self.warning else style.CARD_BORDER, 1.2)
        if self.warning:
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    def _paint_header(self, painter: QPainter, height: float) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.ERROR if self.error else self.color)
        painter.drawPath(_header_path(height))

    def _paint_details(self, painter: QPainter) -> None:
        self._paint_title(painter)
        if self.picture is not None:
            painter.drawPixmap(PICTURE_RECT, self.picture, QRectF(self.picture.rect()))
        else:
            painter.setPen(style.CARD_TEXT if self.summary else style.CARD_MUTED)
            painter.setFont(_FONTS["body"])
            if self._summary_text is None:
                self._summary_text = self._wrapped_summary()
            painter.drawText(QRectF(10, HEADER + 3, W - 20, H - HEADER - FOOTER - 3),
                             Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap, self._summary_text)
        painter.setPen(QPen(QColor("#e4e8ee"), 1))
        painter.drawLine(QPointF(9, H - FOOTER), QPointF(W - 9, H - FOOTER))
        shape = self.info.output_shape if self.info else None
        painter.setPen(style.ERROR if self.error else style.CARD_TEXT)
        painter.setFont(_FONTS["shape"])
        text = "error" if self.error and shape is None else fmt.shape_text(shape)
        footer = QRectF(10, H - FOOTER, W - 20, FOOTER - 1)
        painter.drawText(footer, Qt.AlignmentFlag.AlignVCenter, text)
        if self.info and self.info.params:
            params = f"{fmt.compact(self.info.params)} params"
            room = W - 26 - _METRICS["shape"].horizontalAdvance(text)
            if _METRICS["small"].horizontalAdvance(params) > room:
                params = fmt.compact(self.info.params)
            painter.setPen(style.CARD_MUTED)
            painter.setFont(_FONTS["small"])
            painter.drawText(footer, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, params)
        self._paint_port_labels(painter)

    def _paint_title(self, painter: QPainter) -> None:
        """Glyph and name on the left; the type on the right when both fit (else the name wins)."""
        room = W - 18
        if self._title is None:
            type_name = self.type_label
            type_width = _METRICS["small"].horizontalAdvance(type_name) + 8
            show_type = (type_name.lower() != self.name.lower()
                         and _METRICS["title"].horizontalAdvance(f"{self.spec.glyph} {self.name}") + type_width <= room)
            self._title = (*fitted_title(self.spec.glyph, self.name, room - (type_width if show_type else 0)),
                           show_type)
        font, text, show_type = self._title
        painter.setPen(QColor("white"))
        painter.setFont(_FONTS[font])
        painter.drawText(QRectF(9, 0, room, HEADER), Qt.AlignmentFlag.AlignVCenter, text)
        if show_type:
            painter.setPen(QColor(255, 255, 255, 200))
            painter.setFont(_FONTS["small"])
            painter.drawText(QRectF(9, 0, room, HEADER), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             self.type_label)

    def _wrapped_summary(self) -> str:
        """The key parameters on at most two lines (elided after that)."""
        text = self.summary or "no parameters"
        metrics, width = _METRICS["body"], W - 20
        if metrics.horizontalAdvance(text) <= width:
            return text
        words, first = text.split(" "), ""
        while words and metrics.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
            first = f"{first} {words.pop(0)}".strip()
        rest = metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
        return f"{first}\n{rest}" if first else metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)

    def _paint_port_labels(self, painter: QPainter) -> None:
        """Name the extra ports (e.g. a max-pool's 'indices') beside them, outside the card."""
        painter.setFont(_FONTS["port"])
        painter.setPen(style.CARD_MUTED)
        for ports, top in ((self.inputs, -17.0), (self.outputs, H + 3)):
            for port in list(ports.values())[1:]:
                painter.drawText(QRectF(port.x() + 9, top, 60, 14), Qt.AlignmentFlag.AlignLeft
                                 | Qt.AlignmentFlag.AlignVCenter, port.name)

    def _paint_compact(self, painter: QPainter, lod: float) -> None:
        """Zoomed out: the whole card in its colour, with the name (on two lines if it is long)
        and the output shape, at a constant, readable size on screen."""
        scale = 1 / max(lod, 0.05)
        name_font, name_metrics = _compact_font(round(COMPACT_POINTS * scale, 1), True)
        shape_font, shape_metrics = _compact_font(round(COMPACT_POINTS * 0.92 * scale, 1), False)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.ERROR if self.error else self.color)
        painter.drawRoundedRect(QRectF(0.6, 0.6, W - 1.2, H - 1.2), 7.5, 7.5)
        if self.picture is not None and self._paint_compact_picture(painter, name_font, name_metrics):
            return
        shape = self.info.output_shape if self.info else None
        shape_text = "error" if self.error and shape is None else fmt.shape_text(shape)
        name = compact_name(self.name, name_metrics, W - 8, H - 4)
        lines = name.count("\n") + 1
        if lines * name_metrics.height() + shape_metrics.height() > H - 2:
            shape_text = ""  # a long name on two lines wins the room; the shape is in the tooltip
        block = name_metrics.height() * lines + (shape_metrics.height() if shape_text else 0)
        top = max(2.0, (H - block) / 2)
        painter.setPen(QColor("white"))
        painter.setFont(name_font)
        name_height = name_metrics.height() * (name.count("\n") + 1)
        painter.drawText(QRectF(4, top, W - 8, name_height), Qt.AlignmentFlag.AlignCenter, name)
        painter.setPen(QColor(255, 255, 255, 225))
        painter.setFont(shape_font)
        painter.drawText(QRectF(2, top + name_height, W - 4, shape_metrics.height()), Qt.AlignmentFlag.AlignCenter,
                         shape_metrics.elidedText(shape_text, Qt.TextElideMode.ElideRight, W - 4))

    def _paint_compact_picture(self, painter: QPainter, font: QFont, metrics: QFontMetricsF) -> bool:
        """Zoomed out with a picture: the name on one line above it (False: no room for both)."""
        room = H - metrics.height() - 8
        height = min(room, (W - 8) * self.picture.height() / max(self.picture.width(), 1))
        if height < 12:
            return False
        painter.setPen(QColor("white"))
        painter.setFont(font)
        painter.drawText(QRectF(4, 2, W - 8, metrics.height()), Qt.AlignmentFlag.AlignCenter,
                         middle_elided(self.name, metrics, W - 8))
        width = height * self.picture.width() / max(self.picture.height(), 1)
        top = metrics.height() + 4 + (room - height) / 2
        painter.drawPixmap(QRectF((W - width) / 2, top, width, height), self.picture, QRectF(self.picture.rect()))
        return True

    def set_picture(self, picture: QPixmap | None, note: str = "") -> None:
        """Show a picture (e.g. this layer's activations for the Play input) in place of the
        parameters, with `note` in the tooltip; None gives the parameters back."""
        if picture is None and self.picture is None:
            return
        self.picture, self.picture_note = picture, note
        self._update_tooltip()
        self.update()

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

    def _paint_badge(self, painter: QPainter, lod: float) -> None:
        radius = 9 / max(min(lod, 1.0), 0.35)
        center = QPointF(W - 2, 0)
        painter.setPen(QPen(QColor("white"), 2))
        painter.setBrush(QBrush(style.ERROR))
        painter.drawEllipse(center, radius, radius)
        painter.setPen(QColor("white"))
        font, _ = _compact_font(round(9 * radius / 9, 1), True)
        painter.setFont(font)
        painter.drawText(QRectF(center.x() - radius, center.y() - radius, 2 * radius, 2 * radius),
                         Qt.AlignmentFlag.AlignCenter, "!")
