"""For 2-D inputs (the spiral, moons, xor): the test samples as dots coloured by class; a click
puts the input there."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget


class PointPicker(QWidget):
    picked = Signal(object)  # np.ndarray of 2 values

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.plot.setMinimumSize(220, 220)
        self.marker = pg.ScatterPlotItem(size=14, symbol="x", pen=pg.mkPen("#d9534f", width=3))
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def show_samples(self, points: np.ndarray, labels: np.ndarray | None) -> None:
        self.plot.clear()
        colours = [pg.intColor(int(c), hues=max(int(labels.max()) + 1, 2)) for c in labels] if labels is not None \
            else ["#4a7fd4"] * len(points)
        self.plot.addItem(pg.ScatterPlotItem(points[:, 0], points[:, 1], size=5, brush=colours, pen=None))
        self.plot.addItem(self.marker)

    def pick(self, x: float, y: float) -> None:
        """Put the input at (x, y), as a click there does."""
        self.marker.setData([x], [y])
        self.picked.emit(np.array([x, y], dtype=np.float32))

    def _clicked(self, event) -> None:
        point = self.plot.plotItem.vb.mapSceneToView(event.scenePos())
        self.pick(point.x(), point.y())
