"""A heatmap over training time (probes as columns) with a labelled time axis (epochs, or steps
before a run says its epoch length) and a colour bar."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.plots.ranges import set_view_range

MAX_COLUMNS = 600


def time_columns(steps: np.ndarray, matrix: np.ndarray, max_columns: int = MAX_COLUMNS
                 ) -> tuple[float, float, np.ndarray]:
    """(start step, end step, columns) with the probes (columns of `matrix`, taken at `steps`) on
    an even time grid. A probe stands for the steps since the one before it (the first for one
    typical interval), so the map ends at the last probe, and probes taken at irregular times
    (Pause, Step, the end of a run) are not drawn evenly spaced."""
    steps = np.asarray(steps, np.float64)
    count = len(steps)
    if count == 1:
        return max(0.0, steps[0] - 1.0), steps[0], matrix
    gaps = np.diff(steps)
    typical = float(np.median(gaps[gaps > 0])) if (gaps > 0).any() else 1.0
    start, stop = max(0.0, float(steps[0]) - typical), float(steps[-1])
    if np.allclose(gaps, typical) and count <= max_columns and steps[0] - typical >= 0:
        return start, stop, matrix
    smallest = float(gaps[gaps > 0].min()) if (gaps > 0).any() else typical
    columns = int(min(max_columns, max(count, np.ceil((stop - start) / max(smallest, 1e-9)))))
    centres = start + (np.arange(columns) + 0.5) * (stop - start) / columns
    index = np.clip(np.searchsorted(steps, centres, side="left"), 0, count - 1)
    return start, stop, matrix[:, index]


def steady(current: tuple[float, float] | None, low: float, high: float, slack: float = 0.5
           ) -> tuple[float, float]:
    """A range that follows [low, high] but changes rarely: kept while it holds the data and the
    data fills at least `slack` of it (each change redraws an axis)."""
    if high <= low:
        low, high = low - 0.5, high + 0.5
    if current is not None and current[0] <= low and high <= current[1] and \
            (high - low) >= slack * (current[1] - current[0]):
        return current
    margin = 0.1 * (high - low)
    return low - margin, high + margin


class TimeHeatmap:
    """A PlotItem showing rows over time, with a colour bar titled `unit`. While a run goes on the
    time axis spans the planned run (the map grows to the right, as the loss curve does); it ends
    where the run ended. Changes of the time axis and `clear()` are drawn by the next `show()` or
    `sync()` (the panel's refresh), so a new run does not repaint every view at once."""

    def __init__(self, plot: pg.PlotItem, colormap: str, unit: str) -> None:
        self.plot = plot
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.vb.setMouseEnabled(x=False, y=False)
        plot.disableAutoRange()
        self.bar = pg.ColorBarItem(values=(0, 1), width=14, colorMap=pg.colormap.get(colormap), label=unit,
                                   interactive=False, colorMapMenu=False)
        self.bar.setImageItem(self.image, insert_in=plot)
        self.steps_per_epoch = 0
        self.span: tuple[float, float] | None = None  # steps the time axis spans (planned or actual run)
        self.levels: tuple[float, float] | None = None
        self.rows: tuple[float, float] | None = None
        self._axis: tuple | None = None  # (label, x range) drawn
        self._cleared = False  # clear() not drawn yet
        self.set_time_unit(0)
        self.sync()

    def set_time_unit(self, steps_per_epoch: int, planned_steps: int | None = None) -> None:
        self.steps_per_epoch = steps_per_epoch
        self.span = (0.0, float(planned_steps)) if planned_steps else None

    def set_end(self, step: int) -> None:
        """The run ended at `step`: the time axis ends there."""
        self.span = (0.0, float(max(step, 1)))

    def clear(self) -> None:
        self.levels = self.rows = None
        self._cleared = True

    def sync(self) -> None:
        """Draw what changed without new data: a clear, the time axis."""
        if self._cleared:
            self._cleared = False
            if self.image.image is not None:
                self.image.clear()
        per = self.steps_per_epoch or 1
        label = "epoch" if self.steps_per_epoch else "step"
        x = None if self.span is None else (self.span[0] / per, self.span[1] / per)
        if (label, x) != self._axis:
            if self._axis is None or label != self._axis[0]:
                self.plot.setLabel("bottom", label)
            if x is not None:
                set_view_range(self.plot, x=x)
            self._axis = (label, x)

    def show(self, steps, matrix: np.ndarray, rows: tuple[float, float], levels: tuple[float, float] | None = None
             ) -> None:
        """`matrix` [rows, probes]; `rows` is the y extent (bottom, top) the rows span."""
        start, stop, columns = time_columns(steps, matrix)
        per = self.steps_per_epoch or 1
        finite = columns[np.isfinite(columns)]
        if levels is None:
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            levels = steady(self.levels, low, high)
        if levels != self.levels:
            self.levels = levels
            self.bar.setLevels(levels)
        self._cleared = False
        self.image.setImage(np.nan_to_num(columns, nan=levels[0]), autoLevels=False, levels=levels)
        self.image.setRect(start / per, rows[0], (stop - start) / per, rows[1] - rows[0])
        self.sync()
        if self.span is None:
            set_view_range(self.plot, x=(start / per, stop / per))
        if rows != self.rows:
            self.rows = rows
            set_view_range(self.plot, y=rows)
