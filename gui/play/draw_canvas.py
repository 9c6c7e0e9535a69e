"""A square canvas to draw a digit with the mouse: a smooth round white brush on black (the right
button, or Eraser, erases), Clear. `drawn` carries the picture as an H×W array in 0..1, at most
every DRAW_INTERVAL_MS while drawing and once when the stroke ends."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QElapsedTimer, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

SIDE = 224
BRUSH = 18.0  # about 2.2 MNIST pixels once scaled to the 20-pixel box
DRAW_INTERVAL_MS = 40


class DrawCanvas(QWidget):
    drawn = Signal(object)  # np.ndarray (SIDE × SIDE, 0..1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(SIDE, SIDE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw with the left button; the right button (or Eraser) erases")
        self.image = QImage(SIDE, SIDE, QImage.Format.Format_Grayscale8)
        self.image.fill(0)
        self.eraser = False
        self._last: QPointF | None = None
        self._erasing = False
        self._since = QElapsedTimer()

    def clear(self) -> None:
        self.image.fill(0)
        self.update()
        self.drawn.emit(self.array())

    def array(self) -> np.ndarray:
        """The picture as floats in 0..1."""
        bits = self.image.constBits()
        rows = np.frombuffer(bits, dtype=np.uint8).reshape(SIDE, self.image.bytesPerLine())[:, :SIDE]
        return rows.astype(np.float32) / 255.0

    def draw_stroke(self, points: list[tuple[float, float]], erase: bool = False) -> None:
        """Draw a stroke through `points` (widget coordinates), as a mouse drag would."""
        self._erasing = erase
        self._last = QPointF(*points[0])
        for x, y in points[1:]:
            self._line_to(QPointF(x, y))
        self._last = None
        self.drawn.emit(self.array())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._erasing = self.eraser or event.button() == Qt.MouseButton.RightButton
        self._last = event.position()
        self._line_to(event.position())
        self._since.start()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._last is None:
            return
        self._line_to(event.position())
        if self._since.elapsed() >= DRAW_INTERVAL_MS:
            self._since.restart()
            self.drawn.emit(self.array())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._last is not None:
            self._last = None
            self.drawn.emit(self.array())

    def _line_to(self, point: QPointF) -> None:
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(0, 0, 0) if self._erasing else QColor(255, 255, 255)
        painter.setPen(QPen(colour, BRUSH * (2 if self._erasing else 1), Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        painter.drawLine(self._last or point, point)
        painter.end()
        self._last = point
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.setPen(QPen(QColor("#8895a7"), 1))
        painter.drawRect(0, 0, SIDE - 1, SIDE - 1)
