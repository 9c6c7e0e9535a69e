"""A page of small images (feature maps, filters, reconstructions) with their labels, drawn at a
zoom: the mouse wheel scrolls the page like any document, Ctrl+wheel zooms about the cursor,
`reset_view()` fits it to the panel again. Each image is magnified on its own (smoothly), so the
gaps between them stay a neutral grey instead of bleeding into the pictures."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

from gui.plots.colors import GAP

BACKGROUND = QColor(250, 250, 250)
MAX_PIXELS = 16_000_000  # the drawn page never exceeds this (zoom is capped instead)


@dataclass
class Tile:
    """One image at `rect` (page units); `key` is what a click on it reports."""

    image: QImage
    rect: QRectF
    key: object = None
    frame: QColor | None = None  # a coloured frame (the chosen sample, say)


@dataclass
class Label:
    text: str
    rect: QRectF  # page units; the text is elided to its width
    bold: bool = False
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    color: QColor | None = None


@dataclass
class Panel:
    """A filled rectangle behind a group of tiles (the grey gaps of a montage)."""

    rect: QRectF
    color: QColor | None = None  # None: the gap grey


class _Surface(QWidget):
    def __init__(self, canvas: ImageCanvas) -> None:
        super().__init__()
        self.canvas = canvas
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        pixmap = self.canvas._pixmap
        if pixmap is None:
            painter.fillRect(event.rect(), BACKGROUND)
            return
        painter.drawPixmap(QPointF(0, 0), pixmap)  # clipped to the exposed region

    def wheelEvent(self, event) -> None:  # noqa: N802 - the canvas scrolls or zooms
        self.canvas.wheelEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        point = event.position() / self.canvas.zoom
        for tile in self.canvas.tiles:
            if tile.key is not None and tile.rect.contains(point):
                self.canvas.tile_clicked.emit(tile.key)
                return
        super().mousePressEvent(event)


class ImageCanvas(QScrollArea):
    """`set_page(tiles, labels, size)` replaces the content (page units); `fit` is 'page' (the
    whole page in view) or 'width' (as wide as the panel, scrolling down)."""

    tile_clicked = Signal(object)
    ZOOM_STEP = 1.2

    def __init__(self, fit: str = "page", min_zoom: float = 0.25, max_zoom: float = 4.0, smooth: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fit, self.min_zoom, self.max_zoom, self.smooth = fit, min_zoom, max_zoom, smooth
        self.tiles: list[Tile] = []
        self.labels: list[Label] = []
        self.panels: list[Panel] = []
        self.page = QSize(0, 0)
        self.zoom = 1.0
        self.fitted = True  # follows the panel's size until the user zooms
        self.message = ""
        self._pixmap: QPixmap | None = None
        self.surface = _Surface(self)
        self.setWidget(self.surface)
        self.surface.resize(1, 1)  # no page yet
        self.setWidgetResizable(False)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter if fit == "page" else
                          Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(80, 60)
        self.viewport().setStyleSheet("background: rgb(250, 250, 250);")

    # -- content ----------------------------------------------------------------------------
    def set_page(self, tiles: list[Tile], labels: list[Label], size: tuple[float, float],
                 panels: list[Panel] = ()) -> None:
        self.tiles, self.labels, self.panels = list(tiles), list(labels), list(panels)
        self.page = QSize(max(1, round(size[0])), max(1, round(size[1])))
        self.message = ""
        self._layout()

    def show_message(self, text: str) -> None:
        if self._pixmap is None and self.page.isEmpty() and text == self.message:
            return  # already so: nothing to repaint
        self.tiles, self.labels, self.panels = [], [], []
        self.page = QSize(0, 0)
        self.message = text
        self._pixmap = None
        self.surface.resize(1, 1)
        self.surface.update()

    @property
    def empty(self) -> bool:
        return not self.tiles

    # -- zoom -------------------------------------------------------------------------------
    def fit_zoom(self) -> float:
        if self.page.isEmpty():
            return 1.0
        view = self.maximumViewportSize()
        width, height = max(1, view.width() - 4), max(1, view.height() - 4)
        zoom = width / self.page.width()
        if self.fit == "page":
            zoom = min(zoom, height / self.page.height())
        elif self.page.height() * zoom > height:  # a vertical scroll bar will take some width
            zoom = max(1, width - self.verticalScrollBar().sizeHint().width()) / self.page.width()
        return self._clamp(zoom)

    def _clamp(self, zoom: float) -> float:
        zoom = min(self.max_zoom, max(self.min_zoom, zoom))
        pixels = self.page.width() * self.page.height()
        return min(zoom, (MAX_PIXELS / pixels) ** 0.5) if pixels else zoom

    def reset_view(self) -> None:
        self.fitted = True
        self._layout()

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom to `zoom` keeping the page point under `anchor` (viewport coordinates) in place."""
        zoom = self._clamp(zoom)
        if anchor is None:
            anchor = QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        bars = self.horizontalScrollBar(), self.verticalScrollBar()
        page_point = (QPointF(bars[0].value(), bars[1].value()) + anchor - QPointF(self.surface.pos())) / self.zoom
        self.fitted = False
        self._apply(zoom)
        target = page_point * zoom - anchor
        bars[0].setValue(round(target.x()))
        bars[1].setValue(round(target.y()))

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                anchor = QPointF(self.viewport().mapFromGlobal(event.globalPosition().toPoint()))
                self.set_zoom(self.zoom * self.ZOOM_STEP ** steps, anchor)
            event.accept()
            return
        super().wheelEvent(event)  # scroll the page

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.fitted and not self.page.isEmpty():
            zoom = self.fit_zoom()
            if abs(zoom - self.zoom) > 1e-3:
                self._apply(zoom)

    def _layout(self) -> None:
        if self.page.isEmpty():
            return self.show_message(self.message)
        self._apply(self.fit_zoom() if self.fitted else self._clamp(self.zoom))

    def _apply(self, zoom: float) -> None:
        self.zoom = zoom
        self._pixmap = self.render_page(zoom)
        ratio = self._pixmap.devicePixelRatio()
        self.surface.resize(round(self._pixmap.width() / ratio), round(self._pixmap.height() / ratio))
        self.surface.update()

    # -- drawing ----------------------------------------------------------------------------
    def render_page(self, zoom: float) -> QPixmap:
        ratio = self.devicePixelRatioF()
        width, height = max(1, round(self.page.width() * zoom)), max(1, round(self.page.height() * zoom))
        pixmap = QPixmap(round(width * ratio), round(height * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(BACKGROUND)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.smooth)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for panel in self.panels:
            painter.fillRect(_zoomed(panel.rect, zoom), panel.color or GAP)
        for tile in self.tiles:
            target = _zoomed(tile.rect, zoom)
            painter.drawImage(target, tile.image)
            if tile.frame is not None:
                painter.setPen(QPen(tile.frame, 2))
                painter.drawRect(target.adjusted(-2, -2, 2, 2))
        font = QFont(self.font())
        for label in self.labels:
            font.setBold(label.bold)
            font.setPixelSize(max(8, min(18, round(12 * zoom))))
            painter.setFont(font)
            painter.setPen(label.color or QColor(40, 40, 40))
            target = _zoomed(label.rect, zoom)
            text = painter.fontMetrics().elidedText(label.text, Qt.TextElideMode.ElideRight, int(target.width()))
            painter.drawText(target, int(label.align), text)
        painter.end()
        return pixmap

    def paintEvent(self, event) -> None:  # noqa: N802 - the message of an empty page
        super().paintEvent(event)
        if self.page.isEmpty() and self.message:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(90, 90, 90))
            painter.drawText(self.viewport().rect().adjusted(12, 12, -12, -12),
                             int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.message)


def _zoomed(rect: QRectF, zoom: float) -> QRectF:
    return QRectF(rect.x() * zoom, rect.y() * zoom, rect.width() * zoom, rect.height() * zoom)
