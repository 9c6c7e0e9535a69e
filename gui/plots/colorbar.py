"""A vertical colour bar: the colour scale of a picture with its values at the ends and centre."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from gui.plots.colors import DIVERGING, qimage


class ColorBar(QWidget):
    """`set_scale(low, high, title)`: `lut` runs from `low` (bottom) to `high` (top). Text labels
    (`set_labels`) replace the numbers where one bar stands for many scales (per-filter scaling)."""

    def __init__(self, lut: np.ndarray = DIVERGING, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lut = lut
        self.low, self.high = -1.0, 1.0
        self.title = ""
        self.texts: tuple[str, str, str] | None = None
        self._image = qimage(lut[::-1][:, None, :].repeat(1, axis=1))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(60)

    def set_scale(self, low: float, high: float, title: str = "") -> None:
        self.low, self.high, self.title, self.texts = float(low), float(high), title, None
        self.updateGeometry()
        self.update()

    def set_labels(self, top: str, middle: str, bottom: str, title: str = "") -> None:
        self.texts, self.title = (top, middle, bottom), title
        self.updateGeometry()
        self.update()

    def labels(self) -> tuple[str, str, str]:
        if self.texts is not None:
            return self.texts
        return (f"{self.high:+.3g}", f"{0.5 * (self.low + self.high):.3g}".replace("-0", "0"), f"{self.low:+.3g}")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        metrics = self.fontMetrics()
        text = max((metrics.horizontalAdvance(t) for t in (*self.labels(), self.title)), default=0)
        return QSize(22 + 6 + text + 4, 160)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.sizeHint().width(), 60)

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        metrics = self.fontMetrics()
        top = metrics.height() + 4 if self.title else 6
        bar = QRect(2, top, 18, max(10, self.height() - top - 8))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(bar, self._image)
        painter.setPen(QColor(120, 120, 120))
        painter.drawRect(bar.adjusted(0, 0, -1, -1))
        painter.setPen(QColor(40, 40, 40))
        if self.title:
            title_rect = QRect(0, 0, self.width(), metrics.height() + 2)
            painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignLeft), self.title)
        high, middle, low = self.labels()
        x, half = bar.right() + 6, metrics.ascent() // 2
        painter.drawText(x, bar.top() + metrics.ascent(), high)
        painter.drawText(x, bar.center().y() + half, middle)
        painter.drawText(x, bar.bottom(), low)
