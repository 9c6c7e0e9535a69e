"""Gradient flow: per-layer gradient norm as bars (log scale) and a layer x time heatmap,
so vanishing or exploding gradients are visible at a glance."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.plots.base import PlotPanel

FLOOR = 1e-12


class GradientFlowPanel(PlotPanel):
    title = "Gradient flow"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.layers: list[str] = []
        self.steps: list[int] = []
        self.norms: list[np.ndarray] = []
        self._drawn = 0
        layout = pg.GraphicsLayoutWidget()
        layout.setMinimumHeight(120)
        self.bar_plot = layout.addPlot(row=0, col=0, title="gradient norm per layer (latest, log10)")
        self.bar_plot.showGrid(y=True, alpha=0.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush="#1f77b4")
        self.bar_plot.addItem(self.bars)
        self.heat_plot = layout.addPlot(row=1, col=0, title="log10 gradient norm: layers (rows) over time")
        self.heat_plot.invertY(True)
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setColorMap(pg.colormap.get("viridis"))
        self.heat_plot.addItem(self.heat)
        self.body.addWidget(layout)

    def clear(self) -> None:
        self.layers, self.steps, self.norms, self._drawn = [], [], [], 0
        self.bars.setOpts(x=[], height=[])
        self.heat.clear()

    def add(self, step: int, norms: dict[str, float]) -> None:
        """Record one probe: gradient norm per parameterized layer (input to output order)."""
        if not self.layers:
            self.layers = list(norms)
        self.steps.append(step)
        self.norms.append(np.array([norms.get(name, np.nan) for name in self.layers], np.float64))

    def refresh(self) -> None:
        if len(self.norms) == self._drawn or not self.norms:
            return
        self._drawn = len(self.norms)
        latest = np.log10(np.maximum(self.norms[-1], FLOOR))
        self.bars.setOpts(x=np.arange(len(self.layers)), height=latest, width=0.7)
        self.bar_plot.getAxis("bottom").setTicks([list(enumerate(self.layers))])
        matrix = np.log10(np.maximum(np.stack(self.norms, axis=1), FLOOR))
        self.heat.setImage(matrix, autoLevels=True)
        self.heat_plot.getAxis("left").setTicks([[(i + 0.5, n) for i, n in enumerate(self.layers)]])

    def csv_table(self):
        header = ("step", *self.layers)
        return header, ((s, *n.tolist()) for s, n in zip(self.steps, self.norms))
