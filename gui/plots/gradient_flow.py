"""Gradient flow: each layer's parameter-gradient norm over training time (a heatmap, layers as
rows from input to output, with a colour bar) and the latest values as bars beside it, on a
log scale, so vanishing or exploding gradients are visible at a glance."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.plots.base import PlotPanel, caption
from gui.plots.heatmap import TimeHeatmap, steady
from gui.plots.opaque import GridAxis
from gui.plots.ranges import set_view_range

FLOOR = 1e-12
EMPTY_TEXT = "Each layer's gradient norm appears here after the first probe of a run."
EXPLAINED = ("Each layer's gradient norm over time (brighter: larger) and now (bars, log scale). A layer far below "
             "the others learns slowly (vanishing gradients); one growing fast may explode.")


class PowerAxis(GridAxis):
    """An axis over log10 values, labelled with the values themselves (1e-3, 0.01, 1)."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph's name
        return [f"{10.0 ** v:.0e}".replace("e+00", "").replace("e-0", "e-").replace("e+0", "e") if v != 0 else "1"
                for v in values]


class GradientFlowPanel(PlotPanel):
    title = "Gradient flow"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.layers: list[str] = []
        self.steps: list[int] = []
        self.norms: list[np.ndarray] = []
        self._drawn = 0
        self._version = 0
        self.caption = caption(EMPTY_TEXT)
        layout = pg.GraphicsLayoutWidget()
        layout.setMinimumHeight(100)
        self.heat_plot = layout.addPlot(row=0, col=0, title="gradient norm of each layer's parameters over time")
        self.heat_plot.invertY(True)
        self.heat = TimeHeatmap(self.heat_plot, "viridis", "‖gradient‖ (log10)")
        self.bar_plot = layout.addPlot(row=0, col=1, title="latest", axisItems={"bottom": PowerAxis("bottom")})
        self.bar_plot.invertY(True)
        self.bar_plot.setYLink(self.heat_plot)
        self.bar_plot.hideAxis("left")
        self.bar_plot.showGrid(x=True, alpha=0.25)
        self.bar_plot.setMenuEnabled(False)
        self.bar_plot.hideButtons()
        self.bar_plot.vb.setMouseEnabled(x=False, y=False)
        self.bar_plot.setLabel("bottom", "‖gradient‖")
        layout.ci.layout.setColumnStretchFactor(0, 3)
        layout.ci.layout.setColumnStretchFactor(1, 1)
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush="#1f77b4", pen=None)
        self.bar_plot.addItem(self.bars)
        self._ticked: list[str] = []
        self._bar_range: tuple[float, float] | None = None
        self._bar_drawn: tuple[float, float] | None = None
        self.body.addWidget(self.caption)
        self.body.addWidget(layout, 1)
        self.heat_image = self.heat.image

    @property
    def steps_per_epoch(self) -> int:
        return self.heat.steps_per_epoch

    def set_time_unit(self, steps_per_epoch: int, planned_steps: int | None = None) -> None:
        self.heat.set_time_unit(steps_per_epoch, planned_steps)
        self._version += 1

    def set_end(self, step: int) -> None:
        self.heat.set_end(step)
        self._version += 1

    def clear(self) -> None:
        """Back to the empty state, drawn at the next refresh."""
        self.layers, self.steps, self.norms = [], [], []
        self._bar_range = None
        self._version += 1
        self.heat.clear()

    def add(self, step: int, norms: dict[str, float]) -> None:
        """Record one probe: gradient norm per parameterized layer (input to output order); a
        second probe at the same step (Pause, the end) replaces the first."""
        if not norms:
            return
        if not self.layers:
            self.layers = list(norms)
        row = np.array([norms.get(name, np.nan) for name in self.layers], np.float64)
        if self.steps and self.steps[-1] == step:
            self.norms[-1] = row
        else:
            self.steps.append(step)
            self.norms.append(row)
        self._version += 1

    def refresh(self) -> bool:
        if self._version == self._drawn:
            return False
        self._drawn = self._version
        if not self.norms:
            self.heat.sync()
            if self._bar_drawn is not None or self._ticked:
                self.bars.setOpts(x0=[], y=[], width=[])
                self._bar_drawn, self._ticked = None, []
            self.caption.setText(EMPTY_TEXT)
            return True
        logs = np.log10(np.maximum(np.stack(self.norms, axis=1), FLOOR))
        count = len(self.layers)
        self.heat.show(self.steps, logs, (0, count))
        self.caption.setText(EXPLAINED)
        if self._ticked != self.layers:  # new ticks redraw the axis: only when the layers change
            self._ticked = list(self.layers)
            self.heat_plot.getAxis("left").setTicks([[(i + 0.5, name) for i, name in enumerate(self.layers)]])
        latest = logs[:, -1]
        finite = logs[np.isfinite(logs)]
        low, high = (float(np.floor(finite.min())), float(np.ceil(finite.max()))) if finite.size else (-6.0, 0.0)
        self._bar_range = steady(self._bar_range, low - 0.5, max(high, low + 1))
        floor = self._bar_range[0]
        self.bars.setOpts(x0=np.full(count, floor), y=np.arange(count) + 0.5, width=latest - floor, height=0.7)
        if self._bar_range != self._bar_drawn:
            self._bar_drawn = self._bar_range
            set_view_range(self.bar_plot, x=self._bar_range)
        return True

    def csv_table(self):
        header = ("step", *self.layers)
        return header, ((s, *n.tolist()) for s, n in zip(self.steps, self.norms))
