"""Weight and gradient histograms of one layer over time (latest as curves, history as a heatmap)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox

from gui.plots.base import PlotPanel


class HistogramsPanel(PlotPanel):
    title = "Weight and gradient histograms"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.layer_box = QComboBox()
        self.header.insertWidget(1, self.layer_box)
        self.layer_box.currentTextChanged.connect(lambda _: self.refresh(force=True))
        # layer -> kind ('weights' | 'gradients') -> list of (step, bin edges, counts)
        self.history: dict[str, dict[str, list[tuple[int, np.ndarray, np.ndarray]]]] = {}
        self._version = self._drawn = 0
        layout = pg.GraphicsLayoutWidget()
        layout.setMinimumHeight(120)
        self.latest = {kind: layout.addPlot(row=0, col=col, title=f"{kind} (latest)")
                       for col, kind in enumerate(("weights", "gradients"))}
        self.curves = {kind: plot.plot(stepMode="center", fillLevel=0, brush="#1f77b460", pen="#1f77b4")
                       for kind, plot in self.latest.items()}
        self.over_time = {kind: layout.addPlot(row=1, col=col, title=f"{kind} over time")
                          for col, kind in enumerate(("weights", "gradients"))}
        self.heats = {}
        for kind, plot in self.over_time.items():
            image = pg.ImageItem(axisOrder="row-major")
            image.setColorMap(pg.colormap.get("magma"))
            plot.addItem(image)
            self.heats[kind] = image
        self.body.addWidget(layout)

    def clear(self) -> None:
        self.history.clear()
        self.layer_box.clear()
        self._version += 1

    def add(self, step: int, layer: str, kind: str, edges: np.ndarray, counts: np.ndarray) -> None:
        if layer not in self.history:
            self.history[layer] = {"weights": [], "gradients": []}
            self.layer_box.addItem(layer)
        self.history[layer][kind].append((step, np.asarray(edges), np.asarray(counts)))
        self._version += 1

    def refresh(self, force: bool = False) -> None:
        if self._version == self._drawn and not force:
            return
        self._drawn = self._version
        layer = self.layer_box.currentText()
        for kind in ("weights", "gradients"):
            entries = self.history.get(layer, {}).get(kind, [])
            if not entries:
                self.curves[kind].setData([], [])
                self.heats[kind].clear()
                continue
            _, edges, counts = entries[-1]
            self.curves[kind].setData(edges, counts)
            self.heats[kind].setImage(np.stack([np.log1p(c) for _, _, c in entries], axis=1), autoLevels=True)

    def csv_table(self):
        header = ("layer", "kind", "step", "bin_left", "bin_right", "count")
        rows = []
        for layer, kinds in self.history.items():
            for kind, entries in kinds.items():
                for step, edges, counts in entries:
                    rows += [(layer, kind, step, edges[i], edges[i + 1], counts[i]) for i in range(len(counts))]
        return header, rows
