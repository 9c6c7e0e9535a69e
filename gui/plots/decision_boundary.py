"""Decision boundary of a model with 2-D input: class regions over a grid, with the data points,
at equal scale on both axes and filling the panel (the grid is computed for the panel's shape)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel

from engine.training.boundary import data_bounds
from gui.plots.base import PlotPanel
from gui.plots.ranges import set_view_range

PALETTE = np.array([(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189),
                    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)], np.float32)
EMPTY_TEXT = "For a network with 2 inputs classifying points: its class regions appear here while it trains."


def region_image(probabilities: np.ndarray, resolution: int | tuple[int, int]) -> np.ndarray:
    """Class probabilities (N, K) -> an RGB image mixing class colours by confidence."""
    rows, columns = (resolution, resolution) if isinstance(resolution, int) else resolution
    k = probabilities.shape[1]
    colours = probabilities @ PALETTE[:k] if k > 1 else \
        np.outer(probabilities[:, 0], PALETTE[1]) + np.outer(1 - probabilities[:, 0], PALETTE[0])
    confidence = probabilities.max(axis=1, keepdims=True) if k > 1 else np.abs(probabilities - 0.5) * 2
    image = 255 - (255 - colours) * (0.25 + 0.5 * confidence)
    return image.reshape(rows, columns, 3).astype(np.uint8)


class DecisionBoundaryPanel(PlotPanel):
    title = "Decision boundary"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.caption = QLabel(EMPTY_TEXT)
        self.caption.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(90)
        item = self.plot.getPlotItem()
        item.setAspectLocked(True)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.vb.setMouseEnabled(x=False, y=False)
        item.setLabel("bottom", "x₁ (first input)")
        item.setLabel("left", "x₂ (second input)")
        self.regions = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.regions)
        self.scatter = pg.ScatterPlotItem(size=5, pen=pg.mkPen("w", width=0.5))
        self.plot.addItem(self.scatter)
        self.body.addWidget(self.caption)
        self.body.addWidget(self.plot, 1)
        self.bounds = (-1.0, 1.0, -1.0, 1.0)
        self.points = np.zeros((0, 2))
        self.labels = np.zeros(0, np.int64)
        self._pending: tuple[np.ndarray, tuple] | None = None
        self.image: np.ndarray | None = None
        self.step: int | None = None

    def aspect(self) -> float:
        """Width / height of the plotting area (what the next grid should cover). While the tab is
        hidden its panel still has the tab's size, so the area is estimated from that."""
        rect = self.plot.getPlotItem().vb.boundingRect()
        if self.isVisible() and rect.height() > 10 and rect.width() > 10:
            return float(rect.width() / rect.height())
        width, height = self.width() - 80, self.height() - 140  # axes, header and caption
        return width / height if width > 10 and height > 10 else 1.0

    def clear(self) -> None:
        """Back to the empty state (another project, a new run)."""
        if self.image is not None or self.labels.size:  # nothing to repaint in an empty view
            self.regions.clear()
            self.scatter.clear()
        self.points, self.labels = np.zeros((0, 2)), np.zeros(0, np.int64)
        self._pending = self.image = None
        self.step = None
        self.caption.setText(EMPTY_TEXT)

    def set_points(self, points: np.ndarray, labels: np.ndarray) -> None:
        self.points, self.labels = points, labels.astype(np.int64)
        self.bounds = data_bounds(points)
        brushes = [pg.mkBrush(*PALETTE[label % len(PALETTE)]) for label in self.labels]
        self.scatter.setData(points[:, 0], points[:, 1], brush=brushes)

    def set_probabilities(self, probabilities: np.ndarray, resolution, bounds=None, step: int | None = None) -> None:
        """Class probabilities for `grid_points(bounds, resolution)`; drawn at the next refresh."""
        self._pending = (region_image(probabilities, resolution), bounds or self.bounds)
        self.step = step

    def refresh(self) -> bool:
        if self._pending is None:
            return False
        (self.image, self.bounds), self._pending = self._pending, None
        x0, x1, y0, y1 = self.bounds
        self.regions.setImage(self.image, levels=(0, 255))
        self.regions.setRect(x0, y0, x1 - x0, y1 - y0)
        set_view_range(self.plot.getPlotItem(), x=(x0, x1), y=(y0, y1))
        classes = int(self.labels.max()) + 1 if self.labels.size else 0
        legend = "  ".join(f"<span style='color:rgb{tuple(int(c) for c in PALETTE[k % len(PALETTE)])}'>●</span> "
                           f"class {k}" for k in range(classes))
        when = f" after step {self.step:,}" if self.step is not None else ""
        self.caption.setText(f"The model's class for every point of the plane{when}: {legend}; paler where it is "
                             "less sure. Dots: training samples.")
        return True

    def csv_table(self):
        return ("x", "y", "label"), ((*p, label) for p, label in zip(self.points.tolist(), self.labels.tolist()))
