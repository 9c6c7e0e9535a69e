"""Opaque colours for what would be translucent over the plots' white background: Qt draws
translucent lines and fills several times slower than opaque ones (pyqtgraph's grid: tens of
milliseconds a paint, and the grid is repainted with every curve), and over white they look the same."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPen

BACKGROUND = QColor("white")  # the plots' background (gui.plots.base)


def over_background(color: QColor, background: QColor = BACKGROUND) -> QColor:
    """The opaque colour `color` shows over `background`."""
    alpha = color.alphaF()
    return QColor(*(round(c * alpha + b * (1 - alpha)) for c, b in
                    zip(color.getRgb()[:3], background.getRgb()[:3])))


class GridAxis(pg.AxisItem):
    """pg.AxisItem with the same grid in opaque colours, drawn under the data: pyqtgraph draws
    axes (and so their grid) above the view's items, which an opaque grid would cut into gaps."""

    def linkToView(self, view) -> None:  # noqa: N802 - pyqtgraph's name
        super().linkToView(view)
        view.setZValue(1)  # above the axes (PlotItem puts them at 0.5): the curves over the grid

    def generateDrawSpecs(self, p):  # noqa: N802 - pyqtgraph's name
        specs = super().generateDrawSpecs(p)
        if specs is None or self.grid is False:
            return specs
        axis, ticks, texts = specs
        pens: dict[int, QPen] = {}
        opaque = []
        for pen, start, stop in ticks:
            key = pen.color().rgba()
            if key not in pens:
                pens[key] = QPen(pen)
                pens[key].setColor(over_background(pen.color()))
            opaque.append((pens[key], start, stop))
        return axis, opaque, texts
