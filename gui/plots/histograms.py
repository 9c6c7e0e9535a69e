"""Weight and gradient histograms of one layer: the latest as curves, and over training time as
heatmaps whose y axis is the value itself (each probe's histogram is redistributed onto one
common value grid, so a row means the same value at every time), with colour bars."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox

from gui.plots.base import PlotPanel, caption
from gui.plots.heatmap import TimeHeatmap, steady
from gui.plots.opaque import over_background
from gui.plots.ranges import set_view_range

COMMON_BINS = 60
KINDS = ("weights", "gradients")


def value_span(entries: list[tuple[int, np.ndarray, np.ndarray]]) -> tuple[float, float]:
    return min(float(e[0]) for _, e, _ in entries), max(float(e[-1]) for _, e, _ in entries)


def on_common_grid(entries: list[tuple[int, np.ndarray, np.ndarray]], bins: int = COMMON_BINS,
                   span: tuple[float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(edges, counts [bins, probes]): every histogram moved onto one grid spanning all of them
    (or `span`), counts spread evenly within their own bins."""
    low, high = span or value_span(entries)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    columns = []
    for _, own_edges, counts in entries:
        cumulative = np.concatenate([[0.0], np.cumsum(counts, dtype=np.float64)])
        columns.append(np.diff(np.interp(edges, own_edges, cumulative)))
    return edges, np.stack(columns, axis=1)


class HistogramsPanel(PlotPanel):
    title = "Weight and gradient histograms"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.layer_box = QComboBox()
        self.layer_box.setToolTip("The layer whose first parameter (its weights) is shown")
        self.header.insertWidget(1, self.layer_box)
        self.layer_box.currentTextChanged.connect(self._layer_changed)  # drawn at the next refresh
        self.layer_box.activated.connect(lambda _: self.refresh())  # chosen by hand: at once
        # layer -> kind ('weights' | 'gradients') -> list of (step, bin edges, counts)
        self.history: dict[str, dict[str, list[tuple[int, np.ndarray, np.ndarray]]]] = {}
        self._version = self._drawn = 0
        self._new_layer = False  # the layer shown changed: its axes fit it afresh
        self.caption = caption("A layer's weight and gradient distributions appear here after the first probe of a "
                               "run.")
        layout = pg.GraphicsLayoutWidget()
        layout.setMinimumHeight(130)
        self.latest = {kind: layout.addPlot(row=0, col=col, title=f"{kind}: latest distribution")
                       for col, kind in enumerate(KINDS)}
        self.curves = {}
        for kind, plot in self.latest.items():
            plot.disableAutoRange()
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.vb.setMouseEnabled(x=False, y=False)
            plot.setLabel("bottom", "value")
            plot.setLabel("left", "count")
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            self.curves[kind] = plot.plot(stepMode="center", fillLevel=0, pen="#1f77b4",
                                          brush=over_background(pg.mkColor("#1f77b460")))
        self.over_time = {kind: layout.addPlot(row=1, col=col, title=f"{kind} over time")
                          for col, kind in enumerate(KINDS)}
        self.heatmaps = {}
        for kind, plot in self.over_time.items():
            plot.setLabel("left", "value")
            plot.getAxis("left").enableAutoSIPrefix(False)
            self.heatmaps[kind] = TimeHeatmap(plot, "magma", "log(1 + count)")
        self.heats = {kind: heatmap.image for kind, heatmap in self.heatmaps.items()}
        self._ranges: dict[tuple[str, str], tuple[float, float]] = {}  # steady axis ranges (layer shown)
        layout.ci.layout.setRowStretchFactor(0, 2)
        layout.ci.layout.setRowStretchFactor(1, 3)
        self.body.addWidget(self.caption)
        self.body.addWidget(layout, 1)

    def set_time_unit(self, steps_per_epoch: int, planned_steps: int | None = None) -> None:
        for heatmap in self.heatmaps.values():
            heatmap.set_time_unit(steps_per_epoch, planned_steps)
        self._version += 1

    def set_end(self, step: int) -> None:
        for heatmap in self.heatmaps.values():
            heatmap.set_end(step)
        self._version += 1

    def clear(self) -> None:
        """Back to the empty state, drawn at the next refresh."""
        self.history.clear()
        self.layer_box.clear()
        self._ranges.clear()
        self._version += 1
        for heatmap in self.heatmaps.values():
            heatmap.clear()

    def _layer_changed(self) -> None:
        self._new_layer = True
        self._version += 1

    def add(self, step: int, layer: str, kind: str, edges: np.ndarray, counts: np.ndarray) -> None:
        """One probe's histogram; a second one at the same step (Pause, the end) replaces the first."""
        if layer not in self.history:
            self.history[layer] = {"weights": [], "gradients": []}
            self.layer_box.addItem(layer)
        entries = self.history[layer][kind]
        entry = (step, np.asarray(edges, np.float64), np.asarray(counts, np.float64))
        if entries and entries[-1][0] == step:
            entries[-1] = entry
        else:
            entries.append(entry)
        self._version += 1

    def refresh(self, force: bool = False) -> bool:
        if self._version == self._drawn and not force:
            return False
        self._drawn = self._version
        layer = self.layer_box.currentText()
        if force or self._new_layer:
            self._ranges.clear()
            self._new_layer = False
        for kind in KINDS:
            entries = self.history.get(layer, {}).get(kind, [])
            if not entries:
                if self.curves[kind].xData is not None and len(self.curves[kind].xData):
                    self.curves[kind].setData([], [])
                self.heatmaps[kind].sync()
                continue
            _, edges, counts = entries[-1]
            self.curves[kind].setData(edges, counts)
            self._steady_range(self.latest[kind], (layer, kind + " x"), float(edges[0]), float(edges[-1]), "x")
            self._steady_range(self.latest[kind], (layer, kind + " y"), 0.0, float(np.max(counts)) or 1.0, "y")
            span = steady(self._ranges.get((layer, kind)), *value_span(entries))
            self._ranges[(layer, kind)] = span
            common_edges, matrix = on_common_grid(entries, span=span)
            self.heatmaps[kind].show([s for s, _, _ in entries], np.log1p(matrix),
                                     (float(common_edges[0]), float(common_edges[-1])))
        if layer:
            self.caption.setText(f"{layer}: how its weights and their gradients are spread (brighter: more values "
                                 "there). Weights that barely move or gradients squeezed to zero mean the layer "
                                 "has stopped learning.")
        return True

    def _steady_range(self, plot, key, low: float, high: float, axis: str) -> None:
        current = self._ranges.get(key)
        wanted = steady(current, low, high)
        if wanted != current:
            self._ranges[key] = wanted
            set_view_range(plot, **{axis: wanted})

    def csv_table(self):
        header = ("layer", "kind", "step", "bin_left", "bin_right", "count")
        rows = []
        for layer, kinds in self.history.items():
            for kind, entries in kinds.items():
                for step, edges, counts in entries:
                    rows += [(layer, kind, step, edges[i], edges[i + 1], counts[i]) for i in range(len(counts))]
        return header, rows
