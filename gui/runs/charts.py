"""The Runs panel's charts: the curves of several runs overlaid (one colour per run, a legend by
name), and the trade-off of a best metric against parameters, MACs or training time with the
Pareto front marked (no other run is both better and cheaper than a run on it)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.runs.compare import curves, pareto_front

COSTS = {"parameters": "params", "MACs": "macs", "training time (s)": "seconds"}
METRICS = ("val_accuracy", "test_accuracy", "val_loss", "loss")


def _label(metric: str) -> str:
    return metric.replace("val_", "validation ").replace("_", " ")


class RunCharts(QWidget):
    """Overlaid curves of the selected runs, or the trade-off chart of all runs shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox()
        self.mode.addItems(["Curves", "Trade-off"])
        self.mode.setToolTip("Curves: the selected runs' metric per epoch. Trade-off: every run shown, its best "
                             "metric against its cost, with the Pareto front")
        self.metric = QComboBox()
        self.metric.addItems(list(METRICS))
        self.cost = QComboBox()
        self.cost.addItems(list(COSTS))
        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)  # accuracies read 0.85, not 850 x0.001
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.note = QLabel()
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        for widget in (self.mode, self.metric, QLabel("vs"), self.cost):
            row.addWidget(widget)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        self.selected: list[Any] = []
        self.shown: list[Any] = []
        self.front: list[Any] = []  # the runs on the Pareto front of the last trade-off chart
        for box in (self.mode, self.metric, self.cost):
            box.currentIndexChanged.connect(lambda _: self.redraw())

    def show_runs(self, selected: list[Any], shown: list[Any]) -> None:
        self.selected, self.shown = selected, shown
        self.redraw()

    def redraw(self) -> None:
        self.plot.clear()
        self.legend.clear()
        self.cost.setEnabled(self.mode.currentIndex() == 1)
        (self._curves if self.mode.currentIndex() == 0 else self._trade_off)(self.metric.currentText())

    def _curves(self, metric: str) -> None:
        drawn = 0
        for i, entry in enumerate(self.selected):
            values = curves(entry).get(metric)
            if values is None or not len(values):
                continue
            pen = pg.mkPen(pg.intColor(i, hues=max(len(self.selected), 1)), width=2)
            self.plot.plot(np.arange(1, len(values) + 1), np.asarray(values, dtype=float), pen=pen,
                           name=entry.id, symbol="o", symbolSize=5, symbolBrush=pen.color())
            drawn += 1
        self.plot.setLabel("bottom", "epoch")
        self.plot.setLabel("left", _label(metric))
        self.note.setText(f"{drawn} of {len(self.selected)} selected runs have per-epoch {_label(metric)}."
                          if self.selected else "Select runs in the table to overlay their curves.")

    def _trade_off(self, metric: str) -> None:
        key = COSTS[self.cost.currentText()]
        points = [(getattr(e, key), (e.best or {}).get(metric), e) for e in self.shown]
        points = [(float(x), float(y), e) for x, y, e in points if x is not None and y is not None]
        self.front = []
        if not points:
            self.note.setText(f"No run shown has both {self.cost.currentText()} and a best {_label(metric)}.")
            return
        xs, ys = np.array([p[0] for p in points]), np.array([p[1] for p in points])
        maximize = "loss" not in metric
        on_front = pareto_front(list(zip(xs.tolist(), ys.tolist(), strict=True)), maximize_y=maximize)
        self.plot.plot(xs, ys, pen=None, symbol="o", symbolSize=7, symbolBrush=(120, 130, 150), name="runs")
        order = sorted(on_front, key=lambda i: xs[i])
        self.front = [points[i][2] for i in order]
        self.plot.plot(xs[order], ys[order], pen=pg.mkPen("#d9534f", width=2), symbol="o", symbolSize=9,
                       symbolBrush="#d9534f", name="Pareto front", stepMode=None)
        self.plot.setLabel("bottom", self.cost.currentText())
        self.plot.setLabel("left", f"best {_label(metric)}")
        best = self.front[-1]  # along the front the metric improves with the cost
        names = ", ".join(e.id for e in self.front[:6]) + (" …" if len(self.front) > 6 else "")
        self.note.setText(f"{len(points)} runs; on the front (none is both better and cheaper): {names}. "
                          f"Best: {best.id}.")
