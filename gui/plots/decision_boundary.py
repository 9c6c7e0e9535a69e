"""Decision boundary of a model with 2-D input: class regions over a grid, with the data points."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.plots.base import PlotPanel

PALETTE = np.array([(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14), (148, 103, 189),
                    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)], np.float32)


def grid_points(bounds: tuple[float, float, float, float], resolution: int) -> np.ndarray:
    """(resolution*resolution, 2) points covering x0..x1, y0..y1, row-major from the bottom."""
    x0, x1, y0, y1 = bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)


def region_image(probabilities: np.ndarray, resolution: int) -> np.ndarray:
    """Class probabilities (N, K) -> an RGB image mixing class colours by confidence."""
    k = probabilities.shape[1]
    colours = probabilities @ PALETTE[:k] if k > 1 else np.outer(probabilities[:, 0], PALETTE[1])
    confidence = probabilities.max(axis=1, keepdims=True) if k > 1 else np.abs(probabilities - 0.5) * 2
    image = 255 - (255 - colours) * (0.25 + 0.5 * confidence)
    return image.reshape(resolution, resolution, 3).astype(np.uint8)


class DecisionBoundaryPanel(PlotPanel):
    title = "Decision boundary"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.regions = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.regions)
        self.scatter = pg.ScatterPlotItem(size=5, pen=pg.mkPen("w", width=0.5))
        self.plot.addItem(self.scatter)
        self.body.addWidget(self.plot)
        self.bounds = (-1.0, 1.0, -1.0, 1.0)
        self.points = np.zeros((0, 2))
        self.labels = np.zeros(0, np.int64)
        self._pending: np.ndarray | None = None
        self.image: np.ndarray | None = None

    def clear(self) -> None:
        """Back to the empty state (another project, a new run)."""
        self.points, self.labels = np.zeros((0, 2)), np.zeros(0, np.int64)
        self._pending = self.image = None
        self.regions.clear()
        self.scatter.clear()

    def set_points(self, points: np.ndarray, labels: np.ndarray) -> None:
        self.points, self.labels = points, labels.astype(np.int64)
        margin = 0.1 * (points.max(axis=0) - points.min(axis=0) + 1e-6)
        low, high = points.min(axis=0) - margin, points.max(axis=0) + margin
        self.bounds = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))
        brushes = [pg.mkBrush(*PALETTE[label % len(PALETTE)]) for label in self.labels]
        self.scatter.setData(points[:, 0], points[:, 1], brush=brushes)

    def set_probabilities(self, probabilities: np.ndarray, resolution: int) -> None:
        """Class probabilities for `grid_points(self.bounds, resolution)`; drawn at the next refresh."""
        self._pending = region_image(probabilities, resolution)

    def refresh(self) -> None:
        if self._pending is None:
            return
        self.image, self._pending = self._pending, None
        x0, x1, y0, y1 = self.bounds
        self.regions.setImage(self.image, levels=(0, 255))
        self.regions.setRect(x0, y0, x1 - x0, y1 - y0)

    def csv_table(self):
        return ("x", "y", "label"), ((*p, l) for p, l in zip(self.points.tolist(), self.labels.tolist()))
